import { JsonDuplicateMemberError, scanString, whitespace } from './scan.js'
import { ByteWindow, Cursor, EmptyDocumentError, parseRun, parseValue, type ByteSource } from './stream.js'

/**
 * One JSON document read as a stream, for readers whose documents are mostly a few long arrays
 * (a scanner's results): the readers say which containers to go into and who takes the elements
 * of which arrays, and each element is handed over as soon as it is read, then dropped. What is
 * held at a time is one chunk of the file, or the element being read when it is larger. The whole
 * document is still checked to be exactly one JSON value, with JSON.parse's refusals.
 */

/** Member names and array indexes from the root to a value. */
export type JsonPath = readonly (string | number)[]

/** Takes one element of a streamed array; true when it took it (it is then not kept in the array). */
export type ElementTaker = (element: unknown, index: number) => boolean

export interface JsonWalk {
  /**
   * Whether the object or array at `path` is read member by member (so that arrays inside it can
   * be streamed) rather than built whole. An array's elements are asked about once, as index 0
   * (elements built whole are read in runs); walked ones again each with its own index.
   */
  walk(path: JsonPath): boolean
  /**
   * Who takes the elements of the array at `path` (one that is walked), or undefined to keep
   * them. `parents` are the containers from the root to the array's parent, holding the members
   * read before it: a reader decides from what came first (Trivy's `ArtifactType` before its
   * `Results`, a SARIF run's `tool` before its `results`).
   */
  take(path: JsonPath, parents: readonly object[]): ElementTaker | undefined
}

/**
 * Reads one JSON document from `source`, walking it as `walk` says; returns it with the elements
 * that were taken left out of their arrays. Throws JsonScanError (positions in the whole),
 * EmptyDocumentError, or JsonDuplicateMemberError for a member written twice in an object that
 * is walked (JSON.parse would keep the last after the first was already handed over).
 */
export function readJsonWalking(source: ByteSource, walk: JsonWalk, options: { chunkSize?: number } = {}): unknown {
  const c = new Cursor(new ByteWindow(source, options.chunkSize))
  c.w.more(0)
  if (!c.space()) throw new EmptyDocumentError()
  const value = readValue(c, [], [], walk)
  if (c.space()) c.fail('unexpected text after the JSON value')
  return value
}

const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22
const COLON = 0x3a

/** The most bytes one JSON.parse of several elements takes (as the plan reader's runs). */
const RUN_BYTES = 1 << 18
/** A longer gap between two elements than this is not learned as their boundary. */
const MAX_BOUNDARY = 256

function readValue(c: Cursor, path: JsonPath, parents: readonly object[], walk: JsonWalk): unknown {
  const first = c.byte()
  if (first === OPEN_OBJECT && walk.walk(path)) return readObject(c, path, parents, walk)
  if (first === OPEN_ARRAY && walk.walk(path)) return readArray(c, path, parents, walk)
  return c.unit(parseValue)
}

function readObject(c: Cursor, path: JsonPath, parents: readonly object[], walk: JsonWalk): Record<string, unknown> {
  const members: Record<string, unknown> = {}
  const inside = [...parents, members]
  c.i++
  if (c.space() && c.byte() === CLOSE_OBJECT) {
    c.i++
    return members
  }
  for (;;) {
    c.space()
    const nameAt = c.abs()
    const name = c.memberName()
    if (Object.hasOwn(members, name)) throw new JsonDuplicateMemberError(name, nameAt)
    const value = readValue(c, [...path, name], inside, walk)
    // Defined, not assigned: a member named __proto__ stays a member, as JSON.parse makes it.
    Object.defineProperty(members, name, { value, writable: true, enumerable: true, configurable: true })
    if (!c.next(CLOSE_OBJECT)) return members
  }
}

function readArray(c: Cursor, path: JsonPath, parents: readonly object[], walk: JsonWalk): unknown[] {
  const kept: unknown[] = []
  const take = walk.take(path, parents)
  const walked = walk.walk([...path, 0])
  const inside = [...parents, kept]
  c.i++
  if (c.space() && c.byte() === CLOSE_ARRAY) {
    c.i++
    return kept
  }
  const hand = (element: unknown, index: number): void => {
    if (!take?.(element, index)) kept.push(element)
  }
  let index = 0
  // Elements built whole are read in runs once the bytes between two of them are known.
  let boundary: Buffer | undefined
  let noRunsBefore = -1
  let firstEnd = -1
  for (;;) {
    c.space()
    let read = 0
    if (boundary && c.abs() > noRunsBefore) {
      const run = parseRun(c, boundary, RUN_BYTES)
      if (typeof run === 'number') noRunsBefore = run
      else {
        for (const element of run.elements) hand(element, index++)
        read = run.elements.length
        c.i = run.end
      }
    }
    if (read === 0) {
      if (index === 1 && !walked && firstEnd >= 0) boundary = learnBoundary(c, firstEnd)
      const first = c.byte()
      hand(walked ? readValue(c, [...path, index], inside, walk) : c.unit(parseValue), index)
      index++
      if (index === 1 && first === OPEN_OBJECT) firstEnd = c.abs()
    }
    if (!c.next(CLOSE_ARRAY)) return kept
  }
}

/**
 * The bytes from the end of the first element (`}`, at `firstEnd - 1` in the whole) to the colon
 * after the second's first member name: `},{"Target":`, or with the writer's indentation. Runs
 * are guessed at its later occurrences; undefined when it is not all in the window, or too long.
 */
function learnBoundary(c: Cursor, firstEnd: number): Buffer | undefined {
  const b = c.w.b
  const from = firstEnd - 1 - c.w.base
  if (from < 0 || b[c.i] !== OPEN_OBJECT) return undefined
  const name = whitespace(b, c.i + 1)
  if (b[name] !== QUOTE) return undefined
  let end: number
  try {
    end = scanString(b, name)
  } catch {
    return undefined
  }
  const colon = whitespace(b, end)
  if (b[colon] !== COLON || colon + 1 - from > MAX_BOUNDARY) return undefined
  return Buffer.from(b.subarray(from, colon + 1))
}
