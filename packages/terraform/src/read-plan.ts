import {
  ByteWindow,
  Cursor,
  EmptyDocumentError,
  JsonDuplicateMemberError,
  JsonScanError,
  parseRun,
  parseValue,
  rangeSource,
  readShaped,
  SKIPPED,
  whitespace,
  type ByteSource,
  type Shape,
} from '@infra-actions/common/json-stream'
import { record } from '@infra-actions/common'

/**
 * The plan document read as a stream: its bytes in chunks, the whole of it validated as one JSON
 * object, and what a reader uses handed over piece by piece. The members nothing reads are
 * scanned and dropped as they pass (`SkipScan`); `resource_changes`, `resource_drift` and
 * `deferred_changes` go to the sink one element at a time and `output_changes` one output at a
 * time; the other members a reader uses are small and built whole. What is held at any moment is
 * one chunk, or the one element (or member) being read when it is larger.
 */

/** The arrays of changes, handed over element by element. */
export type ChangeSection = 'resource_changes' | 'resource_drift' | 'deferred_changes'

export interface PlanSink {
  /** One element of a change section (JSON.parse's value, or read in parts without values). */
  element(section: ChangeSection, value: unknown, index: number): void
  /** One member of `output_changes`; a name given twice is refused (JsonDuplicateMemberError). */
  output(name: string, value: unknown): void
}

export interface StreamOptions {
  /**
   * false: the changes' attribute values (before, after and their masks) are validated but not
   * built, for readers that need only addresses and actions (destroy-gate). 'where-sensitive':
   * built only for the changes whose sensitive marks mark something, the others' masks built and
   * their values validated but not built, for a first pass that collects a plan's secrets
   * (plan-comment's). Default true.
   */
  attributeValues?: boolean | 'where-sensitive'
  /** Bytes read at a time (default 1 MiB). Tests use tiny ones, so every boundary is crossed. */
  chunkSize?: number
  /** Filled with where each top-level member's value is, in bytes of the whole. */
  ranges?: Map<string, readonly [number, number]>
  /**
   * Filled with a digest of the bytes of each section handed over element by element, for a
   * second pass (`readSection`) to prove it read the same bytes.
   */
  digests?: Map<string, string>
}

/**
 * Sections of a plan that nothing here reads: checked as JSON, never built. Together they are
 * often most of the file (planned_values and prior_state each hold every resource's values). So
 * is any member this reader does not know.
 */
export const UNREAD_PLAN_SECTIONS: ReadonlySet<string> = new Set([
  'variables',
  'planned_values',
  'prior_state',
  'configuration',
  'relevant_attributes',
])

/** The top-level members a reader uses; each is read on its own, so a second copy is refused. */
export const READ_PLAN_SECTIONS: readonly string[] = [
  'format_version',
  'terraform_version',
  'resource_drift',
  'resource_changes',
  'deferred_changes',
  'output_changes',
  'checks',
  'errored',
  'complete',
  'applyable',
]
const READ = new Set(READ_PLAN_SECTIONS)
const STREAMED = new Set<string>(['resource_changes', 'resource_drift', 'deferred_changes'])

/** The attribute values of a change: what a reader that needs only addresses and actions skips. */
const VALUES_SKIPPED: Shape = {
  members: {
    before: 'skip',
    after: 'skip',
    after_unknown: 'skip',
    before_sensitive: 'skip',
    after_sensitive: 'skip',
    before_identity: 'skip',
    after_identity: 'skip',
    generated_config: 'skip',
  },
}
const LEAN_ELEMENTS: Record<ChangeSection, Shape> = {
  resource_changes: { members: { change: VALUES_SKIPPED } },
  resource_drift: { members: { change: VALUES_SKIPPED } },
  deferred_changes: { members: { resource_change: { members: { change: VALUES_SKIPPED } } } },
}
/** The values of a change skipped, its sensitive marks built. */
const MARKS_BUILT: Shape = {
  members: Object.fromEntries(
    Object.entries((VALUES_SKIPPED as { members: Record<string, 'skip'> }).members).filter(([name]) => !name.endsWith('_sensitive')),
  ),
}
const MARKED_ELEMENTS: Record<ChangeSection, Shape> = {
  resource_changes: { members: { change: MARKS_BUILT } },
  resource_drift: { members: { change: MARKS_BUILT } },
  deferred_changes: { members: { resource_change: { members: { change: MARKS_BUILT } } } },
}

