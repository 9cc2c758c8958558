import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import type { DeferredText } from '@infra-actions/common'
import type { TextSpool } from './render.js'

/**
 * A file that holds the large rendered texts of a plan (an item's attribute tables) from the
 * moment each change is rendered until the full rendering is written and the budgets have taken
 * what they show, so the rendering's memory follows one change at a time, not the plan. In a
 * directory of its own under RUNNER_TEMP (0700, the file 0600: texts are scrubbed of secrets only
 * when written out), removed by `close()`; the runner removes RUNNER_TEMP after the job anyway.
 */
export class Spool implements TextSpool {
  private readonly dir: string
  private readonly files = new Map<string, SpoolFile>()

  constructor(parent: string) {
    this.dir = mkdtempSync(path.join(parent, 'spool-'))
  }

  /** One file per stream (a group of the rendering), so reading a group back reads one file in order. */
  keep(text: string, stream = 'texts'): DeferredText {
    let file = this.files.get(stream)
    if (!file) this.files.set(stream, (file = new SpoolFile(path.join(this.dir, `${this.files.size}.md`))))
    const at = file.append(Buffer.from(text, 'utf8'))
    // Only numbers in the closure: capturing the Buffer kept every spooled text in memory.
    const length = file.size - at
    return { chars: text.length, bytes: length, render: () => file.read(at, length).toString('utf8') }
  }

  close(): void {
    for (const f of this.files.values()) f.close()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

const CHUNK = 1 << 20

/** A file written at its end through a buffer, and read anywhere. */
class SpoolFile {
  private readonly fd: number
  private buffer = Buffer.allocUnsafe(CHUNK)
  private buffered = 0
  private written = 0

  constructor(file: string) {
    this.fd = openSync(file, 'w+', 0o600)
  }

  /** Bytes in the file, the buffered ones included. */
  get size(): number {
    return this.written + this.buffered
  }

  /** Appends `bytes`; where they start. */
  append(bytes: Uint8Array): number {
    const at = this.size
    if (this.buffered + bytes.length > this.buffer.length) this.flush()
    if (bytes.length > this.buffer.length) this.writeAll(bytes)
    else {
      this.buffer.set(bytes, this.buffered)
      this.buffered += bytes.length
    }
    return at
  }

  // The last chunk read: the full rendering reads the texts back one after another.
  private cache: Buffer = Buffer.alloc(0)
  private cacheAt = 0

  read(at: number, length: number): Buffer {
    if (at >= this.cacheAt && at + length <= this.cacheAt + this.cache.length) {
      return Buffer.from(this.cache.subarray(at - this.cacheAt, at - this.cacheAt + length))
    }
    this.flush()
    if (length < CHUNK) {
      this.cache = this.readRaw(at, CHUNK)
      this.cacheAt = at
      return Buffer.from(this.cache.subarray(0, Math.min(length, this.cache.length)))
    }
    return this.readRaw(at, length)
  }

  private readRaw(at: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.written - at)))
    for (let got = 0; got < out.length;) {
      const n = readSync(this.fd, out, got, out.length - got, at + got)
      if (n === 0) break
      got += n
    }
    return out
  }

  close(): void {
    closeSync(this.fd)
  }

  private flush(): void {
    if (this.buffered === 0) return
    const pending = this.buffer.subarray(0, this.buffered)
    this.buffered = 0
    this.writeAll(pending)
  }

  private writeAll(bytes: Uint8Array): void {
    // A write may be short (a full disk fails with an error instead); write the rest.
    for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done)
    this.written += bytes.length
  }
}
