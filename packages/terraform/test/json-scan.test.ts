import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JsonScanError, parseObjectSkipping, scanJson, SKIPPED } from '../src/index.js'

const SKIP = new Set(['variables', 'planned_values', 'prior_state', 'configuration'])
const bytes = (s: string) => Buffer.from(s, 'utf8')

/** What JSON.parse makes of the text, with the skipped members replaced: the expected result. */
function expected(text: string): Record<string, unknown> | 'refused' {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'refused'
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'refused'
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SKIP.has(k) ? SKIPPED : v]))
}

function actual(text: string): Record<string, unknown> | 'refused' {
  try {
    return parseObjectSkipping(bytes(text), SKIP)
  } catch (error) {
    if (error instanceof JsonScanError) return 'refused'
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
const planLike = fc
  .array(member, { maxLength: 8 })
  .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`)
const pretty = planLike.map((t) => JSON.stringify(JSON.parse(t) as unknown, null, 2))

describe('parseObjectSkipping', () => {
  it('reads what JSON.parse reads, with the skipped members left unbuilt', () => {
    fc.assert(
      fc.property(fc.oneof(planLike, pretty), (text) => {
        expect(actual(text)).toEqual(expected(text))
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

  it('keeps the last of a repeated member, as JSON.parse does', () => {
    const text = '{"errored":false,"prior_state":{},"errored":true}'
    expect(parseObjectSkipping(bytes(text), SKIP)).toEqual({ errored: true, prior_state: SKIPPED })
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
