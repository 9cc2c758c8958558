import { FAILED, wasmScan, type WasmScan } from './wasm-scan.js'

/**
 * Checking JSON (UTF-8 bytes) without building it, and building only the parts a reader uses.
 *
 * A plan's `planned_values`, `prior_state` and `configuration` are often more than half of its
 * bytes, and nothing here reads them; destroy-gate reads no attribute value at all. `SkipScan`
 * checks such values with a scan that validates the full JSON grammar (structure, strings and
 * their escapes, control characters, numbers, literals), allocates nothing, and can stop at the
 * end of one chunk of bytes and go on with the next; `readShaped` reads a value in parts, building
 * what a shape asks for and scanning the rest. Any byte that is not JSON is still refused:
 * skipping is about building, never about checking.
 *
 * Every read checks its position against the end of the bytes rather than reading past it: a
 * typed array read out of bounds (undefined) makes V8 compile the scan's loops for mixed types,
 * several times slower, and with chunks every scan reaches an end.
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
 * shape is built as it is, for the caller's checks to judge. Duplicate member names are refused at
 * every level that is read in parts.
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

/** Byte → what may follow a backslash: 1 for " \\ / b f n r t, 2 for u. */
const ESCAPES = new Uint8Array(256)
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1
ESCAPES[0x75] = 2
const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1
const LITERALS: Record<number, number[]> = {
  0x74: [0x74, 0x72, 0x75, 0x65],
  0x66: [0x66, 0x61, 0x6c, 0x73, 0x65],
  0x6e: [0x6e, 0x75, 0x6c, 0x6c],
}

/** The byte at `i`, or -1 past the end (never an out-of-bounds read). */
const byteAt = (b: Uint8Array, i: number): number => (i < b.length ? (b[i] as number) : -1)

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE

/** The first position at or after `i` that is not JSON whitespace (b.length if none). */
export function whitespace(b: Uint8Array, i: number): number {
  const n = b.length
  while (i < n) {
    const c = b[i]
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i
    i++
  }
  return i
}

function failAt(b: Uint8Array, at: number, what: string, base: number): never {
  throw new JsonScanError(at >= b.length ? 'unexpected end of JSON' : what, base + at)
}

/** The farthest a scan looks ahead of the byte it judges (`\\uXXXX`). */
export const LOOKAHEAD = 6

// Where a paused scan goes on: before a value, after one, before a member name, before its colon,
// inside a string.
const VALUE = 0
const AFTER_VALUE = 1
const NAME = 2
const COLON_NEXT = 3
const STRING = 4

/** Thrown inside the scan when the bytes end before the token at hand does: go on from `at` in `mode`. */
class Pause {
  constructor(
    readonly at: number,
    readonly mode: number,
  ) {}
}

/**
 * A validating scan of one JSON value that may stop anywhere and go on with the next chunk:
 * `run(b, i, eof, base)` returns where the value ends, or -1 when `b` ended first (and `eof` is
 * false); then `keep` is the first byte it still needs (a number or literal cut in two is scanned
 * again whole, a string goes on where it stopped) and the caller calls `run` again with the bytes
 * from `keep` on at the start of `b`. Checks what JSON.parse checks, builds nothing, holds one
 * byte per open bracket. Errors are JsonScanErrors at positions in the whole (`base` is where `b`
 * starts), the same wherever the chunks are cut.
 */
export class SkipScan {
  private mode = VALUE
  private stringIsName = false
  // 1 = in an object, 0 = in an array.
  private stack: Uint8Array = new Uint8Array(64)
  private depth = 0
  keep = 0

  run(b: Uint8Array, i: number, eof: boolean, base: number): number {
    try {
      const wasm = scanTuning.wasm ? wasmScan() : null
      if (!wasm || this.depth >= wasm.stackCapacity || b.length - i <= scanTuning.minBytes) return this.runJs(b, i, eof, base)
      // Most skipped values are small: their first bytes are scanned here (copying them into the
      // WebAssembly memory would cost more), and what goes on past them there.
      const head = this.runJs(b.subarray(0, i + scanTuning.minBytes), i, false, base)
      return head >= 0 ? head : this.runWasm(wasm, b, this.keep, eof, base)
    } catch (error) {
      // A scan that failed is over, whichever scan found it: a reused SkipScan starts afresh.
      this.reset()
      throw error
    }
  }

