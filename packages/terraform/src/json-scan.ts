/**
 * Reading a large JSON object (UTF-8 bytes) while building only the members we use.
 *
 * A plan's `planned_values`, `prior_state` and `configuration` are often more than half of its
 * bytes, and nothing here reads them. Building them with JSON.parse costs time and memory in
 * proportion. `parseObjectSkipping` checks those members with a scan that validates the full
 * JSON grammar (structure, strings and their escapes, control characters, numbers, literals) and
 * allocates nothing, and only the other members are decoded and handed to JSON.parse. Any byte
 * that is not JSON is still refused: skipping is about building, never about checking.
 *
 * The members between two skipped ones are parsed in one JSON.parse without being scanned first:
 * their end is the next `,"<skipped name>":`, and that JSON.parse succeeding proves the guess
 * (a guess inside a nested value would leave a bracket open). A wrong guess costs time only: the
 * member is then scanned to find its end.
 */
export class JsonScanError extends Error {
  readonly position: number
  /** What is wrong, without the position. */
  readonly reason: string
  constructor(reason: string, position: number) {
    super(`${reason} at byte ${position}`)
    this.reason = reason
    this.position = position
  }
}

/**
 * The same member name twice in one object. Valid JSON, but JSON.parse keeps only the last value,
 * so a second `"actions": ["no-op"]` could hide a delete: readers of plans refuse it.
 */
export class JsonDuplicateMemberError extends Error {
  constructor(
    readonly member: string,
    readonly position: number,
  ) {
    super(`the member ${JSON.stringify(member)} appears twice in one object, at byte ${position}`)
  }
}

/**
 * How to read a JSON value in parts: an array element by element, an object member by member.
 * A member marked 'skip' is validated but not built (and left out); a member with a shape of its
 * own is read the same way; any other member is built. A value whose type does not match its
 * shape is built as it is, for the caller's checks to judge. Duplicate member names are refused
 * at every level that is read in parts.
 */
export type Shape = { readonly elements: Shape } | { readonly members: Readonly<Record<string, Shape | 'skip'>> }

/** Stands in for a member that was checked but not built. */
export const SKIPPED: unique symbol = Symbol('skipped JSON member')

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
const LOWER_E = 0x65
const UPPER_E = 0x45
const TRUE = [0x74, 0x72, 0x75, 0x65]
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65]
const NULL = [0x6e, 0x75, 0x6c, 0x6c]

/** Byte → what may follow a backslash: 1 for " \ / b f n r t, 2 for u. */
const ESCAPES = new Uint8Array(256)
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1
ESCAPES[0x75] = 2
const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** The first position at or after `i` that is not JSON whitespace (b.length if none). */
export function whitespace(b: Uint8Array, i: number): number {
  while (isSpace(b[i])) i++
  return i
}

function fail(b: Uint8Array, i: number, what: string): never {
  throw new JsonScanError(i >= b.length ? 'unexpected end of JSON' : what, i)
}

/** The end (after the closing quote) of the string that starts at `i`. */
export function scanString(b: Uint8Array, i: number): number {
  return string(b, i)
}

function string(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) fail(b, i, 'expected a string')
  for (;;) {
    const c = b[++i]
    if (c === QUOTE) return i + 1
    if (c === undefined || c < 0x20) fail(b, i, 'control character in a string')
    if (c === BACKSLASH) {
      const kind = ESCAPES[b[++i] ?? 0]
      if (kind === 2) {
        if (!(HEX[b[i + 1] ?? 0] && HEX[b[i + 2] ?? 0] && HEX[b[i + 3] ?? 0] && HEX[b[i + 4] ?? 0])) fail(b, i, 'bad \\u escape')
        i += 4
      } else if (kind !== 1) {
        fail(b, i, 'bad escape')
      }
    }
  }
}

