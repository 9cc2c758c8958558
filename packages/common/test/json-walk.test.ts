import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  bufferSource,
  EmptyDocumentError,
  JsonDuplicateMemberError,
  JsonScanError,
  readJsonWalking,
  type JsonPath,
  type JsonWalk,
} from '../src/json/index.js'
import { chunkSize, damaged } from '../../../test/support/json-damage.js'

// The streaming document reader (scan-report's results) against JSON.parse: the same values,
// the same refusals, whatever the chunk boundaries; taken elements handed over in order.

/**
 * Walks every container but the elements of arrays named `take` (built whole, so read in runs),
 * takes those elements, keeps the rest.
 */
function walkAll(taken: unknown[]): JsonWalk {
  return {
    walk: (path: JsonPath) => !(typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'take'),
    take: (path: JsonPath) => (path[path.length - 1] === 'take' ? (element) => (taken.push(element), true) : undefined),
  }
}

/** JSON.parse's reading, with every `take` array emptied and its elements collected in order. */
function expected(text: string): { value: unknown; taken: unknown[] } | 'refused' {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'refused'
  }
  const taken: unknown[] = []
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit)
    if (v === null || typeof v !== 'object') return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) {
      const take = k === 'take' && Array.isArray(x)
      if (take) taken.push(...x)
      const y = take ? [] : visit(x)
      Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return { value: visit(value), taken }
}

function walked(text: string, chunk: number): { value: unknown; taken: unknown[] } | 'refused' | 'duplicate' {
  const taken: unknown[] = []
  try {
    return { value: readJsonWalking(bufferSource(Buffer.from(text), chunk), walkAll(taken), { chunkSize: chunk }), taken }
  } catch (error) {
    if (error instanceof JsonDuplicateMemberError) return 'duplicate'
    if (error instanceof JsonScanError || error instanceof EmptyDocumentError) return 'refused'
    throw error
  }
}

const element = fc.oneof(
  { weight: 3, arbitrary: fc.record({ Target: fc.string({ maxLength: 6 }), v: fc.jsonValue({ maxDepth: 2 }) }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
)
const doc = fc.oneof(
  fc.record({ a: fc.jsonValue({ maxDepth: 2 }), take: fc.array(element, { maxLength: 12 }) }),
  fc.array(fc.record({ take: fc.array(element, { maxLength: 6 }), x: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 3 }),
  fc.jsonValue(),
)
const layout = fc.constantFrom(0, 2, 4)

describe('readJsonWalking (a document read as a stream, long arrays handed over element by element)', () => {
  it('reads what JSON.parse reads, compact or indented, for any chunking', () => {
    fc.assert(
      fc.property(doc, layout, chunkSize, (value, indent, chunk) => {
        const text = JSON.stringify(value, null, indent)
        expect(walked(text, chunk)).toEqual(expected(text))
      }),
      { numRuns: 1500 },
    )
  })

  it('refuses exactly what JSON.parse refuses, wherever the damage and the chunk boundaries are', () => {
    const texts = fc.tuple(doc, layout).map(([v, indent]) => JSON.stringify(v, null, indent))
    fc.assert(
      fc.property(damaged(texts), chunkSize, (text, chunk) => {
        const a = walked(text, chunk)
        // A name repeated in a walked object is refused, whatever JSON.parse would make of it.
        if (a === 'duplicate') return
        const e = expected(text)
        expect(a === 'refused').toBe(e === 'refused')
        if (a !== 'refused') expect(a).toEqual(e)
      }),
      { numRuns: 4000 },
    )
  })

  it('reads long arrays in runs: a boundary inside a string or a nested value is a wrong guess, not a wrong reading', () => {
    // The second element teaches the boundary `},{"Target":`; the strings and nested objects then
    // hold the same bytes where no element ends.
    const tricky = [
      { Target: 'a', v: 1 },
      { Target: 'b', v: '},{"Target":' },
      { Target: 'c', v: { w: [{ Target: 'nested' }, { Target: 'nested2' }] } },
      ...Array.from({ length: 3000 }, (_, i) => ({ Target: `t${i}`, v: i % 7 === 0 ? '},{"Target":"x"}' : i })),
    ]
    for (const indent of [0, 2]) {
      const text = JSON.stringify({ take: tricky }, null, indent)
      for (const chunk of [7, 4096, 1 << 20]) expect(walked(text, chunk)).toEqual(expected(text))
    }
  })

  it('costs linear time when later elements are unlike the first two (no boundary in reach is searched for once, not per element)', () => {
    // Two elements teach `},{"Target":`; 600,000 empty objects never show it. Searching the same
    // 256 KiB again for each took ~20 s here; once per window it takes well under one.
    const text = Buffer.from(`{"take":[{"Target":"a"},{"Target":"b"}${',{}'.repeat(600_000)}]}`)
    let n = 0
    readJsonWalking(bufferSource(text), { walk: (path) => path.length < 2, take: () => () => (n++, true) })
    expect(n).toBe(600_002)
  }, 5_000)

  it('hands each element over as it is read: the taker sees the members written before the array', () => {
    const text = JSON.stringify({ kind: 'image', take: [{ n: 1 }, { n: 2 }], after: true })
    const seen: unknown[] = []
    const value = readJsonWalking(bufferSource(Buffer.from(text), 3), {
      walk: () => true,
      take: (path, parents) => {
        const parent = parents[parents.length - 1] as Record<string, unknown>
        return path[0] === 'take' ? (e) => (seen.push({ e, kind: parent.kind, after: parent.after }), true) : undefined
      },
    })
    expect(seen).toEqual([
      { e: { n: 1 }, kind: 'image', after: undefined },
      { e: { n: 2 }, kind: 'image', after: undefined },
    ])
    expect(value).toEqual({ kind: 'image', take: [], after: true })
  })

  it('refuses a member written twice in a walked object, and keeps __proto__ a member', () => {
    expect(() => readJsonWalking(bufferSource(Buffer.from('{"take":[1],"take":[]}')), walkAll([]))).toThrow(JsonDuplicateMemberError)
    const value = readJsonWalking(bufferSource(Buffer.from('{"__proto__":{"polluted":1}}')), walkAll([])) as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('holds about one chunk and one element, not the document: 40 MB of elements in 64 KiB chunks', () => {
    const one = JSON.stringify({ Target: 'x'.repeat(100), v: 'y'.repeat(300) })
    const count = 100_000
    const text = Buffer.from(`{"take":[${Array.from({ length: count }, () => one).join(',')}]}`)
    let n = 0
    let grew = 0
    const source = bufferSource(text)
    const counting = {
      ...source,
      read: (into: Uint8Array, at: number, length: number) => ((grew = Math.max(grew, into.length)), source.read(into, at, length)),
    }
    readJsonWalking(counting, { walk: () => true, take: () => () => (n++, true) }, { chunkSize: 1 << 16 })
    expect(n).toBe(count)
    expect(grew).toBeLessThanOrEqual(1 << 19)
  })
})
