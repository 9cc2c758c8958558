import { visible } from '@infra-actions/common'
import type { RawChange } from './parse.js'

/**
 * Attribute-level differences of one change, with Terraform's masks applied: a value under a
 * `true` in before_sensitive/after_sensitive (at any depth, or the whole value) is never read
 * for display, and a `true` in after_unknown is "(known after apply)".
 */
export const SENSITIVE = '(sensitive)'
export const UNKNOWN = '(known after apply)'

/**
 * A value for display. A `value` carries the marks that apply under it: `sensitive` (the before
 * and after masks: a path marked on either side is masked on both) and `unknown` (after_unknown),
 * so a partly sensitive or partly unknown object shows its other parts.
 */
export type Shown =
  | { kind: 'value'; value: unknown; sensitive?: readonly Mark[]; unknown?: Mark }
  | { kind: 'sensitive' }
  | { kind: 'unknown' }
  | { kind: 'absent' }

export interface AttributeChange {
  path: string
  before: Shown
  after: Shown
  /** This path is listed in replace_paths. */
  forcesReplacement: boolean
}

/** A mask of Terraform's plan JSON: `true`, or an object / array of masks, or absent. */
export type Mark = unknown

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
      emit(beforeAbsent ? ABSENT_SHOWN : shown(before, bSens, aSens), UNKNOWN_SHOWN)
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
      // A whole object or list appears or disappears: one value, with its sensitive and unknown
      // parts masked (the marks of both sides apply to both).
      emit(beforeAbsent ? ABSENT_SHOWN : shown(before, bSens, aSens), afterAbsent ? ABSENT_SHOWN : shown(after, aSens, bSens, aUnk))
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

/** A value for display under the marks that apply to it; a value sensitive as a whole is not kept at all. */
export function showValue(value: unknown, sensitive: readonly Mark[], unknown?: Mark): Shown {
  if (sensitive.some((m) => m === true)) return SENSITIVE_SHOWN
  if (unknown === true) return UNKNOWN_SHOWN
  const marks = sensitive.filter((m) => !unmarked(m))
  return marks.length === 0 && unmarked(unknown) ? { kind: 'value', value } : { kind: 'value', value, sensitive: marks, unknown }
}

const shown = (value: unknown, sensitive: Mark, otherSide: Mark, unknown?: Mark): Shown => showValue(value, [sensitive, otherSide], unknown)

/**
 * A short, single-line form of a value: JSON, with `(sensitive)` for every part under a sensitive
 * mark or equal to a known sensitive leaf, and `(known after apply)` for every unknown part.
 * The text scrubber of `secrets` runs on the whole text before it is cut, so a long secret that a
 * provider copied into a plain attribute is never shown in part; a text short enough not to be
 * cut is left to the caller, who scrubs the code spans it is shown in.
 */
export function formatShown(value: Shown, max = 120, secrets?: Secrets): string {
  switch (value.kind) {
    case 'sensitive':
      return SENSITIVE
    case 'unknown':
      return UNKNOWN
    case 'absent':
      return '(none)'
    case 'value': {
      const plain = !value.sensitive && value.unknown === undefined && (!secrets || secrets.size === 0)
      const raw = plain
        ? value.value === undefined
          ? 'null'
          : JSON.stringify(value.value)
        : serialize(value.value, value.sensitive ?? [], value.unknown, secrets)
      if (raw.length <= max) return raw
      // Scrubbed before it is cut, so a secret is never shown in part. (A text that is not cut is
      // scrubbed in its code span with the rest of the rendering.)
      const text = secrets ? secrets.redact(raw) : raw
      return text.length > max ? `${text.slice(0, max)}… (+${text.length - max} chars)` : text
    }
  }
}

/** JSON with the marks applied at every depth; keys only an unknown mark names are shown too. */
function serialize(value: unknown, sensitive: readonly Mark[], unknown: Mark, secrets: Secrets | undefined): string {
  if (sensitive.some((m) => m === true)) return SENSITIVE
  if (unknown === true) return UNKNOWN
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return secrets?.isSecret(value) ? SENSITIVE : JSON.stringify(value)
  if (typeof value === 'number') return secrets?.isSecret(String(value)) ? SENSITIVE : String(value)
  if (typeof value !== 'object') return JSON.stringify(value)
  const child = (k: string | number): [Mark[], Mark] => [
    sensitive.map((m) => childMark(m, k)).filter((m) => !unmarked(m)),
    childMark(unknown, k),
  ]
  if (Array.isArray(value)) {
    const n = Math.max(value.length, Array.isArray(unknown) ? unknown.length : 0)
    const items: string[] = []
    for (let i = 0; i < n; i++) {
      const [s, u] = child(i)
      items.push(serialize(value[i], s, u, secrets))
    }
    return `[${items.join(',')}]`
  }
  const keys = Object.keys(value)
  if (isObject(unknown)) for (const k of Object.keys(unknown)) if (unknown[k] === true && !Object.hasOwn(value, k)) keys.push(k)
  const parts = keys.map((k) => {
    const [s, u] = child(k)
    return `${JSON.stringify(k)}:${serialize((value as Record<string, unknown>)[k], s, u, secrets)}`
  })
  return `{${parts.join(',')}}`
}

