import { statSync } from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { InputError } from './errors.js'

/**
 * An action's inputs, each read once, validated, and named in its error. Values come from
 * `core.getInput` (the runner's `INPUT_<NAME>` variables, trimmed); tests give a record instead.
 * Every name read is remembered, so a test can check that action.yml and the code agree.
 */
export class Inputs {
  /** The names of the inputs read so far. */
  readonly names = new Set<string>()

  constructor(private readonly read: (name: string) => string = (name) => core.getInput(name)) {}

  /** Inputs from a record of name → value (tests, local tools). */
  static of(values: Readonly<Record<string, string>>): Inputs {
    return new Inputs((name) => (Object.hasOwn(values, name) ? (values[name] ?? '').trim() : ''))
  }

  /** The raw value, trimmed; '' when unset. */
  raw(name: string): string {
    this.names.add(name)
    return this.read(name)
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
    const n = parsePercentage(value)
    if (n === undefined) throw new InputError(name, `must be a percentage from 0 to 100, got ${quote(value)}`)
    return n
  }

  /** Entries separated by newlines, or by commas outside brackets and quotes (see parseList). */
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
    let stat
    try {
      stat = statSync(resolved)
    } catch {
      throw new InputError(name, `names a path that does not exist: ${quote(value)} (resolved to ${resolved})`)
    }
    if (options.kind === 'file' && !stat.isFile()) throw new InputError(name, `must name a regular file, but ${quote(value)} is not one`)
    if (options.kind === 'directory' && !stat.isDirectory())
      throw new InputError(name, `must name a directory, but ${quote(value)} is not one`)
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

const DURATION_UNITS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
])

export function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim())
  if (!match) return undefined
  return Math.round(Number(match[1]) * (DURATION_UNITS.get(match[2] ?? 's') ?? 1000))
}

/** `25`, `25%`, `12.5%` → a number from 0 to 100; undefined when it is not one. */
export function parsePercentage(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value.trim())
  const n = match ? Number(match[1]) : NaN
  return n >= 0 && n <= 100 ? n : undefined
}

/**
 * A list input: entries on their own lines, or separated by commas. A comma inside brackets,
 * braces, parentheses or double quotes belongs to the entry (`module.dbs["eu,primary"].*` is one
 * address glob). Blank entries and `#` comment lines are dropped.
 */
export function parseList(value: string): string[] {
  const entries: string[] = []
  for (const line of value.split(/\r?\n/)) {
    if (line.trim().startsWith('#')) continue
    let depth = 0
    let quoted = false
    let start = 0
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]
      if (quoted) {
        if (ch === '\\') i++
        else if (ch === '"') quoted = false
      } else if (ch === '"') quoted = true
      else if (ch === '[' || ch === '{' || ch === '(') depth++
      else if ((ch === ']' || ch === '}' || ch === ')') && depth > 0) depth--
      else if (ch === ',' && depth === 0) {
        entries.push(line.slice(start, i))
        start = i + 1
      }
    }
    entries.push(line.slice(start))
  }
  return entries.map((e) => e.trim()).filter((e) => e !== '')
}

/** Quote a user's value for an error message, cut so a huge paste stays readable. */
export function quote(value: string): string {
  const cut = value.length > 80 ? `${value.slice(0, 77)}...` : value
  return JSON.stringify(cut)
}
