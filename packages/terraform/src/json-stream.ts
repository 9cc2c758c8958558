import { closeSync, fstatSync, readSync } from 'node:fs'
import { JsonScanError } from './json-scan.js'

/**
 * Reading JSON bytes in chunks: where they come from (`ByteSource`), the part of them held at a
 * time (`ByteWindow`), and a validating scan that can stop at the end of a chunk and go on with
 * the next (`SkipScan`), so a value of any size is checked without being held.
 */

/** Bytes read forward in chunks: a file, or bytes already in memory. */
export interface ByteSource {
  /** Reads up to `length` bytes into `into` at `at`; 0 at the end. */
  read(into: Uint8Array, at: number, length: number): number
  /** Reads the bytes at `position` of the whole (for messages about a place already passed). */
  readAt(into: Uint8Array, at: number, length: number, position: number): number
  /** The number of bytes in the whole. */
  size(): number
  close(): void
}

/** A file, read through its descriptor (which this source closes). */
export function fileSource(fd: number): ByteSource {
  let closed = false
  return {
    read: (into, at, length) => readSync(fd, into, at, length, null),
    readAt: (into, at, length, position) => readSync(fd, into, at, length, position),
    size: () => fstatSync(fd).size,
    close: () => {
      if (!closed) closeSync(fd)
      closed = true
    },
  }
}

/** Bytes in memory, handed out in chunks of at most `chunk` bytes (tests use tiny ones). */
export function bufferSource(bytes: Uint8Array, chunk = Number.POSITIVE_INFINITY): ByteSource {
  let at = 0
  const copy = (into: Uint8Array, to: number, length: number, position: number): number => {
    const n = Math.max(0, Math.min(length, bytes.length - position))
    into.set(bytes.subarray(position, position + n), to)
    return n
  }
  return {
    read: (into, to, length) => {
      const n = copy(into, to, Math.min(length, chunk), at)
      at += n
      return n
    },
    readAt: (into, to, length, position) => copy(into, to, length, position),
    size: () => bytes.length,
    close: () => undefined,
  }
}

/**
 * The bytes currently held: `b` is a view of them (reading past its end gives undefined, which
 * the scanners take as "no more here"), `base` the position of `b[0]` in the whole. `more(from)`
 * drops what is before `from` and reads on; positions in `b` then move down by `from`.
 */
export class ByteWindow {
  private buf: Buffer
  b: Buffer
  base = 0
  eof = false
  private length = 0

  constructor(
    private readonly source: ByteSource,
    chunk = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(16, chunk))
    this.b = this.buf.subarray(0, 0)
  }

  /**
   * Keeps `b[from…]` and appends what the source gives, growing the buffer when everything held
   * is still needed. false when the source had nothing more (then `eof` is set).
   */
  more(from: number): boolean {
    if (from > 0) {
      this.buf.copyWithin(0, from, this.length)
      this.length -= from
      this.base += from
      this.b = this.buf.subarray(0, this.length)
    }
    if (this.eof) return false
    if (this.length === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2)
      this.buf.copy(bigger, 0, 0, this.length)
      this.buf = bigger
    }
    const before = this.length
    // Fill it: a unit that did not fit is scanned again from its start, so each retry should
    // bring as much as the buffer holds (with doubling, a unit of any size costs linear time).
    while (this.length < this.buf.length) {
      const n = this.source.read(this.buf, this.length, this.buf.length - this.length)
      if (n === 0) {
        this.eof = true
        break
      }
      this.length += n
    }
    this.b = this.buf.subarray(0, this.length)
    return this.length > before
  }

  /**
   * Whether an error the scan found at `position` (in `b`) may be only the end of what is held:
   * near the end of it while the source has more. Such a unit is read again with more bytes.
   */
  cut(position: number): boolean {
    return !this.eof && position >= this.b.length - LOOKAHEAD
  }
}

/** The farthest a scan looks ahead of the byte it judges (`\uXXXX`). */
const LOOKAHEAD = 6

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

/** After a backslash: 1 for " \ / b f n r t, 2 for u. */
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

// Where a paused scan goes on: before a value, after one, before a member name, inside a string.
const VALUE = 0
const AFTER_VALUE = 1
const NAME = 2
const STRING = 3
const COLON_NEXT = 4

/** Thrown inside the scan when the bytes end before the token at hand does: it goes on from `at`. */
class Pause {
  constructor(
    readonly at: number,
    readonly inString: boolean,
  ) {}
}

/**
 * A validating scan of one JSON value that may stop anywhere and go on with the next chunk:
 * `run(b, i, eof, base)` returns where the value ends, or -1 when `b` ended first; then `keep` is
 * the first byte it still needs (a number or literal cut in two is scanned again whole, a string
 * goes on where it stopped) and the caller calls `run` again with the bytes from `keep` on at the
 * start. Checks what JSON.parse checks, builds nothing, holds one byte per open bracket. Errors
 * are JsonScanErrors at positions in the whole (`base` is where `b` starts), exactly where
 * json-scan.ts's scanJson reports them.
 */
export class SkipScan {
  private mode = VALUE
  private stringIsName = false
  // 1 = in an object, 0 = in an array.
  private stack: Uint8Array = new Uint8Array(64)
  private depth = 0
  keep = 0