/**
 * The values a plan marks sensitive anywhere, as a second line of defence behind the marks: a
 * provider that copies a secret into a plain attribute (Terraform's own `terraform_data.output`
 * does) must still not show it. Every string and number under a sensitive mark is a known secret
 * leaf: a leaf equal to one is masked wherever it appears, however short. Those of six characters
 * or more are also scrubbed out of longer text (shorter ones would shred ordinary words).
 * Booleans and null carry no secret worth a masked table.
 */
export class Secrets {
  private readonly leaves = new Set<string>()
  // Checked before the Set: hashing a long string that cannot be a secret is most of the cost.
  private readonly lengths = new Set<number>()
  private readonly long = new Set<string>()
  private scrubbed = 0
  /** Long secrets beyond `maxScrubbed`: masked where they are a whole value, not inside longer text. */
  unscrubbed = 0
  private pattern: RegExp | undefined | null = null

  constructor(private readonly maxScrubbed = 2000) {}

  get size(): number {
    return this.leaves.size
  }

  /**
   * The leaves under the sensitive marks of a change: a path marked on either side makes the
   * values on both sides secret. One walk over both marks at once.
   */
  addChange(change: RawChange): void {
    this.addMarked(change.before, change.after, change.before_sensitive, change.after_sensitive)
  }

  private addMarked(before: unknown, after: unknown, bMark: Mark, aMark: Mark): void {
    if (bMark === true || aMark === true) {
      this.addLeaves(before)
      this.addLeaves(after)
      return
    }
    const bObject = bMark !== null && typeof bMark === 'object'
    const aObject = aMark !== null && typeof aMark === 'object'
    if (!bObject && !aObject) return
    const child = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined)
    const keys =
      bObject && aObject
        ? new Set([...Object.keys(bMark as object), ...Object.keys(aMark as object)])
        : Object.keys((bObject ? bMark : aMark) as object)
    for (const key of keys) this.addMarked(child(before, key), child(after, key), childMark(bMark, key), childMark(aMark, key))
  }

  private addLeaves(value: unknown): void {
    if (typeof value === 'string' || typeof value === 'number') this.addLeaf(String(value))
    else if (value !== null && typeof value === 'object') {
      // A sensitive map's keys are as secret as its values (`{ "svc-deploy-admin" = "…" }`).
      if (!Array.isArray(value)) for (const k of Object.keys(value)) this.addLeaf(k)
      for (const v of Object.values(value)) this.addLeaves(v)
    }
  }

  private addLeaf(s: string): void {
    // Every secret is masked as a whole value, however many: only looking inside longer text has a limit.
    if (s === '' || this.leaves.has(s)) return
    this.pattern = null
    this.leaves.add(s)
    this.lengths.add(s.length)
    if (s.length < 6) return
    if (this.scrubbed >= this.maxScrubbed) {
      this.unscrubbed++
      return
    }
    this.scrubbed++
    for (const form of renderedForms(s)) this.long.add(form)
  }

  /**
   * The secrets of `other` added after this one's, as if its changes had been added here: secrets
   * collected from several sources in the order they were read, merged in the order that decides
   * which ones the limits keep.
   */
  absorb(other: Secrets): void {
    for (const s of other.leaves) this.addLeaf(s)
  }

  isSecret(leaf: string): boolean {
    return this.lengths.has(leaf.length) && this.leaves.has(leaf)
  }

  /**
   * Replaces every occurrence of the long secrets (longest first) in one pass; with `only`, the
   * occurrences at the places it accepts ([start, end) in `text`).
   */
  redact(text: string, only?: (start: number, end: number) => boolean): string {
    if (this.pattern === null) {
      const sorted = [...this.long].sort((a, b) => b.length - a.length)
      this.pattern = sorted.length ? new RegExp(sorted.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined
    }
    if (!this.pattern) return text
    if (!only) return text.replace(this.pattern, SENSITIVE)
    return text.replace(this.pattern, (match: string, at: number) => (only(at, at + match.length) ? SENSITIVE : match))
  }

  /**
   * A text of the plan shown as it is (an address, an id, a reason, a message): `(sensitive)`
   * when it is a secret, however short, else with the long secrets scrubbed out of it. Before it
   * is shortened or escaped, so no part of a secret is left to find afterwards.
   */
  mask(text: string): string {
    return this.isSecret(text) ? SENSITIVE : this.redact(text)
  }

  /**
   * `(sensitive)` when the text is a secret, however short, else the text: for a text shown whole
   * in a code span, where the rendering's scrubber finds the long secrets inside it.
   */
  maskWhole(text: string): string {
    return this.isSecret(text) ? SENSITIVE : text
  }
}