/**
 * Whether a mark marks anything sensitive: `true` anywhere in it (what Secrets.addChange looks
 * for). Walked with a stack of its own: a mark nested thousands deep must not overflow the call
 * stack where Secrets, stopping at a `true` on the other side, never goes.
 */
function marksSomething(mark: unknown): boolean {
  const pending: unknown[] = [mark]
  while (pending.length > 0) {
    const m = pending.pop()
    if (m === true) return true
    if (m !== null && typeof m === 'object') for (const child of Object.values(m)) pending.push(child)
  }
  return false
}

/** The change of an element read with MARKED_ELEMENTS' shape has a sensitive mark that marks something. */
function hasSensitiveMark(section: ChangeSection, element: unknown): boolean {
  const change = record(record(section === 'deferred_changes' ? record(element)?.resource_change : element)?.change)
  return marksSomething(change?.before_sensitive) || marksSomething(change?.after_sensitive)
}

/** The document is valid JSON but not an object: what it is instead (as `typeof` says it). */
export class NotAnObjectError extends Error {
  constructor(readonly kind: string) {
    super(`expected an object, got ${kind}`)
  }
}

export { EmptyDocumentError }

const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22

/** Where one resource change ends and the next begins, as Terraform writes them: a guess. */
const ELEMENT_BOUNDARY = Buffer.from('},{"address":')
/** The most bytes one JSON.parse of several elements takes: larger runs keep more of their elements alive past young collections (+50 MB of peak RSS at 1 MiB). */
const RUN_BYTES = 1 << 18

/**
 * Reads one plan document from `source`: returns its top-level members (the streamed sections as
 * `[]` / `{}` placeholders when they are an array / object, skipped ones as SKIPPED) after handing
 * every element to `sink`. Throws JsonScanError or JsonDuplicateMemberError (positions in the
 * whole), NotAnObjectError or EmptyDocumentError. `size` is the number of bytes read (for messages).
 */
export function readPlanStream(source: ByteSource, sink: PlanSink, options: StreamOptions = {}): Record<string, unknown> {
  const c = new Cursor(new ByteWindow(source, options.chunkSize))
  const how: ElementReading =
    options.attributeValues === false ? 'lean' : options.attributeValues === 'where-sensitive' ? 'where-sensitive' : 'values'
  c.w.more(0)
  if (!c.space()) throw new EmptyDocumentError()
  if (c.byte() !== OPEN_OBJECT) notAnObject(c)
  c.i++
  const members = new Map<string, unknown>()
  if (c.space() && c.byte() === CLOSE_OBJECT) c.i++
  else {
    for (;;) {
      c.space()
      const nameAt = c.abs()
      const name = c.memberName()
      if (members.has(name)) throw new JsonDuplicateMemberError(name, nameAt)
      const first = c.byte()
      const valueAt = c.abs()
      if (!READ.has(name)) {
        c.skip()
        members.set(name, SKIPPED)
      } else if (STREAMED.has(name) && first === OPEN_ARRAY) {
        if (options.digests) c.w.startDigest(c.i)
        readElements(c, name as ChangeSection, sink, how)
        if (options.digests) options.digests.set(name, c.w.endDigest(c.i))
        members.set(name, [])
      } else if (name === 'output_changes' && first === OPEN_OBJECT) {
        readOutputs(c, sink, how)
        members.set(name, {})
      } else if (name === 'checks' && how === 'lean') {
        // Checked, not built: a reader without values (destroy-gate) has no use for the checks'
        // results, and a plan of mostly `checks` would otherwise be built whole.
        c.skip()
        members.set(name, first === OPEN_ARRAY ? [] : SKIPPED)
      } else {
        members.set(name, c.unit(parseValue))
      }
      options.ranges?.set(name, [valueAt, c.abs()])
      if (!c.next(CLOSE_OBJECT)) break
    }
  }
  if (c.space()) c.fail('unexpected text after the JSON object')
  // fromEntries defines own properties, so a member named __proto__ stays a plain member.
  return Object.fromEntries(members)
}