  /**
   * The same scan in WebAssembly, over pieces of `b` copied in (small first: most skipped values
   * are a few hundred bytes), its state read back at each pause: where it fails, the JavaScript
   * scan goes on from that state over the same bytes and says what is wrong.
   */
  private runWasm(w: WasmScan, b: Uint8Array, i: number, eof: boolean, base: number): number {
    w.setState(this.mode, this.stringIsName ? 1 : 0, this.depth)
    w.brackets.set(this.stack.subarray(0, this.depth))
    let at = i
    let piece = FIRST_PIECE
    for (;;) {
      const length = Math.min(b.length - at, piece)
      const last = at + length === b.length
      w.input.set(b.subarray(at, at + length))
      const r = w.scan(length, last && eof ? 1 : 0)
      if (r >= 0) {
        this.reset()
        return at + r
      }
      if (r === FAILED) return this.runJs(b, at, eof, base)
      const keep = at + w.keep()
      this.mode = w.mode()
      this.stringIsName = w.isName() === 1
      this.depth = w.depth()
      while (this.stack.length < this.depth) this.grow()
      this.stack.set(w.brackets.subarray(0, this.depth))
      if (last) {
        this.keep = keep
        return -1
      }
      // A token longer than the largest piece (a number of 256 KiB) is left to the JavaScript scan.
      if (keep === at && piece >= w.capacity) return this.runJs(b, at, eof, base)
      at = keep
      piece = Math.min(piece * 2, w.capacity)
    }
  }

  private runJs(b: Uint8Array, i: number, eof: boolean, base: number): number {
    const n = b.length
    let depth = this.depth
    let stack = this.stack
    // What the scan expects at `at`, the last place it could go on from.
    let mode = this.mode
    let at = i
    try {
      if (mode === STRING) {
        i = stringRest(b, i, eof, base)
        if (i < 0) throw new Pause(-i - 1, STRING)
        mode = this.stringIsName ? COLON_NEXT : AFTER_VALUE
      }
      if (mode === COLON_NEXT) {
        at = i
        i = colon(b, i, base)
        mode = VALUE
      } else if (mode === NAME) {
        i = this.name(b, i, eof, base)
        mode = VALUE
      }
      for (;;) {
        if (mode === VALUE) {
          at = i
          i = whitespace(b, i)
          const c = byteAt(b, i)
          if (c === QUOTE) {
            i = stringRest(b, i + 1, eof, base)
            if (i < 0) {
              this.stringIsName = false
              throw new Pause(-i - 1, STRING)
            }
          } else if (c === OPEN_OBJECT) {
            i = whitespace(b, i + 1)
            // Whether the object is empty is not known yet: the bracket is read again.
            if (i >= n && !eof) throw new Pause(at, VALUE)
            if (byteAt(b, i) === CLOSE_OBJECT) i++
            else {
              if (depth === stack.length) stack = this.grow()
              stack[depth++] = 1
              at = i
              mode = NAME
              i = this.name(b, i, eof, base)
              mode = VALUE
              continue
            }
          } else if (c === OPEN_ARRAY) {
            i = whitespace(b, i + 1)
            if (i >= n && !eof) throw new Pause(at, VALUE)
            if (byteAt(b, i) === CLOSE_ARRAY) i++
            else {
              if (depth === stack.length) stack = this.grow()
              stack[depth++] = 0
              continue
            }
          } else {
            const word = LITERALS[c]
            if (word) {
              for (let k = 0; k < word.length; k++) if (byteAt(b, i + k) !== word[k]) failAt(b, i + k, 'unexpected character', base)
              i += word.length
            } else i = number(b, i, base)
            // A number or literal that reaches the end of the bytes may go on in the next chunk.
            if (i >= n && !eof) throw new Pause(at, VALUE)
          }
        }
        // After a value: close brackets, or go on to the next element or member.
        mode = AFTER_VALUE
        for (;;) {
          if (depth === 0) return this.done(i)
          at = i
          i = whitespace(b, i)
          const inObject = stack[depth - 1] === 1
          const d = byteAt(b, i)
          if (d === COMMA) {
            i++
            if (inObject) {
              at = i
              mode = NAME
              i = this.name(b, i, eof, base)
            }
            mode = VALUE
            break
          }
          if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) failAt(b, i, 'unexpected character', base)
          depth--
          i++
        }
      }
    } catch (error) {
      if (error instanceof Pause) {
        this.mode = error.mode
        this.keep = error.at
      } else if (error instanceof JsonScanError && !eof && error.position - base >= n - LOOKAHEAD) {
        // Judged near the end of what is held: more bytes may change the verdict.
        this.mode = mode
        this.keep = at
      } else throw error
      this.depth = depth
      return -1
    }
  }

  /** `"name":` from `i` (before whitespace); after the colon. */
  private name(b: Uint8Array, i: number, eof: boolean, base: number): number {
    i = whitespace(b, i)
    if (byteAt(b, i) !== QUOTE) failAt(b, i, 'expected a string', base)
    const end = stringRest(b, i + 1, eof, base)
    if (end < 0) {
      this.stringIsName = true
      throw new Pause(-end - 1, STRING)
    }
    return colon(b, end, base)
  }

  private done(i: number): number {
    this.reset()
    return i
  }

  reset(): void {
    this.mode = VALUE
    this.depth = 0
  }

  private grow(): Uint8Array {
    const bigger = new Uint8Array(this.stack.length * 2)
    bigger.set(this.stack)
    return (this.stack = bigger)
  }
}

