import type { RawChange } from './parse.js'

/**
 * Attribute-level differences of one change, with Terraform's masks applied: a value under a
 * `true` in before_sensitive/after_sensitive (at any depth, or the whole value) is never read
 * for display, and a `true` in after_unknown is "(known after apply)".
 */
export const SENSITIVE = '(sensitive)'
export const UNKNOWN = '(known after apply)'

export type Shown = { kind: 'value'; value: unknown } | { kind: 'sensitive' } | { kind: 'unknown' } | { kind: 'absent' }

export interface AttributeChange {
  path: string
  before: Shown
  after: Shown
  /** This path is listed in replace_paths. */
  forcesReplacement: boolean
}

type Mark = unknown

// The value-less kinds, shared: the walk creates one per changed attribute otherwise.
const SENSITIVE_SHOWN: Shown = Object.freeze({ kind: 'sensitive' })
const UNKNOWN_SHOWN: Shown = Object.freeze({ kind: 'unknown' })
const ABSENT_SHOWN: Shown = Object.freeze({ kind: 'absent' })

function childMark(mark: Mark, key: string | number): Mark {
  if (mark === true) return true
  if (mark !== null && typeof mark === 'object') return (mark as Record<string | number, unknown>)[key]
  return undefined
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a as object)
  const kb = Object.keys(b as object)
  if (ka.length !== kb.length) return false
  for (const k of ka)
    if (!Object.hasOwn(b as object, k) || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  return true
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** Terraform's attribute path syntax: `a.b[0]["key.with.dots"]`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`
  return `${parent}[${JSON.stringify(key)}]`
}

export function pathOf(steps: readonly (string | number)[]): string {
  return steps.reduce<string>((p, s) => joinPath(p, s), '')
}

/**
 * The changed leaves of `change`, up to `limit` of them; `total` counts them all.
 * Sets come as lists in plan JSON and are compared by position, like Terraform's own JSON.
 */
export function attributeChanges(change: RawChange, limit = 100): { changes: AttributeChange[]; total: number } {
  const forcing = new Set(
    (Array.isArray(change.replace_paths) ? change.replace_paths : []).filter(Array.isArray).map((p) => pathOf(p as (string | number)[])),
  )
  const out: AttributeChange[] = []
  let total = 0
  // The path is a stack of steps; its string is only built for the leaves that are shown.
  const steps: (string | number)[] = []
  const emit = (before: Shown, after: Shown): void => {
    total++
    if (out.length >= limit) return
    const path = pathOf(steps)
    out.push({ path, before, after, forcesReplacement: forcing.has(path) })
  }
  const walk = (
    before: unknown,
    after: unknown,
    bSens: Mark,
    aSens: Mark,
    aUnk: Mark,
    beforeAbsent: boolean,
    afterAbsent: boolean,
  ): void => {
    if (aUnk === true) {
      emit(beforeAbsent ? ABSENT_SHOWN : bSens === true ? SENSITIVE_SHOWN : { kind: 'value', value: before }, UNKNOWN_SHOWN)
      return
    }
    if (bSens === true || aSens === true) {
      if (beforeAbsent !== afterAbsent || !deepEqual(before, after)) {
        emit(beforeAbsent ? ABSENT_SHOWN : SENSITIVE_SHOWN, afterAbsent ? ABSENT_SHOWN : SENSITIVE_SHOWN)
      }
      return
    }
    if (isObject(before) && isObject(after)) {
      let keys = Object.keys(before)
      const afterKeys = Object.keys(after)
      // Usually both sides have the same keys in the same (sorted) order: then no key is absent.
      let sameKeys = keys.length === afterKeys.length
      for (let i = 0; sameKeys && i < keys.length; i++) if (keys[i] !== afterKeys[i]) sameKeys = false
      if (sameKeys && isObject(aUnk)) for (const key in aUnk) if (!Object.hasOwn(before, key)) sameKeys = false
      if (!sameKeys) {
        keys = [...new Set([...keys, ...afterKeys, ...(isObject(aUnk) ? Object.keys(aUnk) : [])])]
        if (!isSorted(keys)) keys.sort()
      } else if (!isSorted(keys)) keys = [...keys].sort()
      // Fast path: the same keys, and no mark under this object (absent, false, or an empty
      // object or list, which is how Terraform says "nothing here"); any other mark takes the
      // careful path below.
      if (sameKeys && unmarked(bSens) && unmarked(aSens) && unmarked(aUnk)) {
        for (const key of keys) {
          const b = before[key]
          const a = after[key]
          if (b === a && (b === null || typeof b !== 'object')) continue
          steps.push(key)
          walk(b, a, undefined, undefined, undefined, false, false)
          steps.pop()
        }
        return
      }
      for (const key of keys) {
        const b = before[key]
        const a = after[key]
        const u = childMark(aUnk, key)
        if (b === a && u === undefined && (b === null || typeof b !== 'object')) continue
        steps.push(key)
        if (sameKeys) walk(b, a, childMark(bSens, key), childMark(aSens, key), u, false, false)
        else
          walk(b, a, childMark(bSens, key), childMark(aSens, key), u, !Object.hasOwn(before, key), !Object.hasOwn(after, key) && u !== true)
        steps.pop()
      }
      return
    }
    if (Array.isArray(before) && Array.isArray(after)) {
      const n = Math.max(before.length, after.length)
      for (let i = 0; i < n; i++) {
        const b: unknown = before[i]
        const a: unknown = after[i]
        const u = childMark(aUnk, i)
        if (b === a && (u === undefined || u === false) && (b === null || typeof b !== 'object')) continue
        steps.push(i)
        walk(b, a, childMark(bSens, i), childMark(aSens, i), u, i >= before.length, i >= after.length)
        steps.pop()
      }
      return
    }
    if (beforeAbsent && afterAbsent) return
    if (beforeAbsent !== afterAbsent || !deepEqual(before, after)) {
      // A whole object or list appears or disappears: show it as one value, masked if any part is sensitive.
      emit(beforeAbsent ? ABSENT_SHOWN : shown(before, bSens), afterAbsent ? ABSENT_SHOWN : shown(after, aSens))
    }
  }
  walk(
    change.before ?? null,
    change.after ?? null,
    change.before_sensitive,
    change.after_sensitive,
    change.after_unknown,
    change.before === undefined,
    change.after === undefined,
  )
  return { changes: out, total }
}

