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
  constructor(message: string, position: number) {
    super(`${message} at byte ${position}`)
    this.position = position
  }
}

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

/**
 * A JSON object whose members named in `skip` are validated but not built (their value is
 * SKIPPED). Throws JsonScanError, with the byte where reading stopped, when the bytes are not one
 * JSON object. A repeated member name keeps its last value, as in JSON.parse.
 *
 * `b` is borrowed: two of its bytes are changed during a JSON.parse and restored after.
 */
export function parseObjectSkipping(b: Buffer, skip: ReadonlySet<string>): Record<string, unknown> {
  const members = new Map<string, unknown>()
  // Where the next skipped member starts: the nearest `,"name":` of the names not read yet. Only
  // a guess (the same bytes can be a nested member), so it only has to be cheap: each name's
  // next position is remembered, and a name is searched only up to the nearest one found so far.
  const next = new Map([...skip].map((name) => [name, { needle: Buffer.from(`,${JSON.stringify(name)}:`), at: -1, clear: 0 }]))
  const nextSkipped = (from: number): number => {
    let best = Number.POSITIVE_INFINITY
    for (const [name, p] of next) {
      if (members.has(name)) continue
      if (p.at >= from) {
        best = Math.min(best, p.at)
        continue
      }
      const start = Math.max(from, p.clear)
      if (start >= best) continue
      const window = best === Number.POSITIVE_INFINITY ? b : b.subarray(0, Math.min(b.length, best + p.needle.length - 1))
      const found = window.indexOf(p.needle, start)
      if (found >= 0) best = p.at = found
      else if (best === Number.POSITIVE_INFINITY) p.at = best
      else p.clear = best
    }
    return best === Number.POSITIVE_INFINITY ? -1 : best
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
      if (skip.has(name)) {
        valueEnd = scanJson(b, valueStart)
        members.set(name, SKIPPED)
      } else {
        const end = nextSkipped(valueStart)
        const close = end < 0 ? last : end
        // A guess that failed once is not tried again for the next member.
        const run = close === failedGuess ? undefined : parseRun(b, open, close)
        if (!run) failedGuess = close
        if (run) {
          // A skipped member can be inside a run (when the guess passed over it): built, but not kept.
          for (const [k, v] of Object.entries(run)) members.set(k, skip.has(k) ? SKIPPED : v)
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