/** A document that does not start with `{`: valid JSON of another kind, or refused where it starts. */
function notAnObject(c: Cursor): never {
  const start = c.abs()
  const first = c.byte() as number
  try {
    c.skip()
    if (c.space()) c.fail('unexpected text')
  } catch (error) {
    if (error instanceof JsonScanError) throw new JsonScanError('expected an object', start)
    throw error
  }
  const kind =
    first === OPEN_ARRAY
      ? 'an array'
      : first === QUOTE
        ? 'string'
        : first === 0x74 || first === 0x66
          ? 'boolean'
          : first === 0x6e
            ? 'object'
            : 'number'
  throw new NotAnObjectError(kind)
}

/**
 * How elements are read: built whole, without values, or with values only when a sensitive mark
 * marks something (StreamOptions.attributeValues); 'again' is built whole without the check for
 * repeated members, for bytes a first pass checked (`readSection` with a digest).
 */
type ElementReading = 'values' | 'lean' | 'where-sensitive' | 'again'

function readElements(c: Cursor, section: ChangeSection, sink: PlanSink, how: ElementReading): void {
  c.i++
  if (c.space() && c.byte() === CLOSE_ARRAY) {
    c.i++
    return
  }
  const shape = LEAN_ELEMENTS[section]
  const readLean = (b: Buffer, i: number): { value: unknown; end: number } => readShaped(b, i, shape)
  // Built whole by JSON.parse, which keeps the last of two same-named members: the members a
  // reader without values decides from (and refuses twice) are checked to be there once.
  const readWhole = (b: Buffer, i: number): { value: unknown; end: number } => {
    const { end } = readShaped(b, i, shape)
    return { value: JSON.parse(b.toString('utf8', i, end)), end }
  }
  // Most changes mark nothing sensitive: their values are scanned, not built (pass one in process
  // on 10,000 such changes: ~0.3-0.5 s, against ~0.9-1.2 s built; docs/performance.md).
  const marked = MARKED_ELEMENTS[section]
  const readMarked = (b: Buffer, i: number): { value: unknown; end: number } => {
    const read = readShaped(b, i, marked)
    // Built whole when its marks (written after its values) mark something: walking the bytes
    // again for just the marked parts was measured slower than JSON.parse of the whole element.
    return hasSensitiveMark(section, read.value) ? { value: JSON.parse(b.toString('utf8', i, read.end)), end: read.end } : read
  }
  const one = how === 'lean' ? readLean : how === 'where-sensitive' ? readMarked : how === 'values' ? readWhole : parseValue
  const runs = (how === 'values' || how === 'again') && section !== 'deferred_changes'
  const checked = how === 'again' ? undefined : shape
  let index = 0
  // After a wrong guess, no run is tried again before the cursor has passed it.
  let noRunsBefore = -1
  for (;;) {
    c.space()
    let read = 0
    if (runs && c.abs() > noRunsBefore) {
      // Several elements in one JSON.parse, up to a guessed boundary; its success proves the guess.
      const run = tryRun(c, checked)
      if (typeof run === 'number') noRunsBefore = run
      else {
        for (const element of run) sink.element(section, element, index++)
        read = run.length
      }
    }
    if (read === 0) {
      const value = c.unit(one)
      sink.element(section, value, index++)
    }
    if (!c.next(CLOSE_ARRAY)) return
  }
}