function unmarked(mark: Mark): boolean {
  if (mark === undefined || mark === false) return true
  if (mark === null || typeof mark !== 'object') return false
  for (const _ in mark) return false
  return true
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false
  return true
}

/** A value for display: if any part of it is marked sensitive, the whole value is masked. */
function shown(value: unknown, mark: Mark): Shown {
  return containsTrue(mark) ? SENSITIVE_SHOWN : { kind: 'value', value }
}

function containsTrue(mark: Mark): boolean {
  if (mark === true) return true
  if (mark === null || typeof mark !== 'object') return false
  return Object.values(mark as object).some(containsTrue)
}

/**
 * A short, single-line form of a value. `redact` runs on the whole text before it is cut, so a
 * long secret that a provider copied into a plain attribute is never shown in part.
 */
export function formatShown(value: Shown, max = 120, redact: (text: string) => string = (t) => t): string {
  switch (value.kind) {
    case 'sensitive':
      return SENSITIVE
    case 'unknown':
      return UNKNOWN
    case 'absent':
      return '(none)'
    case 'value': {
      const text = redact(value.value === undefined ? 'null' : JSON.stringify(value.value))
      return text.length > max ? `${text.slice(0, max)}… (+${text.length - max} chars)` : text
    }
  }
}

/**
 * Every string (and number) under a sensitive mark, so the rendering can be scrubbed of them as
 * a second line of defence: a secret copied by the provider into a non-sensitive attribute
 * must still not reach a comment.
 */
export function collectSensitiveValues(change: RawChange, into: Set<string>, minLength = 6): void {
  const visit = (value: unknown, mark: Mark): void => {
    if (mark === true) {
      collectLeaves(value, into, minLength)
      return
    }
    if (mark === null || typeof mark !== 'object' || value === null || typeof value !== 'object') return
    for (const key of Object.keys(mark as object)) visit((value as Record<string, unknown>)[key], (mark as Record<string, unknown>)[key])
  }
  visit(change.before, change.before_sensitive)
  visit(change.after, change.after_sensitive)
}

function collectLeaves(value: unknown, into: Set<string>, minLength: number): void {
  if (typeof value === 'string' || typeof value === 'number') {
    const s = String(value)
    if (s.length >= minLength) into.add(s)
    // JSON-encoded forms appear in rendered values too.
    const quoted = JSON.stringify(s).slice(1, -1)
    if (quoted !== s && quoted.length >= minLength) into.add(quoted)
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectLeaves(v, into, minLength)
  }
}

/** Replaces every occurrence of the given secrets (longest first) in one pass per string. */
export function makeRedactor(secrets: ReadonlySet<string>): (text: string) => string {
  if (secrets.size === 0) return (text) => text
  const sorted = [...secrets].sort((a, b) => b.length - a.length)
  const pattern = new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
  return (text) => text.replace(pattern, SENSITIVE)
}
