import { createHash, type Hash } from 'node:crypto'
import { closeSync, fstatSync, readSync } from 'node:fs'
import { LOOKAHEAD } from './json-scan.js'

/**
 * Reading JSON bytes in chunks: where they come from (`ByteSource`) and the part of them held at
 * a time (`ByteWindow`). json-scan.ts's SkipScan goes on from one chunk to the next, so a value of
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