/**
 * The elements from the cursor up to the last guessed boundary within RUN_BYTES, parsed at once;
 * or the position in the whole before which no run is tried again: the end of what was searched
 * when no boundary is in reach, the boundary when the guess was wrong (JSON.parse refused the
 * run: a boundary inside a value, or damage, which reading element by element then finds). With `shape`, the run's elements are checked against it for repeated
 * members (which JSON.parse merges).
 */
function tryRun(c: Cursor, shape: Shape | undefined): unknown[] | number {
  const run = parseRun(c, ELEMENT_BOUNDARY, RUN_BYTES)
  if (typeof run === 'number') return run
  const b = c.w.b
  const at = run.end - 1
  for (let i = c.i; shape && i < at;) {
    try {
      i = whitespace(b, readShaped(b, i, shape).end) + 1
    } catch (error) {
      if (error instanceof JsonDuplicateMemberError) throw new JsonDuplicateMemberError(error.member, c.w.base + error.position)
      throw error
    }
  }
  c.i = run.end
  return run.elements
}

/** The bytes a second pass read are not the ones the first pass read (the file was rewritten). */
export class ChangedWhileReadError extends Error {}

/**
 * Pass two of a reader that needs values only after a first pass (plan-comment: every secret
 * must be known before any value is shown): the elements of one section, read again from where
 * the first pass found it (`ranges`), built whole. The document was validated by the first pass.
 * With `digest` (the first pass's `digests`), bytes other than the first pass's are refused with
 * ChangedWhileReadError once all are read: what the sink made of them is then to be dropped.
 */
export function readSection(
  source: ByteSource,
  range: readonly [number, number],
  section: ChangeSection,
  sink: PlanSink,
  options: { chunkSize?: number; digest?: string } = {},
): void {
  const c = new Cursor(new ByteWindow(rangeSource(source, range[0], range[1]), options.chunkSize))
  c.w.startDigest(0)
  c.w.more(0)
  if (!c.space() || c.byte() !== OPEN_ARRAY) c.fail('expected an array')
  // Bytes with pass one's digest were checked for repeated members by it.
  readElements(c, section, sink, options.digest === undefined ? 'values' : 'again')
  const digest = c.w.endDigest(c.i)
  if (c.space() || (options.digest !== undefined && digest !== options.digest)) throw new ChangedWhileReadError()
}

/**
 * Each output's change, built whole, or without values (nor sensitive marks: its `sensitive` then
 * reads false) for a reader that needs only its actions (destroy-gate). A second `x` would hand
 * the sink two changes of one output: refused.
 */
function readOutputs(c: Cursor, sink: PlanSink, how: ElementReading): void {
  eachMember(c, (name) => sink.output(name, how === 'lean' && c.byte() === OPEN_OBJECT ? readOutputLean(c) : c.unit(parseValue)))
}

const VALUE_MEMBERS = new Set(Object.keys((VALUES_SKIPPED as { members: object }).members))

/**
 * One output's change without its values, member by member: the values are scanned as the bytes
 * go by (an output can be a whole module's objects, a hundred MB), never held; a member named
 * twice is refused, as in a change read without values.
 */
function readOutputLean(c: Cursor): Record<string, unknown> {
  const members: [string, unknown][] = []
  eachMember(c, (name) => {
    if (VALUE_MEMBERS.has(name)) c.skip()
    else members.push([name, c.unit(parseValue)])
  })
  return Object.fromEntries(members)
}

/** The members of the object at the cursor, each read by `read` (the cursor at its value); a name given twice is refused. */
function eachMember(c: Cursor, read: (name: string) => void): void {
  c.i++
  if (c.space() && c.byte() === CLOSE_OBJECT) {
    c.i++
    return
  }
  const seen = new Set<string>()
  for (;;) {
    c.space()
    const at = c.abs()
    const name = c.memberName()
    if (seen.has(name)) throw new JsonDuplicateMemberError(name, at)
    seen.add(name)
    read(name)
    if (!c.next(CLOSE_OBJECT)) return
  }
}