/**
 * Every spelling a secret takes on its way into the Markdown, where it is looked for: as it is,
 * JSON-encoded (inside a rendered object) once or twice (inside a `jsonencode`d string attribute:
 * a task definition, a policy; every character past ASCII escaped, as Python writes JSON), with
 * control, bidi and zero-width characters written as escapes
 * (`code()`), and with `|` escaped for a table cell.
 */
function renderedForms(secret: string): Set<string> {
  const once = JSON.stringify(secret).slice(1, -1)
  // Terraform's jsonencode() also writes & < > and the line and paragraph separators as \u escapes.
  const terraform = once.replace(/[&<>\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  // Other writers (Python's json.dumps) escape every character past ASCII.
  const ascii = terraform.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  const forms = new Set([secret, once, terraform, ascii])
  for (const f of [...forms]) forms.add(JSON.stringify(f).slice(1, -1))
  for (const f of [...forms]) forms.add(visible(f))
  for (const f of [...forms]) if (f.includes('|')) forms.add(f.replace(/\|/g, '\\|'))
  return forms
}

export interface AttributeValue {
  path: string
  value: Shown
}

/**
 * The attributes of one object as a reviewer reads a new resource: every known leaf with its
 * path (nested blocks flattened as in the diffs), `(known after apply)` for unknown parts (keys
 * that only the unknown mark names included), `(sensitive)` for marked parts. Null and empty
 * values are left out and counted. Up to `limit` rows; `total` counts them all.
 */
export function attributeValues(
  value: unknown,
  marks: { sensitive?: readonly Mark[]; unknown?: Mark },
  limit = 100,
  keep: (path: readonly (string | number)[]) => boolean = () => true,
): { values: AttributeValue[]; total: number; empty: number } {
  const out: AttributeValue[] = []
  let total = 0
  let empty = 0
  const steps: (string | number)[] = []
  // The path of the current node, built as the walk descends (not again for every leaf).
  const paths: string[] = ['']
  const emit = (shown: Shown): void => {
    if (!keep(steps)) return
    total++
    if (out.length < limit) out.push({ path: paths[paths.length - 1] as string, value: shown })
  }
  const NONE: readonly Mark[] = []
  const walk = (v: unknown, sens: readonly Mark[], unk: Mark): void => {
    if (sens.some((m) => m === true)) return emit(SENSITIVE_SHOWN)
    if (unk === true) return emit(UNKNOWN_SHOWN)
    // Most of a resource carries no mark: then its children carry none either.
    const plain = sens.length === 0 && unmarked(unk)
    const child = (k: string | number): [readonly Mark[], Mark] =>
      plain ? [NONE, undefined] : [sens.map((m) => childMark(m, k)).filter((m) => !unmarked(m)), childMark(unk, k)]
    if (Array.isArray(v) || isObject(v)) {
      const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v)
      if (!plain && Array.isArray(unk)) for (let i = v.length as number; i < unk.length; i++) keys.push(i)
      else if (!plain && isObject(unk) && !Array.isArray(v)) for (const k of Object.keys(unk)) if (!Object.hasOwn(v, k)) keys.push(k)
      if (keys.length === 0) {
        if (keep(steps)) empty++
        return
      }
      const parent = paths[paths.length - 1] as string
      for (const k of keys) {
        steps.push(k)
        paths.push(joinPath(parent, k))
        const [s, u] = child(k)
        walk((v as Record<string | number, unknown>)[k], s, u)
        paths.pop()
        steps.pop()
      }
      return
    }
    if (v === null || v === undefined || v === '') {
      if (keep(steps)) empty++
      return
    }
    emit({ kind: 'value', value: v })
  }
  walk(
    value,
    (marks.sensitive ?? []).filter((m) => !unmarked(m)),
    marks.unknown,
  )
  return { values: out, total, empty }
}
