import { SKIP_SCAN_WASM } from './wasm/skip-scan-wasm.js'

/**
 * The WebAssembly build of SkipScan's scan (wasm/skip-scan.c): its bytes checked 16 at a time
 * inside strings, where most of a plan's bytes are. scan.ts copies a piece of bytes in, sets the
 * scan's state, and reads the state back when it pauses; at any byte that is not JSON it says
 * FAILED and scan.ts's own scan judges the same bytes, so messages are unchanged.
 */
export interface WasmScan {
  /** Where the bytes to scan are copied (`capacity` of them at most). */
  readonly input: Uint8Array
  /** The open brackets: 1 an object, 0 an array (`stackCapacity` of them at most). */
  readonly brackets: Uint8Array
  readonly capacity: number
  readonly stackCapacity: number
  /** Scans `input[0..n)`: the end of the value, PAUSED (state and `keep()` set) or FAILED (state unchanged). */
  scan(n: number, eof: number): number
  setState(mode: number, isName: number, depth: number): void
  mode(): number
  isName(): number
  depth(): number
  keep(): number
}

/** What `scan` returns when a byte is not JSON (-1: paused, the bytes ended first). */
export const FAILED = -2

let loaded: WasmScan | null | undefined

// The part of the WebAssembly API used here (TypeScript's declarations of it are in the DOM library).
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

/** The module, instantiated on first use; null where WebAssembly is unavailable (`node --jitless`). */
export function wasmScan(): WasmScan | null {
  if (loaded !== undefined) return loaded
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly
    const e = new wasm.Instance(new wasm.Module(Buffer.from(SKIP_SCAN_WASM, 'base64')), {}).exports
    const fn = (name: string) => e[name] as (...args: number[]) => number
    const memory = e.memory as { buffer: ArrayBuffer }
    const capacity = fn('capacity')()
    const stackCapacity = fn('stackCapacity')()
    loaded = {
      input: new Uint8Array(memory.buffer, fn('input')(), capacity),
      brackets: new Uint8Array(memory.buffer, fn('brackets')(), stackCapacity),
      capacity,
      stackCapacity,
      scan: fn('scan'),
      setState: fn('setState'),
      mode: fn('mode'),
      isName: fn('isName'),
      depth: fn('depth'),
      keep: fn('keep'),
    }
  } catch {
    loaded = null
  }
  return loaded
}