function number(b: Uint8Array, i: number): number {
  if (b[i] === MINUS) i++
  if (b[i] === ZERO) i++
  else if (isDigit(b[i])) while (isDigit(b[++i]));
  else fail(b, i, 'unexpected character')
  if (b[i] === DOT) {
    if (!isDigit(b[++i])) fail(b, i, 'bad number')
    while (isDigit(b[++i]));
  }
  if (b[i] === LOWER_E || b[i] === UPPER_E) {
    i++
    if (b[i] === PLUS || b[i] === MINUS) i++
    if (!isDigit(b[i])) fail(b, i, 'bad number')
    while (isDigit(b[++i]));
  }
  return i
}

function literal(b: Uint8Array, i: number, word: number[]): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) fail(b, i + k, 'unexpected character')
  return i + word.length
}

/** `"name":` from `i` (before whitespace); the position after the colon. */
function memberName(b: Uint8Array, i: number): number {
  i = whitespace(b, string(b, whitespace(b, i)))
  if (b[i] !== COLON) fail(b, i, "expected ':'")
  return i + 1
}

/** The end of the JSON value that starts at `i` (before whitespace). */
export function scanJson(b: Uint8Array, i = 0): number {
  // true = in an object, false = in an array; an explicit stack, so depth is no limit.
  const stack: boolean[] = []
  for (;;) {
    i = whitespace(b, i)
    const c = b[i]
    if (c === QUOTE) i = string(b, i)
    else if (c === OPEN_OBJECT) {
      i = whitespace(b, i + 1)
      if (b[i] === CLOSE_OBJECT) i++
      else {
        stack.push(true)
        i = memberName(b, i)
        continue
      }
    } else if (c === OPEN_ARRAY) {
      i = whitespace(b, i + 1)
      if (b[i] === CLOSE_ARRAY) i++
      else {
        stack.push(false)
        continue
      }
    } else if (c === 0x74) i = literal(b, i, TRUE)
    else if (c === 0x66) i = literal(b, i, FALSE)
    else if (c === 0x6e) i = literal(b, i, NULL)
    else i = number(b, i)
    // After a value: close containers, or move on to the next element.
    for (;;) {
      if (stack.length === 0) return i
      i = whitespace(b, i)
      const inObject = stack[stack.length - 1]
      const d = b[i]
      if (d === COMMA) {
        i = inObject ? memberName(b, i + 1) : i + 1
        break
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) fail(b, i, 'unexpected character')
      stack.pop()
      i++
    }
  }
}

const decode = (b: Buffer, from: number, to: number): string => b.toString('utf8', from, to)

export interface SkippingOptions {
  /** Members read in parts, as their shape says. */
  shapes?: ReadonlyMap<string, Shape>
  /**
   * Members that each get a JSON.parse of their own, never shared with a neighbour, so that a
   * second member of the same name is seen (and refused) rather than merged away.
   */
  separate?: Iterable<string>
  /** The order members usually come in (Terraform's), which makes finding a run's end cheap. */
  order?: readonly string[]
}

/**
 * A JSON object whose members named in `skip` are validated but not built (their value is
 * SKIPPED). Throws JsonScanError, with the byte where reading stopped, when the bytes are not one
 * JSON object, and JsonDuplicateMemberError when a member name it sees comes twice (names that
 * share one JSON.parse with a neighbour are merged by it: list the ones that matter in
 * `separate`).
 *
 * `b` is borrowed: two of its bytes are changed during a JSON.parse and restored after.
 */
