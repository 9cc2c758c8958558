import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { deserialize, serialize } from 'node:v8'
import type { DeferredText } from '@infra-actions/common'
import type { RecordStore, RecordStores, TextSpool } from './render.js'

/**
 * Files that hold what a large plan's rendering keeps for later, so that its memory follows one
 * change at a time, not the plan: the records read from each change until every secret is known
 * (PlanRenderer), and the large rendered texts a budget may show again. In a directory of its
 * own under RUNNER_TEMP (0700, files 0600: the records hold sensitive values before masking),
 * removed by `close()`; the runner removes RUNNER_TEMP after the job in any case.
 */
export class Spool implements RecordStores, TextSpool {
  private readonly dir: string
  private readonly files: SpoolFile[] = []
  private texts: SpoolFile | undefined

  constructor(parent: string) {
    this.dir = mkdtempSync(path.join(parent, 'spool-'))
  }

  store<T>(name: string): RecordStore<T> {
    const file = this.open(`${name}.records`)
    let count = 0
    return {
      push: (record: T) => {
        // v8's structured serialization keeps every value as it was (-0, large numbers, undefined).
        const bytes = serialize(record)
        const head = Buffer.allocUnsafe(4)
        head.writeUInt32LE(bytes.length)
        file.append(head)
        file.append(bytes)
        count++
      },
      get count() {
        return count
      },
      read: () => records<T>(file),
    }
  }

  keep(text: string): DeferredText {
    this.texts ??= this.open('texts')
    const file = this.texts
    const bytes = Buffer.from(text, 'utf8')
    const at = file.append(bytes)
    return { chars: text.length, bytes: bytes.length, render: () => file.read(at, bytes.length).toString('utf8') }
  }

  close(): void {
    for (const f of this.files) f.close()
    rmSync(this.dir, { recursive: true, force: true })
  }

  private open(name: string): SpoolFile {
    const f = new SpoolFile(path.join(this.dir, name))
    this.files.push(f)
    return f
  }
}

/** The records of a store, in the order written, read back a chunk at a time. */
function* records<T>(file: SpoolFile): Generator<T> {
  let at = 0
  let held = Buffer.alloc(0)
  for (;;) {
    let k = 0
    while (k + 4 <= held.length) {
      const length = held.readUInt32LE(k)
      if (k + 4 + length > held.length) break
      yield deserialize(held.subarray(k + 4, k + 4 + length)) as T
      k += 4 + length
    }
    if (at >= file.size) return
    const need = k + 4 <= held.length ? held.readUInt32LE(k) + 4 : 4
    const chunk = file.read(at, Math.max(CHUNK, need))
    at += chunk.length
    held = Buffer.concat([held.subarray(k), chunk])
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

  read(at: number, length: number): Buffer {
    this.flush()
    const out = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.written - at)))
    for (let got = 0; got < out.length; ) {
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
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done)
    this.written += bytes.length
  }
}