/**
 * How SkipScan scans: the first `minBytes` of a value in JavaScript, the rest in WebAssembly
 * (tests run both scans, and the WebAssembly one from the first byte).
 */
export const scanTuning = { wasm: true, minBytes: 512 }

/** The first piece the WebAssembly scan is given (doubled while a value goes on). */
const FIRST_PIECE = 4096

/** After a member name: the colon. */
function colon(b: Uint8Array, i: number, base: number): number {
  i = whitespace(b, i)
  if (byteAt(b, i) !== COLON) failAt(b, i, "expected ':'", base)
  return i + 1
}

/**
 * The end of a string whose content goes on at `i`; at the end of the bytes (and not `eof`),
 * -(p + 1) for the position p to go on from. Never reads past the end of `b`.
 */
function stringRest(b: Uint8Array, i: number, eof: boolean, base: number): number {
  const n = b.length
  for (;;) {
    // The hot loop: most of a plan's bytes are inside strings.
    let c = -1
    while (i < n) {
      c = b[i] as number
      if (c === QUOTE || c === BACKSLASH || c < 0x20) break
      i++
    }
    if (i >= n) {
      if (eof) failAt(b, i, '', base)
      return -i - 1
    }
    if (c === QUOTE) return i + 1
    if (c !== BACKSLASH) failAt(b, i, 'control character in a string', base)
    // An escape is judged whole: cut by the end of the bytes, it waits for the next chunk.
    const kind = i + 1 < n ? (ESCAPES[b[i + 1] as number] as number) : 0
    if (kind === 1) {
      i += 2
      continue
    }
    if (!eof && i + 5 >= n) return -i - 1
    if (kind === 2) {
      if (!(i + 5 < n && HEX[b[i + 2] as number] && HEX[b[i + 3] as number] && HEX[b[i + 4] as number] && HEX[b[i + 5] as number]))
        failAt(b, i + 1, 'bad \\u escape', base)
      i += 6
    } else failAt(b, i + 1, 'bad escape', base)
  }
}