export function parseObjectSkipping(b: Buffer, skip: ReadonlySet<string>, options: SkippingOptions = {}): Record<string, unknown> {
  const members = new Map<string, unknown>()
  const shapes = options.shapes ?? new Map<string, Shape>()
  // Where a run of JSON.parse must end: before a skipped member, a member read in parts, or a
  // member read on its own.
  const separate = new Set(options.separate)
  const stops = new Set([...skip, ...shapes.keys(), ...separate])
  // Where the run that starts with member `name` ends: before the next `,"<stop>":`. Only a guess
  // (the same bytes can be a nested member), which the run's JSON.parse proves or refutes, so it
  // only has to be cheap. Stops are searched in the order members usually come in, after `name`,
  // and the first one found is the guess: one search per run, plus one to the end of the file for
  // each stop that is absent (remembered). For a member out of that order, the nearest stop of all.
  const rank = new Map((options.order ?? []).map((n, k) => [n, k]))
  const byRank = [...stops].sort((a, c) => (rank.get(a) ?? Infinity) - (rank.get(c) ?? Infinity))
  const next = new Map(byRank.map((n) => [n, { needle: Buffer.from(`,${JSON.stringify(n)}:`), at: -1, absentFrom: Infinity }]))
  const find = (n: string, from: number, before = b.length): number => {
    const p = next.get(n) as { needle: Buffer; at: number; absentFrom: number }
    if (p.at >= from) return p.at < before ? p.at : -1
    if (p.absentFrom <= from) return -1
    const window = before >= b.length ? b : b.subarray(0, before + p.needle.length - 1)
    const found = window.indexOf(p.needle, from)
    if (found >= 0) p.at = found
    else if (before >= b.length) p.absentFrom = from
    return found
  }
  const nextStop = (name: string, from: number): number => {
    const k = rank.get(name)
    let best = b.length
    if (k !== undefined) {
      for (const n of byRank) {
        if (members.has(n) || n === name || (rank.get(n) ?? Infinity) <= k) continue
        const at = find(n, from)
        if (at >= 0) {
          best = at
          break
        }
      }
    } else {
      for (const n of byRank) {
        if (members.has(n) || n === name) continue
        const at = find(n, from, best)
        if (at >= 0) best = at
      }
    }
    // A second member of the same name before that ends the run too, to be refused.
    if (stops.has(name)) {
      const again = find(name, from, best)
      if (again >= 0) best = again
    }
    return best === b.length ? -1 : best
  }
  let last = b.length - 1
  while (last >= 0 && isSpace(b[last])) last--

  let i = whitespace(b, 0)
  if (b[i] !== OPEN_OBJECT) fail(b, i, 'expected an object')
  // The `{` or `,` before the member being read.
  let open = i
  let failedGuess = -1
  i = whitespace(b, i + 1)
  if (b[i] === CLOSE_OBJECT) i++
  else {
    for (;;) {
      const nameStart = whitespace(b, i)
      const nameEnd = string(b, nameStart)
      const name = JSON.parse(decode(b, nameStart, nameEnd)) as string
      i = whitespace(b, nameEnd)
      if (b[i] !== COLON) fail(b, i, "expected ':'")
      const valueStart = whitespace(b, i + 1)
      let valueEnd: number
      const shape = shapes.get(name)
      if (members.has(name)) throw new JsonDuplicateMemberError(name, nameStart)
      if (skip.has(name)) {
        valueEnd = scanJson(b, valueStart)
        members.set(name, SKIPPED)
      } else if (shape) {
        const read = readShaped(b, valueStart, shape)
        valueEnd = read.end
        members.set(name, read.value)
      } else {
        const end = nextStop(name, valueStart)
        const close = end < 0 ? last : end
        // A guess that failed once is not tried again for the next member. A run that took in a
        // member that must be read on its own or in parts (the needle missed it: pretty-printed
        // JSON) is not used either; the member is scanned instead.
        let run = close === failedGuess ? undefined : parseRun(b, open, close)
        if (run && Object.keys(run).some((k, n) => n > 0 && (shapes.has(k) || separate.has(k)))) run = undefined
        if (!run) failedGuess = close
        if (run) {
          // A skipped member can be inside a run (when the guess passed over it): built, but not kept.
          for (const [k, v] of Object.entries(run)) {
            if (members.has(k)) throw new JsonDuplicateMemberError(k, open)
            members.set(k, skip.has(k) ? SKIPPED : v)
          }
          valueEnd = end < 0 ? last : end
        } else {
          valueEnd = scanJson(b, valueStart)
          members.set(name, JSON.parse(decode(b, valueStart, valueEnd)))
        }
      }
      i = whitespace(b, valueEnd)
      if (b[i] === COMMA) {
        open = i++
        continue
      }
      if (b[i] !== CLOSE_OBJECT) fail(b, i, 'unexpected character')
      i++
      break
    }
  }
  i = whitespace(b, i)
  if (i < b.length) fail(b, i, 'unexpected text after the JSON object')
  // fromEntries defines own properties, so a member named __proto__ stays a plain member.
  return Object.fromEntries(members)
}

