import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { InputError } from './errors.js'

/**
 * Reading an action's inputs the way the runner passes them: `INPUT_<NAME>`, upper-cased,
 * spaces turned into `_`, hyphens kept. Every reader validates and names the input in its error,
 * so `main.ts` reads each input once into one typed settings object.
 */
export type Env = Readonly<Record<string, string | undefined>>

export class Inputs {
  constructor(private readonly env: Env = process.env) {}

  /** The raw value, trimmed; '' when unset. */
  raw(name: string): string {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
    return (this.env[key] ?? '').trim()
  }

  has(name: string): boolean {
    return this.raw(name) !== ''
  }

  string(name: string, options: { required?: boolean; default?: string } = {}): string {
    const value = this.raw(name)
    if (value === '') {
      if (options.required) throw new InputError(name, 'is required but was not given')
      return options.default ?? ''
    }
    return value
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name)
    return value === '' ? undefined : value
  }

  /** YAML 1.2 core booleans, as `core.getBooleanInput` accepts them. */
  boolean(name: string, defaultValue: boolean): boolean {
    const value = this.raw(name)
    if (value === '') return defaultValue
    return parseBoolean(name, value)
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.raw(name)
    return value === '' ? undefined : parseBoolean(name, value)
  }

  integer(name: string, options: { default: number; min?: number; max?: number }): number {
    const value = this.raw(name)
    if (value === '') return options.default
    return parseInteger(name, value, options)
  }

  optionalInteger(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(name)
    return value === '' ? undefined : parseInteger(name, value, options)
  }

  enumeration<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T {
    const value = this.raw(name)
    if (value === '') return defaultValue
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InputError(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${quote(value)}`)
    }
    return value as T
  }

  /** Durations like `90`, `30s`, `5m`, `1h`, `500ms`, returned in milliseconds. */
  duration(name: string, defaultMs: number): number {
    const value = this.raw(name)
    if (value === '') return defaultMs
    const ms = parseDuration(value)
    if (ms === undefined) throw new InputError(name, `must be a duration such as 30s, 5m or 1h, got ${quote(value)}`)
    return ms
  }

  /** `25`, `25%` or `12.5%`, as a number from 0 to 100. */
  percentage(name: string, defaultValue: number): number {
    const value = this.raw(name)
    if (value === '') return defaultValue
    const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value)
    const n = match ? Number(match[1]) : NaN
    if (!match || !(n >= 0 && n <= 100)) throw new InputError(name, `must be a percentage from 0 to 100, got ${quote(value)}`)
    return n
  }

  /** Newline- or comma-separated; blank entries and `#` comments dropped. */
  list(name: string): string[] {
    return parseList(this.raw(name))
  }

  /** A path relative to `base` that must exist. */
  existingPath(name: string, options: { required?: boolean; base?: string; kind?: 'file' | 'directory' } = {}): string | undefined {
    const value = this.raw(name)
    if (value === '') {
      if (options.required) throw new InputError(name, 'is required but was not given')
      return undefined
    }
    const resolved = path.resolve(options.base ?? process.cwd(), value)
    if (!existsSync(resolved)) throw new InputError(name, `names a path that does not exist: ${quote(value)} (resolved to ${resolved})`)
    const stat = statSync(resolved)
    if (options.kind === 'file' && !stat.isFile()) throw new InputError(name, `must name a file, but ${quote(value)} is a directory`)
    if (options.kind === 'directory' && !stat.isDirectory())
      throw new InputError(name, `must name a directory, but ${quote(value)} is a file`)
    return resolved
  }
}

export function parseBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(name, `must be true or false, got ${quote(value)}`)
}

export function parseInteger(name: string, value: string, options: { min?: number; max?: number }): number {
  const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN
  const { min, max } = options
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` >= ${min}`
        : max !== undefined
          ? ` <= ${max}`
          : ''
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
    throw new InputError(name, `must be a whole number${range}, got ${quote(value)}`)
  }
  return n
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim())
  if (!match) return undefined
  return Math.round(Number(match[1]) * (DURATION_UNITS[match[2] ?? 's'] ?? 1000))
}

export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'))
}

/** Quote a user's value for an error message, cut so a huge paste stays readable. */
export function quote(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value
  return JSON.stringify(cut)
}
