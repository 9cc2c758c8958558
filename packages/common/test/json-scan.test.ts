import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonDuplicateMemberError, JsonScanError, readShaped, scanJson, type Shape } from '../src/json/index.js'

const bytes = (s: string) => Buffer.from(s, 'utf8')

describe('scanJson', () => {
  it('finds the end of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent)
        expect(scanJson(bytes(`${text} ,rest`))).toBe(Buffer.byteLength(text))
      }),
      { numRuns: 500 },
    )
  })
})

describe('readShaped (reading in parts, some members skipped)', () => {
  const CHANGE: Shape = { elements: { members: { change: { members: { before: 'skip', after: 'skip' } } } } }
  /** JSON.parse's value with the skipped members removed, or 'refused' / 'duplicate'. */
  function oracle(text: string): unknown {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return 'refused'
    }
    if (!Array.isArray(value)) return value
    return value.map((e) => {
      if (e === null || typeof e !== 'object' || Array.isArray(e) || !('change' in e)) return e
      const c = (e as { change: unknown }).change
      if (c === null || typeof c !== 'object' || Array.isArray(c)) return e
      const { before: _b, after: _a, ...rest } = c as Record<string, unknown>
      return { ...e, change: rest }
    })
  }
  function read(text: string): unknown {
    try {
      const { value, end } = readShaped(bytes(text), 0, CHANGE)
      if (end !== bytes(text).length && text.slice(end).trim() !== '') return 'refused'
      return value
    } catch (error) {
      if (error instanceof JsonScanError) return 'refused'
      if (error instanceof JsonDuplicateMemberError) return 'duplicate'
      throw error
    }
  }
  const changeLike = fc.array(
    fc.oneof(
      fc.record({
        address: fc.string(),
        change: fc.record({ actions: fc.array(fc.string()), before: fc.jsonValue(), after: fc.jsonValue() }),
      }),
      fc.jsonValue(),
    ),
    { maxLength: 4 },
  )

  it('builds what JSON.parse builds, less the skipped members', () => {
    fc.assert(
      fc.property(changeLike, (value) => {
        const text = JSON.stringify(value)
        expect(read(text)).toEqual(oracle(text))
      }),
      { numRuns: 1000 },
    )
  })

  it('refuses exactly what JSON.parse refuses, wherever the damage is (skipped members included)', () => {
    const damaged = fc
      .tuple(
        changeLike,
        fc.nat(),
        fc.constantFrom('', '"', '\\', '{', '}', '[', ']', ',', ':', '\u0001', 'x', '0', '-', 't'),
        fc.constantFrom(0, 1),
      )
      .map(([value, at, c, replace]) => {
        const text = JSON.stringify(value)
        const i = at % (text.length + 1)
        return text.slice(0, i) + c + text.slice(i + replace)
      })
    fc.assert(
      fc.property(damaged, (text) => {
        const r = read(text)
        if (r === 'duplicate') return
        expect(r === 'refused').toBe(oracle(text) === 'refused')
      }),
      { numRuns: 3000 },
    )
  })

  it('refuses a member named twice at every level it reads in parts, and in a skipped member’s place', () => {
    expect(read('[{"address":"a","address":"b","change":{}}]')).toBe('duplicate')
    expect(read('[{"address":"a","change":{"actions":["delete"],"actions":["no-op"]}}]')).toBe('duplicate')
    expect(read('[{"address":"a","change":{"before":1,"before":2}}]')).toBe('duplicate')
    // Inside a member that is built whole (here `actions`' values), JSON.parse decides, as before.
    expect(read('[{"address":"a","change":{"x":{"k":1,"k":2}}}]')).toEqual([{ address: 'a', change: { x: { k: 2 } } }])
  })

  it('keeps member names that are Object.prototype names as plain members', () => {
    const value = read('[{"__proto__":{"polluted":1},"constructor":1,"change":{"__proto__":2}}]') as Record<string, unknown>[]
    expect(Object.getPrototypeOf(value[0])).toBe(Object.prototype)
    expect(Object.keys(value[0]!)).toEqual(['__proto__', 'constructor', 'change'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
