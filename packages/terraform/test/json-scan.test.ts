import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonDuplicateMemberError, JsonScanError, parseObjectSkipping, readShaped, scanJson, SKIPPED, type Shape } from '../src/index.js'

const SKIP = new Set(['variables', 'planned_values', 'prior_state', 'configuration'])
const READ = ['format_version', 'resource_changes', 'output_changes', 'errored', 'x']
const bytes = (s: string) => Buffer.from(s, 'utf8')

/** What JSON.parse makes of the text, with the skipped members replaced: the expected result. */
function expected(text: string, names?: string[]): Record<string, unknown> | 'refused' | 'duplicate' {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'refused'
  }
  if (names && new Set(names).size < names.length) return 'duplicate'
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'refused'
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SKIP.has(k) ? SKIPPED : v]))
}

function actual(text: string): Record<string, unknown> | 'refused' | 'duplicate' {
  try {
    return parseObjectSkipping(bytes(text), SKIP, { separate: READ })
  } catch (error) {
    if (error instanceof JsonScanError) return 'refused'
    if (error instanceof JsonDuplicateMemberError) return 'duplicate'
    throw error
  }
}

// Plan-shaped objects: some members skipped, some read, in any order, with values of any JSON.
const member = fc.tuple(
  fc.constantFrom(
    'format_version',
    'resource_changes',
    'output_changes',
    'errored',
    'variables',
    'planned_values',
    'prior_state',
    'configuration',
    'x',
  ),
  fc.jsonValue(),
)
const planMembers = fc.array(member, { maxLength: 8 })
const text = (members: [string, unknown][]) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
const planLike = planMembers.map(text)
const pretty = (members: [string, unknown][]) => JSON.stringify(JSON.parse(text(members)) as unknown, null, 2).replace(/^\{\n/, '{\n')

describe('parseObjectSkipping', () => {
  it('reads what JSON.parse reads, with the skipped members left unbuilt, and refuses a repeated name', () => {
    fc.assert(
      fc.property(planMembers, fc.boolean(), (members, indent) => {
        const names = members.map(([k]) => k)
        // JSON.stringify of a parsed object has each name once: the pretty form has no repeats.
        const t = indent ? pretty(members) : text(members)
        expect(actual(t)).toEqual(expected(t, indent ? [...new Set(names)] : names))
      }),
      { numRuns: 1000 },
    )
  })

  it('refuses exactly what JSON.parse refuses, wherever the damage is', () => {
    // One character deleted, replaced or inserted anywhere, often inside a skipped member.
    const damaged = fc
      .tuple(
        planLike,
        fc.nat(),
        fc.constantFrom('', '"', '\\', '{', '}', '[', ']', ',', ':', '\u0001', '\n', 'x', '0', '-', '.', 'e', 't', 'n', '\\u12', ' '),
        fc.constantFrom(0, 1),
      )
      .map(([text, at, c, replace]) => {
        const i = at % (text.length + 1)
        return text.slice(0, i) + c + text.slice(i + replace)
      })
    fc.assert(
      fc.property(damaged, (text) => {
        const a = actual(text)
        const e = expected(text)
        // A repeated name is refused whatever JSON.parse makes of the document (it would merge it).
        if (a === 'duplicate') return
        expect(a === 'refused').toBe(e === 'refused')
        if (a !== 'refused') expect(a).toEqual(e)
      }),
      { numRuns: 3000 },
    )
  })

  it('refuses damage inside a skipped member that JSON.parse would refuse', () => {
    for (const bad of [
      'tru',
      'nul',
      '01',
      '1.',
      '-',
      '1e',
      '.5',
      '+1',
      '"a\u0001b"',
      '"\\x"',
      '"\\u12"',
      '"open',
      '[1,]',
      '{"a":1,}',
      '{"a" 1}',
      '{1:2}',
      '[1 2]',
      "'a'",
      'NaN',
      '\u00a01',
    ]) {
      const text = `{"resource_changes":[],"prior_state":${bad},"errored":false}`
      expect(() => JSON.parse(text), bad).toThrow()
      expect(() => parseObjectSkipping(bytes(text), SKIP), bad).toThrow(JsonScanError)
    }
  })

  it('is not misled by a skipped member name nested inside a member it reads', () => {
    // The fast path guesses that the run of read members ends at `,"prior_state":`; this one is
    // nested, so the guess fails and the member is scanned instead.
    const rc = [{ address: 'a', change: { after: { x: 1, prior_state: { y: 2 }, configuration: [1] } } }]
    const text = JSON.stringify({
      format_version: '1.2',
      resource_changes: rc,
      output_changes: {},
      prior_state: { values: {} },
      errored: false,
    })
    expect(text).toContain(',"prior_state":{"y"')
    expect(parseObjectSkipping(bytes(text), SKIP)).toEqual({
      format_version: '1.2',
      resource_changes: rc,
      output_changes: {},
      prior_state: SKIPPED,
      errored: false,
    })
  })

  it('refuses a repeated member instead of keeping the last, as JSON.parse would', () => {
    expect(actual('{"errored":false,"prior_state":{},"errored":true}')).toBe('duplicate')
    expect(actual('{"resource_changes":[1],"resource_changes":[]}')).toBe('duplicate')
    expect(actual('{"prior_state":{},"prior_state":{}}')).toBe('duplicate')
  })

  it('keeps a member named __proto__ as a plain member', () => {
    const result = parseObjectSkipping(bytes('{"__proto__":{"polluted":1},"a":1}'), SKIP)
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
    expect(Object.hasOwn(result, '__proto__')).toBe(true)
    expect((result as { polluted?: unknown }).polluted).toBeUndefined()
  })

  it('reads multi-byte UTF-8 and escaped names', () => {
    const text = '{"n\\u0061me":"Zürich 🚀","prior_state":{"k":"日本語\\n"}}'
    expect(parseObjectSkipping(bytes(text), SKIP)).toEqual({ name: 'Zürich 🚀', prior_state: SKIPPED })
  })

  it('gives the borrowed bytes back unchanged', () => {
    const text = '{"format_version":"1.2","resource_changes":[1],"prior_state":{"a":[1,2]},"errored":false}'
    const b = bytes(text)
    parseObjectSkipping(b, SKIP)
    expect(b.toString('utf8')).toBe(text)
  })

  it('scans deep nesting without a stack overflow', () => {
    const depth = 200_000
    const text = `{"prior_state":${'['.repeat(depth)}${']'.repeat(depth)},"errored":false}`
    expect(parseObjectSkipping(bytes(text), SKIP)).toEqual({ prior_state: SKIPPED, errored: false })
    expect(() => parseObjectSkipping(bytes(`{"prior_state":${'['.repeat(depth)}${']'.repeat(depth - 1)},"errored":false}`), SKIP)).toThrow(
      JsonScanError,
    )
  })

  it('refuses a byte order mark, text around the object, and an empty input', () => {
    for (const text of ['\ufeff{}', '{} {}', '{}x', '', '   ', '[]', '"{}"', '{"a":1']) {
      expect(() => parseObjectSkipping(bytes(text), SKIP), JSON.stringify(text)).toThrow(JsonScanError)
    }
  })
})

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