function number(b: Uint8Array, i: number, base: number): number {
  if (byteAt(b, i) === MINUS) i++
  if (byteAt(b, i) === ZERO) i++
  else if (isDigit(byteAt(b, i))) while (isDigit(byteAt(b, ++i)));
  else failAt(b, i, 'unexpected character', base)
  if (byteAt(b, i) === DOT) {
    if (!isDigit(byteAt(b, ++i))) failAt(b, i, 'bad number', base)
    while (isDigit(byteAt(b, ++i)));
  }
  const e = byteAt(b, i)
  if (e === LOWER_E || e === UPPER_E) {
    i++
    const sign = byteAt(b, i)
    if (sign === PLUS || sign === MINUS) i++
    if (!isDigit(byteAt(b, i))) failAt(b, i, 'bad number', base)
    while (isDigit(byteAt(b, ++i)));
  }
  return i
}

const WHOLE = new SkipScan()

/** The end of the JSON value that starts at `i` (before whitespace), all of it in `b`. */
export function scanJson(b: Uint8Array, i = 0): number {
  // A scan that fails leaves its state behind; the next one starts afresh.
  WHOLE.reset()
  return WHOLE.run(b, i, true, 0)
}

/** The end (after the closing quote) of the string that starts at `i`, all of it in `b`. */
export function scanString(b: Uint8Array, i: number): number {
  if (byteAt(b, i) !== QUOTE) failAt(b, i, 'expected a string', 0)
  return stringRest(b, i + 1, true, 0)
}

function fail(b: Uint8Array, i: number, what: string): never {
  failAt(b, i, what, 0)
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
  const c = byteAt(b, i)
  if ('elements' in shape && c === OPEN_ARRAY) {
    const out: unknown[] = []
    i = whitespace(b, i + 1)
    if (byteAt(b, i) === CLOSE_ARRAY) return { value: out, end: i + 1 }
    for (;;) {
      const element = readShaped(b, i, shape.elements)
      out.push(element.value)
      i = whitespace(b, element.end)
      if (byteAt(b, i) === COMMA) {
        i++
        continue
      }
      if (byteAt(b, i) !== CLOSE_ARRAY) fail(b, i, 'unexpected character')
      return { value: out, end: i + 1 }
    }
  }
  if ('members' in shape && c === OPEN_OBJECT) {
    const entries: [string, unknown][] = []
    const seen = new Set<string>()
    i = whitespace(b, i + 1)
    if (byteAt(b, i) === CLOSE_OBJECT) return { value: {}, end: i + 1 }
    for (;;) {
      const nameStart = whitespace(b, i)
      const nameEnd = scanString(b, nameStart)
      const name = decodeName(b, nameStart, nameEnd)
      if (seen.has(name)) throw new JsonDuplicateMemberError(name, nameStart)
      seen.add(name)
      i = whitespace(b, nameEnd)
      if (byteAt(b, i) !== COLON) fail(b, i, "expected ':'")
      const how = Object.hasOwn(shape.members, name) ? shape.members[name] : undefined
      let end: number
      if (how === 'skip') end = scanJson(b, i + 1)
      else if (how) {
        const read = readShaped(b, i + 1, how)
        entries.push([name, read.value])
        end = read.end
      } else {
        const start = whitespace(b, i + 1)
        if (byteAt(b, start) === QUOTE) {
          // Most built members are plain strings (addresses, types, names): decoded without JSON.parse.
          end = scanString(b, start)
          entries.push([name, decodeName(b, start, end)])
        } else {
          end = scanJson(b, start)
          entries.push([name, JSON.parse(decode(b, start, end))])
        }
      }
      i = whitespace(b, end)
      if (byteAt(b, i) === COMMA) {
        i++
        continue
      }
      if (byteAt(b, i) !== CLOSE_OBJECT) fail(b, i, 'unexpected character')
      // fromEntries defines own properties, so a member named __proto__ stays a plain member.
      return { value: Object.fromEntries(entries), end: i + 1 }
    }
  }
  const end = scanJson(b, i)
  return { value: JSON.parse(decode(b, i, end)), end }
}
