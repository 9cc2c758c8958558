import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readShaped, scanTuning, SkipScan, type Shape } from '../src/json/index.js'
import { wasmScan } from '../src/json/wasm-scan.js'
import { chunkSize, damaged } from '../../../test/support/json-damage.js'
import { SCANS, scanWhole, skipInChunks, withScan } from '../../../test/support/skip-scan.js'

// SkipScan's WebAssembly scan against its JavaScript one: the same ends, the same refusals with
// the same words, for any chunking. The texts are made to reach the 16-byte steps inside strings
// (long strings, escapes and control characters anywhere in them) and the places a scan pauses.
const [JS, WASM] = SCANS

const longString = fc
  .array(fc.oneof(fc.string({ minLength: 10, maxLength: 40 }), fc.constantFrom('"', '\\', '\n', '\u0001', '\u007f', 'é', '\u2028')), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''))
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    longString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(true, false, null, 0, -1.5e-7),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(longString, tie('v'), { maxKeys: 4 }),
  ),
}))
const json = fc.tuple(value.v, fc.constantFrom(0, 1)).map(([v, indent]) => JSON.stringify(v, null, indent))
const texts = fc.oneof(json, damaged(json), damaged(damaged(json)))

describe('the WebAssembly scan (json/wasm/skip-scan.c)', () => {
  it('loads on this Node.js (else every scan would quietly be the JavaScript one)', () => {
    const w = wasmScan()
    expect(w).not.toBeNull()
    // The module itself, without scan.ts around it: the end of a value, a pause, a failure.
    const put = (s: string) => {
      w!.setState(0, 0, 0)
      w!.input.set(Buffer.from(s))
      return Buffer.byteLength(s)
    }
    expect(w!.scan(put('{"a":["x\\n",1e5,true]} '), 1)).toBe(22)
    expect(w!.scan(put('{"a":"cut'), 0)).toBe(-1)
    // Paused inside the string, to go on after `cut` with the next bytes.
    expect([w!.keep(), w!.mode()]).toEqual([9, 4])
    expect(w!.scan(put('{"a":"\u0001"}'), 1)).toBe(-2)
  })

  it('ends and fails exactly where the JavaScript scan does, with the same words, in chunks of any size', () => {
    fc.assert(
      fc.property(texts, chunkSize, (t, chunk) => {
        const expected = withScan(JS, () => skipInChunks(t, chunk))
        expect(withScan(WASM, () => skipInChunks(t, chunk))).toEqual(expected)
        expect(withScan(WASM, () => scanWhole(t))).toEqual(withScan(JS, () => scanWhole(t)))
      }),
      { numRuns: 3000 },
    )
  })

  it('reads in parts as before: readShaped with skipped members over damaged text', () => {
    const shape: Shape = { members: { keep: { members: { skip: 'skip' } }, skip: 'skip' } }
    const read = (t: string) => {
      try {
        return readShaped(Buffer.from(t), 0, shape)
      } catch (error) {
        return (error as Error).message
      }
    }
    const doc = fc.tuple(value.v, value.v).map(([a, b]) => JSON.stringify({ keep: { skip: a, other: 1 }, skip: b }))
    fc.assert(
      fc.property(fc.oneof(doc, damaged(doc)), (t) => {
        expect(withScan(WASM, () => read(t))).toEqual(withScan(JS, () => read(t)))
      }),
      { numRuns: 1500 },
    )
  })

  it('hands a value deeper than its bracket stack, and a number longer than its largest piece, to the JavaScript scan', () => {
    const w = wasmScan()!
    const deep = `${'['.repeat(w.stackCapacity + 10)}{"a":"${'x'.repeat(100)}"}${']'.repeat(w.stackCapacity + 10)}`
    const long = `[${'7'.repeat(w.capacity + 100)}]`
    for (const t of [deep, long, `${deep.slice(0, -3)}}]]`, `${long.slice(0, -1)}x]`])
      for (const chunk of [4096, 1 << 20])
        expect(withScan(WASM, () => skipInChunks(t, chunk))).toEqual(withScan(JS, () => skipInChunks(t, chunk)))
    expect(withScan(WASM, () => skipInChunks(deep, 1 << 20))).toBe(deep.length)
    expect(withScan(WASM, () => skipInChunks(long, 1 << 20))).toBe(long.length)
  })

  it('starts afresh after a failure, whichever scan found it', () => {
    // The WebAssembly scan paused inside the string (a piece ended there) before the JavaScript one found the error.
    const bad = `[[{"a":"${'x'.repeat(5000)}\u0001"}]]`
    const good = `[1,2,3]${' '.repeat(600)}`
    for (const tuning of [JS, WASM, { wasm: true, minBytes: 512 }]) {
      const scan = new SkipScan()
      withScan(tuning, () => {
        expect(() => scan.run(Buffer.from(bad), 0, true, 0)).toThrow('control character in a string at byte 5008')
        expect(scan.run(Buffer.from(good), 0, true, 0)).toBe(7)
      })
    }
  })

  it('scans the first 512 bytes of a value in JavaScript and the rest in WebAssembly, as the readers run it', () => {
    expect(scanTuning).toEqual({ wasm: true, minBytes: 512 })
    fc.assert(
      fc.property(texts, fc.constantFrom(1, 300, 4096, 1 << 20), (t, chunk) => {
        const padded = `[${JSON.stringify('p'.repeat(600))},${t}]`
        expect(withScan(scanTuning, () => skipInChunks(padded, chunk))).toEqual(withScan(JS, () => skipInChunks(padded, chunk)))
      }),
      { numRuns: 500 },
    )
  })
})
