import { JsonScanError, scanJson, scanTuning, SkipScan } from '@infra-actions/common/json-stream'

// SkipScan as the readers use it, for the tests that compare its two scans (JavaScript and
// WebAssembly) with each other and with JSON.parse.

const bytes = (s: string) => Buffer.from(s, 'utf8')

/** A scan of `text` in chunks of `chunk` bytes, as the reader does it: the end, or the error. */
export function skipInChunks(text: string, chunk: number): number | string {
  const all = bytes(text)
  const scan = new SkipScan()
  let held = Buffer.alloc(0)
  let base = 0
  let read = 0
  let i = 0
  try {
    for (;;) {
      const more = all.subarray(read, read + chunk)
      read += more.length
      held = Buffer.concat([held, more])
      const end = scan.run(held, i, read >= all.length, base)
      if (end >= 0) return base + end
      held = held.subarray(scan.keep)
      base += scan.keep
      i = 0
    }
  } catch (error) {
    if (error instanceof JsonScanError) return error.message
    throw error
  }
}

/** A scan of `text` held whole: the end, or the error. */
export function scanWhole(text: string): number | string {
  try {
    return scanJson(bytes(text), 0)
  } catch (error) {
    if (error instanceof JsonScanError) return error.message
    throw error
  }
}

/** The two scans, the WebAssembly one given every object and array, however small. */
export const SCANS = [
  { scan: 'JavaScript', wasm: false, minBytes: 0 },
  { scan: 'WebAssembly', wasm: true, minBytes: 0 },
] as const

/** Runs `f` with SkipScan set as `tuning` says. */
export function withScan<T>(tuning: { wasm: boolean; minBytes: number }, f: () => T): T {
  const before = { ...scanTuning }
  Object.assign(scanTuning, { wasm: tuning.wasm, minBytes: tuning.minBytes })
  try {
    return f()
  } finally {
    Object.assign(scanTuning, before)
  }
}