/** The members from b[open] ('{' or ',') to b[close] (',' or '}') as one object, or undefined. */
function parseRun(b: Buffer, open: number, close: number): Record<string, unknown> | undefined {
  if (close <= open) return undefined
  const saved = [b[open] as number, b[close] as number]
  b[open] = OPEN_OBJECT
  b[close] = CLOSE_OBJECT
  try {
    const value: unknown = JSON.parse(decode(b, open, close + 1))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  } finally {
    b[open] = saved[0] as number
    b[close] = saved[1] as number
  }
}

/** The string from b[from] (its opening quote) to b[to] (after its closing quote). */
export function decodeName(b: Buffer, from: number, to: number): string {
  for (let k = from + 1; k < to - 1; k++) if (b[k] === BACKSLASH) return JSON.parse(decode(b, from, to)) as string
  return b.toString('utf8', from + 1, to - 1)
}

/** The value at `i` (before whitespace), read as `shape` says; `end` is where it ends. */
export function readShaped(b: Buffer, i: number, shape: Shape): { value: unknown; end: number } {
  i = whitespace(b, i)
  const c = b[i]
  if ('elements' in shape && c === OPEN_ARRAY) {
    const out: unknown[] = []
    i = whitespace(b, i + 1)
    if (b[i] === CLOSE_ARRAY) return { value: out, end: i + 1 }
    for (;;) {
      const element = readShaped(b, i, shape.elements)
      out.push(element.value)
      i = whitespace(b, element.end)
      if (b[i] === COMMA) {
        i++
        continue
      }
      if (b[i] !== CLOSE_ARRAY) fail(b, i, 'unexpected character')
      return { value: out, end: i + 1 }
    }
  }
  if ('members' in shape && c === OPEN_OBJECT) {
    const entries: [string, unknown][] = []
    const seen = new Set<string>()
    i = whitespace(b, i + 1)
    if (b[i] === CLOSE_OBJECT) return { value: {}, end: i + 1 }
    for (;;) {
      const nameStart = whitespace(b, i)
      const nameEnd = string(b, nameStart)
      const name = decodeName(b, nameStart, nameEnd)
      if (seen.has(name)) throw new JsonDuplicateMemberError(name, nameStart)
      seen.add(name)
      i = whitespace(b, nameEnd)
      if (b[i] !== COLON) fail(b, i, "expected ':'")
      const how = Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
      let end: number
      if (how === 'skip') end = scanJson(b, i + 1)
      else if (how) {
        const read = readShaped(b, i + 1, how)
        entries.push([name, read.value])
        end = read.end
      } else {
        const start = whitespace(b, i + 1)
        end = scanJson(b, start)
        entries.push([name, JSON.parse(decode(b, start, end))])
      }
      i = whitespace(b, end)
      if (b[i] === COMMA) {
        i++
        continue
      }
      if (b[i] !== CLOSE_OBJECT) fail(b, i, 'unexpected character')
      // fromEntries defines own properties, so a member named __proto__ stays a plain member.
      return { value: Object.fromEntries(entries), end: i + 1 }
    }
  }
  const end = scanJson(b, i)
  return { value: JSON.parse(decode(b, i, end)), end }
}
