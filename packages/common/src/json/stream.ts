import { createHash, type Hash } from 'node:crypto'
import { closeSync, fstatSync, readSync } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { unreadable } from '../files.js'
import { decodeName, JsonDuplicateMemberError, JsonScanError, LOOKAHEAD, scanJson, scanString, SkipScan, whitespace } from './scan.js'

/**
 * Reading JSON bytes in chunks: where they come from (`ByteSource`) and the part of them held at
 * a time (`ByteWindow`), and a position in them (`Cursor`). scan.ts's SkipScan goes on from one chunk to the next, so a value of
 * any size is checked without being held.
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

/**
 * A file, read through its descriptor (which this source closes). A read that fails (EIO: a
 * device, `/proc/self/mem`) is a ConfigurationError that starts with `what`. Its size is what
 * fstat says or, when more was read (files of /proc say 0), how far it was read.
 */
export function fileSource(fd: number, what: string): ByteSource {
  let closed = false
  let far = 0
  const read = (into: Uint8Array, at: number, length: number, position: number | null): number => {
    try {
      return readSync(fd, into, at, length, position)
    } catch (error) {
      throw unreadable(error, what)
    }
  }
  return {
    read: (into, at, length) => {
      const n = read(into, at, length, null)
      far += n
      return n
    },
    readAt: (into, at, length, position) => read(into, at, length, position),
    size: () => Math.max(fstatSync(fd).size, far),
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
  /** A digest of the bytes from `b[hashAt]` on, fed as they are dropped (`more`) and at its end. */
  private hash: Hash | undefined
  private hashAt = 0

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
    if (this.hash && from > this.hashAt) this.hash.update(this.buf.subarray(this.hashAt, from))
    this.hashAt = Math.max(0, this.hashAt - from)
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

  /** Starts a digest (SHA-256) of the bytes from `b[i]` on. */
  startDigest(i: number): void {
    this.hash = createHash('sha256')
    this.hashAt = i
  }

  /** The digest of the bytes from where it started to `b[i]` (hex). */
  endDigest(i: number): string {
    const hash = this.hash as Hash
    hash.update(this.buf.subarray(this.hashAt, i))
    this.hash = undefined
    return hash.digest('hex')
  }

  /**
   * Whether an error the scan found at `position` (in `b`) may be only the end of what is held:
   * near the end of it while the source has more. Such a unit is read again with more bytes.
   */
  cut(position: number): boolean {
    return !this.eof && position >= this.b.length - LOOKAHEAD
  }
}

/**
 * The bytes of `source` from `start` to `end` (by default to its end, however long it grows
 * while read). Closing it leaves `source` open.
 */
export function rangeSource(source: ByteSource, start: number, end = Number.POSITIVE_INFINITY): ByteSource {
  let at = start
  return {
    read: (into, to, length) => {
      const n = source.readAt(into, to, Math.min(length, end - at), at)
      at += n
      return n
    },
    readAt: (into, to, length, position) => source.readAt(into, to, Math.min(length, end - start - position), start + position),
    size: () => Math.min(end, source.size()) - start,
    close: () => undefined,
  }
}

/** A position in the window, moved on as bytes are read; the window read on as needed. */
export class Cursor {
  i = 0

  constructor(readonly w: ByteWindow) {}

  /** The byte at the cursor (undefined past the end of what is held). */
  byte(): number | undefined {
    return this.w.b[this.i]
  }

  /** The cursor's position in the whole. */
  abs(): number {
    return this.w.base + this.i
  }

  /** Skips whitespace, reading on; false at the end of the document. */
  space(): boolean {
    for (;;) {
      this.i = whitespace(this.w.b, this.i)
      if (this.i < this.w.b.length) return true
      const from = this.i
      const more = this.w.more(from)
      this.i -= from
      if (!more) return false
    }
  }

  /** A member's name at the cursor, and the cursor past its colon and the whitespace after. */
  memberName(): string {
    const name = this.unit((b, i) => {
      const end = scanString(b, i)
      return { value: decodeName(b, i, end), end }
    })
    this.space()
    if (this.byte() !== COLON) this.fail("expected ':'")
    this.i++
    this.space()
    return name
  }

  /** After an element or member: true past a comma (another follows), false past `close`. */
  next(close: number): boolean {
    this.space()
    const d = this.byte()
    if (d !== COMMA && d !== close) this.fail('unexpected character')
    this.i++
    return d === COMMA
  }

  fail(what: string): never {
    throw new JsonScanError(this.i >= this.w.b.length ? 'unexpected end of JSON' : what, this.abs())
  }

  /**
   * A value read whole by `read` (which throws json-scan's errors at positions in `b`). When it
   * runs into the end of what is held, it is read again with more: the window grows to hold it.
   */
  unit<T>(read: (b: Buffer, i: number) => { value: T; end: number }): T {
    for (;;) {
      try {
        const { value, end } = read(this.w.b, this.i)
        // A number that ends where the bytes end may go on in the next chunk.
        if (end < this.w.b.length || this.w.eof) {
          this.i = end
          return value
        }
      } catch (error) {
        if (error instanceof JsonScanError) {
          if (!this.w.cut(error.position)) throw new JsonScanError(error.reason, this.w.base + error.position)
        } else if (error instanceof JsonDuplicateMemberError) {
          throw new JsonDuplicateMemberError(error.member, this.w.base + error.position)
        } else throw error
      }
      const from = this.i
      this.w.more(from)
      this.i -= from
    }
  }

  /** Validates the value at the cursor and moves past it, holding one chunk at a time. */
  skip(): void {
    const scan = new SkipScan()
    for (;;) {
      const end = scan.run(this.w.b, this.i, this.w.eof, this.w.base)
      if (end >= 0) {
        this.i = end
        return
      }
      this.w.more(scan.keep)
      this.i = 0
    }
  }
}

const COMMA = 0x2c
const COLON = 0x3a

/** The document is empty or only whitespace. */
export class EmptyDocumentError extends Error {}

/** One value at `i`, checked by the scan and built by JSON.parse: a reader for `Cursor.unit`. */
export function parseValue(b: Buffer, i: number): { value: unknown; end: number } {
  const end = scanJson(b, i)
  return { value: JSON.parse(b.toString('utf8', i, end)), end }
}

/**
 * Several elements of an array at once, from the cursor (at the start of an element) up to the
 * last `boundary` within `maxBytes`: the bytes between one element and the next, such as
 * `},{"address":`, whose first byte ends an element. One JSON.parse of the run proves the guess:
 * a boundary inside a string or a nested value leaves a quote or a bracket open. Returns the
 * elements and the index in `c.w.b` just past the last (the caller moves the cursor there), or
 * a position in the whole before which no run is to be tried again: the end of what was searched
 * when no boundary is in reach (elements unlike the first two: searching the same bytes again
 * for each would cost quadratic time), or the boundary when the guess was wrong (damage, or the
 * bytes inside a value), which reading element by element then sorts out.
 */
export function parseRun(c: Cursor, boundary: Uint8Array, maxBytes: number): { elements: unknown[]; end: number } | number {
  const b = c.w.b
  const from = c.i
  const limit = Math.min(b.length, from + maxBytes)
  const searched = c.w.base + limit - boundary.length
  if (limit - from < boundary.length) return searched
  const at = b.lastIndexOf(boundary, limit - boundary.length)
  if (at < from) return searched
  try {
    return { elements: JSON.parse(`[${b.toString('utf8', from, at + 1)}]`) as unknown[], end: at + 1 }
  } catch {
    return c.w.base + at
  }
}

const CHUNK = 1 << 20

/** The bytes of `source` at `position` (fewer at its end). */
export function bytesAt(source: ByteSource, position: number, length: number): Buffer {
  const out = Buffer.alloc(length)
  return out.subarray(0, source.readAt(out, 0, length, position))
}

/**
 * What is wrong with JSON a scan refused, said by position, never by quoting the text there:
 * "it ends early (truncated?) …" when it stopped at the end, else "malformed JSON at line 3,
 * column 14: unexpected character."
 */
export function jsonDamage(source: ByteSource, error: JsonScanError): string {
  const size = source.size()
  if (error.position >= size) return `it ends early (truncated?): the JSON stops at byte ${size} with brackets or a string still open.`
  return `malformed JSON at ${lineAndColumn(source, error.position)}: ${error.reason}.`
}

/**
 * "line 3, column 14" of a byte position (the column in UTF-16 units of the decoded text). Said
 * by position, never by quoting the text there (as JSON.parse's messages do): the files we read
 * hold secrets, and messages go to the log.
 */
export function lineAndColumn(source: ByteSource, position: number): string {
  const decoder = new StringDecoder('utf8')
  let line = 1
  let column = 1
  const count = (text: string): void => {
    let last = -1
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) {
      line++
      last = k
    }
    column = last >= 0 ? text.length - last : column + text.length
  }
  for (let at = 0; at < position; at += CHUNK) {
    const chunk = bytesAt(source, at, Math.min(CHUNK, position - at))
    if (chunk.length === 0) break
    count(decoder.write(chunk))
  }
  count(decoder.end())
  return `line ${line}, column ${column}`
}