  run(b: Uint8Array, i: number, eof: boolean, base: number): number {
    let depth = this.depth
    let stack = this.stack
    let mode = this.mode
    // The last place the scan could go on from, and what it expected there.
    let at = i
    try {
      if (mode === STRING) {
        i = stringRest(b, i, eof, base)
        mode = this.stringIsName ? COLON_NEXT : AFTER_VALUE
      }
      if (mode === COLON_NEXT) {
        at = i
        i = colon(b, i, base)
        mode = VALUE
      } else if (mode === NAME) {
        this.stringIsName = true
        i = colon(b, string(b, whitespace(b, i), eof, base), base)
        mode = VALUE
      }
      for (;;) {
        if (mode === VALUE) {
          at = i
          i = whitespace(b, i)
          const c = b[i]
          if (c === QUOTE) {
            this.stringIsName = false
            i = string(b, i, eof, base)
          } else if (c === OPEN_OBJECT) {
            i = whitespace(b, i + 1)
            // Whether the object is empty is not known yet: the bracket is read again.
            if (i >= b.length && !eof) throw new Pause(at, false)
            if (b[i] === CLOSE_OBJECT) i++
            else {
              if (depth === stack.length) stack = this.grow()
              stack[depth++] = 1
              at = i
              mode = NAME
              this.stringIsName = true
              i = colon(b, string(b, whitespace(b, i), eof, base), base)
              mode = VALUE
              continue
            }
          } else if (c === OPEN_ARRAY) {
            i = whitespace(b, i + 1)
            if (i >= b.length && !eof) throw new Pause(at, false)
            if (b[i] === CLOSE_ARRAY) i++
            else {
              if (depth === stack.length) stack = this.grow()
              stack[depth++] = 0
              continue
            }
          } else {
            const word = c === undefined ? undefined : LITERALS[c]
            if (word) {
              for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) failAt(b, i + k, 'unexpected character', base)
              i += word.length
            } else i = number(b, i, base)
            // A number or literal that reaches the end of the bytes may go on in the next chunk.
            if (i >= b.length && !eof) throw new Pause(at, false)
          }
        }
        // After a value: close brackets, or go on to the next element or member.
        mode = AFTER_VALUE
        for (;;) {
          if (depth === 0) return this.done(i)
          at = i
          i = whitespace(b, i)
          const inObject = stack[depth - 1] === 1
          const d = b[i]
          if (d === COMMA) {
            i++
            if (inObject) {
              at = i
              mode = NAME
              this.stringIsName = true
              i = colon(b, string(b, whitespace(b, i), eof, base), base)
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
        this.mode = error.inString ? STRING : mode
        this.keep = error.inString ? error.at : at
      } else if (error instanceof JsonScanError && !eof && error.position - base >= b.length - LOOKAHEAD) {
        // Judged near the end of what is held: more bytes may change the verdict.
        this.mode = mode
        this.keep = at
      } else throw error
      this.depth = depth
      return -1
    }
  }

  private done(i: number): number {
    this.mode = VALUE
    this.depth = 0
    return i
  }

  private grow(): Uint8Array {
    const bigger = new Uint8Array(this.stack.length * 2)
    bigger.set(this.stack)
    return (this.stack = bigger)
  }
}

function whitespace(b: Uint8Array, i: number): number {
  for (let c = b[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = b[++i]);
  return i
}

/** After a member name: the colon. */
function colon(b: Uint8Array, i: number, base: number): number {
  i = whitespace(b, i)
  if (b[i] !== COLON) failAt(b, i, "expected ':'", base)
  return i + 1
}

/** The end of the string that starts at `i`. */
function string(b: Uint8Array, i: number, eof: boolean, base: number): number {
  if (b[i] !== QUOTE) failAt(b, i, 'expected a string', base)
  return stringRest(b, i + 1, eof, base)
}

/** The end of a string whose content goes on at `i`; pauses (throws Pause) at the end of the bytes. */
function stringRest(b: Uint8Array, i: number, eof: boolean, base: number): number {
  const n = b.length
  for (;;) {
    let c = b[i]
    // The hot loop: most of a plan's bytes are inside strings.
    while (c !== QUOTE && c !== BACKSLASH && c !== undefined && c >= 0x20) c = b[++i]
    if (c === QUOTE) return i + 1
    if (c === undefined) {
      if (eof) failAt(b, i, '', base)
      throw new Pause(i, true)
    }
    if (c !== BACKSLASH) failAt(b, i, 'control character in a string', base)
    // An escape is judged whole: cut by the end of the bytes, it waits for the next chunk.
    if (!eof && i + 5 >= n && !(i + 1 < n && ESCAPES[b[i + 1] as number] === 1)) throw new Pause(i, true)
    const kind = ESCAPES[b[i + 1] ?? 0]
    if (kind === 1) i += 2
    else if (kind === 2) {
      if (!(HEX[b[i + 2] ?? 0] && HEX[b[i + 3] ?? 0] && HEX[b[i + 4] ?? 0] && HEX[b[i + 5] ?? 0])) failAt(b, i + 1, 'bad \\u escape', base)
      i += 6
    } else failAt(b, i + 1, 'bad escape', base)
  }
}

function failAt(b: Uint8Array, at: number, what: string, base: number): never {
  throw new JsonScanError(at >= b.length ? 'unexpected end of JSON' : what, base + at)
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE

function number(b: Uint8Array, i: number, base: number): number {
  if (b[i] === MINUS) i++
  if (b[i] === ZERO) i++
  else if (isDigit(b[i])) while (isDigit(b[++i]));
  else failAt(b, i, 'unexpected character', base)
  if (b[i] === DOT) {
    if (!isDigit(b[++i])) failAt(b, i, 'bad number', base)
    while (isDigit(b[++i]));
  }
  if (b[i] === LOWER_E || b[i] === UPPER_E) {
    i++
    if (b[i] === PLUS || b[i] === MINUS) i++
    if (!isDigit(b[i])) failAt(b, i, 'bad number', base)
    while (isDigit(b[++i]));
  }
  return i
}
