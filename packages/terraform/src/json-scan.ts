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
