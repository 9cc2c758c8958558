import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  analyzePlan,
  ChangedWhileReadError,
  parsePlanText,
  PlanBuilder,
  readPlanDocument,
  READ_PLAN_SECTIONS,
  readPlanStream,
  readSection,
  type ChangeSection,
} from '../src/index.js'
import { bufferSource, JsonDuplicateMemberError, JsonScanError, SKIPPED } from '@infra-actions/common/json-stream'
import { chunkSize, damaged } from '../../../test/support/json-damage.js'
import { SCANS, scanWhole, skipInChunks, withScan } from '../../../test/support/skip-scan.js'
import { oldParsePlanText } from './support/old-reader.js'

// The streaming reader against JSON.parse and against the reader it replaced (issue #14), with
// the bytes handed over in chunks of every size from 1 byte: every boundary falls everywhere.
const bytes = (s: string) => Buffer.from(s, 'utf8')

describe.each(SCANS)('SkipScan (a validating scan that goes on from chunk to chunk), the $scan scan', (tuning) => {
  it('ends where scanJson ends and fails where it fails, with the same words, for any chunking', () => {
    const json = fc.jsonValue().map((v) => JSON.stringify(v))
    const text = fc.oneof(
      json,
      damaged(json),
      fc.constantFrom('"\\u12ab"', '"a\\"b"', '"\\\\"', '1e5', '-0.5E-3', 'true', '[{"a":[]},{}]', '"x\\u12', '"\\'),
    )
    fc.assert(
      fc.property(text, chunkSize, (t, chunk) => {
        // What follows the value is not the scan's business; a number at the very end is whole.
        // Against the JavaScript scan of the whole: the WebAssembly one must agree with it exactly.
        expect(withScan(tuning, () => skipInChunks(t, chunk))).toEqual(withScan(SCANS[0], () => scanWhole(t)))
      }),
      { numRuns: 4000 },
    )
  })

  it('holds one chunk, not the value: a 200,000-deep array and a 1 MB string in 4 KiB chunks', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    const long = `"${'a\\n'.repeat(400_000)}"`
    withScan(tuning, () => {
      expect(skipInChunks(deep, 4096)).toBe(deep.length)
      expect(skipInChunks(long, 4096)).toBe(long.length)
    })
  })
})

// Plan-like documents: members read, skipped and unknown, in any order, with values of any JSON.
const marks = fc.letrec<{ mark: unknown }>((tie) => ({
  mark: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.boolean(),
    fc.constant({}),
    fc.array(tie('mark'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'password', '0'), tie('mark'), { maxKeys: 3 }),
  ),
})).mark
const change = fc.record({
  address: fc.string({ maxLength: 8 }),
  mode: fc.constantFrom('managed', 'data'),
  change: fc.record({
    actions: fc.constantFrom(['create'], ['delete'], ['update'], ['no-op'], ['delete', 'create'], ['create', 'delete'], ['forget']),
    before: fc.jsonValue({ maxDepth: 3 }),
    after: fc.jsonValue({ maxDepth: 3 }),
    // Marks that mark something (`true` somewhere), marks that do not, and no marks.
    before_sensitive: fc.option(marks, { nil: undefined }),
    after_sensitive: fc.option(marks, { nil: undefined }),
  }),
})
const elements = fc.array(fc.oneof({ weight: 4, arbitrary: change }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }), {
  maxLength: 4,
})
const member = fc.oneof(
  fc.tuple(fc.constant('format_version'), fc.constantFrom('1.2', '0.1', '2.0', '1.2.3')),
  fc.tuple(
    fc.constantFrom('resource_changes', 'resource_drift'),
    fc.oneof({ weight: 5, arbitrary: elements }, { weight: 1, arbitrary: fc.jsonValue() }),
  ),
  fc.tuple(
    fc.constant('deferred_changes'),
    fc.array(fc.record({ reason: fc.string({ maxLength: 5 }), resource_change: change }), { maxLength: 2 }),
  ),
  fc.tuple(
    fc.constant('output_changes'),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.record({ actions: fc.constant(['update']), after: fc.jsonValue() })),
  ),
  fc.tuple(fc.constantFrom('errored', 'complete', 'applyable'), fc.oneof(fc.boolean(), fc.constant('false'))),
  fc.tuple(fc.constantFrom('planned_values', 'prior_state', 'configuration', 'variables', 'x', '__proto__', 'values'), fc.jsonValue()),
)
const uniqueMembers = fc.uniqueArray(member, { maxLength: 8, selector: ([k]) => k })
const text = (members: [string, unknown][]) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
const planText = uniqueMembers.map(text)
const damagedPlans = damaged(planText)

const READ = READ_PLAN_SECTIONS
const STREAMED = ['resource_changes', 'resource_drift', 'deferred_changes']

/** What JSON.parse makes of it, as the reader hands it over: unread members SKIPPED. */
function expected(t: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(t)
  } catch {
    return 'refused'
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object'
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, READ.includes(k) ? v : SKIPPED]))
}

/** How a reader reads the changes' values (StreamOptions.attributeValues). */
type Values = boolean | 'where-sensitive'
const VALUES: Values[] = [true, false, 'where-sensitive']

const VALUE_MEMBERS = ['before', 'after', 'after_unknown', 'before_identity', 'after_identity', 'generated_config']
const marksSomething = (m: unknown): boolean =>
  m === true || (m !== null && typeof m === 'object' && Object.values(m as object).some(marksSomething))

/**
 * What a reader of 'where-sensitive' hands over of JSON.parse's element: all of it when a mark of
 * its change marks something, else the element without its change's values.
 */
function whereSensitive(section: string, element: unknown): unknown {
  const record = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
  const holder = section === 'deferred_changes' && record(element) ? element.resource_change : element
  if (!record(holder) || !record(holder.change)) return element
  const c = holder.change
  if (marksSomething(c.before_sensitive) || marksSomething(c.after_sensitive)) return element
  const change = Object.fromEntries(Object.entries(c).filter(([k]) => !VALUE_MEMBERS.includes(k)))
  const lean = { ...holder, change }
  return section === 'deferred_changes' ? { ...(element as object), resource_change: lean } : lean
}

function streamed(t: string, chunk: number, attributeValues: Values = true): unknown {
  const sections: Record<ChangeSection, unknown[]> = { resource_changes: [], resource_drift: [], deferred_changes: [] }
  const outputs: [string, unknown][] = []
  try {
    const top = readPlanStream(
      bufferSource(bytes(t), chunk),
      { element: (s, v) => sections[s].push(v), output: (n, v) => outputs.push([n, v]) },
      { chunkSize: chunk, attributeValues },
    )
    for (const s of STREAMED) if (Array.isArray(top[s])) top[s] = sections[s as ChangeSection]
    if (top.output_changes !== null && typeof top.output_changes === 'object' && !Array.isArray(top.output_changes))
      top.output_changes = Object.fromEntries(outputs)
    return top
  } catch (error) {
    if (error instanceof JsonScanError) return 'refused'
    if (error instanceof JsonDuplicateMemberError) return 'duplicate'
    if (error instanceof Error && /expected an object/.test(error.message)) return 'not an object'
    if (error instanceof Error && error.constructor.name === 'EmptyDocumentError') return 'refused'
    throw error
  }
}

describe('readPlanStream', () => {
  it('costs linear time when elements do not start as Terraform writes them (no boundary in reach is searched for once)', () => {
    // `},{"address":` never appears: searching the same 256 KiB again for each of 300,000
    // elements took ~20 s; once per window it takes well under one.
    const t = Buffer.from(
      `{"format_version":"1.2","resource_changes":[${Array.from({ length: 300_000 }, () => '{"mode":"managed"}').join(',')}]}`,
    )
    let n = 0
    readPlanStream(bufferSource(t), { element: () => void n++, output: () => undefined })
    expect(n).toBe(300_000)
  }, 5_000)

  it('hands over what JSON.parse reads, members nothing reads unbuilt, for any chunking', () => {
    fc.assert(
      fc.property(uniqueMembers, chunkSize, fc.boolean(), (members, chunk, indent) => {
        const t = indent ? JSON.stringify(JSON.parse(text(members)) as unknown, null, 2) : text(members)
        expect(streamed(t, chunk)).toEqual(expected(t))
      }),
      { numRuns: 1500 },
    )
  })

  it("with values only where sensitive (plan-comment's first pass): each change whole when a mark marks something, else without its values", () => {
    fc.assert(
      fc.property(uniqueMembers, chunkSize, (members, chunk) => {
        const t = text(members)
        const e = expected(t) as Record<string, unknown>
        for (const s of STREAMED) if (Array.isArray(e[s])) e[s] = (e[s] as unknown[]).map((el) => whereSensitive(s, el))
        expect(streamed(t, chunk, 'where-sensitive')).toEqual(e)
      }),
      { numRuns: 1500 },
    )
  })

  it.each(SCANS)('refuses exactly what JSON.parse refuses, wherever the damage and the chunk boundaries are ($scan scan)', (tuning) => {
    fc.assert(
      fc.property(damagedPlans, chunkSize, fc.constantFrom(...VALUES), (t, chunk, values) => {
        const a = withScan(tuning, () => streamed(t, chunk, values))
        // A repeated name is refused whatever JSON.parse makes of the document (it would merge it).
        if (a === 'duplicate') return
        const e = expected(t)
        expect(a === 'refused').toBe(e === 'refused')
        if (values === true && a !== 'refused') expect(a).toEqual(e)
      }),
      { numRuns: 4000 },
    )
  })

  it('refuses a member named twice at the top level, even where JSON.parse would merge it', () => {
    for (const t of [
      '{"errored":false,"prior_state":{},"errored":true}',
      '{"resource_changes":[1],"resource_changes":[]}',
      '{"x":1,"x":2}',
    ])
      for (const chunk of [1, 3, 1 << 20]) expect(streamed(t, chunk)).toBe('duplicate')
  })

  it('refuses an output named twice, with values and without (destroy-gate)', () => {
    const t = '{"output_changes":{"x":{"actions":["delete"],"before":1},"x":{"actions":["no-op"]}}}'
    for (const values of VALUES) for (const chunk of [1, 3, 1 << 20]) expect(streamed(t, chunk, values)).toBe('duplicate')
  })
})

/** A reader's verdict: the model's counts and items (without values), or the refusal's words. */
function verdict(read: () => ReturnType<typeof analyzePlan>): unknown {
  try {
    const m = read()
    return {
      ...m,
      changes: m.changes.map((c) => [c.address, c.actions]),
      // Without values (keepValues: false) as with: the items, not their values.
      unknownActions: m.unknownActions.map((c) => [c.address, c.actions]),
      drift: m.drift.map((c) => c.address),
      deferred: m.deferred.length,
      outputs: m.outputs.map((o) => [o.name, o.action, o.sensitive]),
    }
  } catch (error) {
    return `refused: ${(error as Error).message}`
  }
}

describe('the plan reader, against the one it replaced', () => {
  const plans = fc.oneof(
    planText.map((t) => `{"format_version":"1.2",${t.slice(1)}`.replace(/,}$/, '}')),
    damagedPlans,
    planText,
  )
  it('accepts the same plans with the same model and refuses the rest with the same words, streamed in any chunks', () => {
    fc.assert(
      fc.property(plans, chunkSize, fc.constantFrom(...VALUES), (t, chunk, values) => {
        const options = { attributeValues: values, chunkSize: chunk }
        const before = verdict(() => analyzePlan(oldParsePlanText(t, 'plan.json', { ...options, attributeValues: values !== false })))
        const builder = new PlanBuilder({ keepValues: false })
        const now = verdict(() => builder.finish(readPlanDocument(bufferSource(bytes(t), chunk), 'plan.json', builder, options)))
        // The old reader merged a repeated member that shared a JSON.parse with its neighbour; now
        // every top-level repeat is refused.
        if (typeof now === 'string' && /twice in one object/.test(now) && before !== now) return
        expect(now).toEqual(before)
        expect(verdict(() => analyzePlan(parsePlanText(t, 'plan.json', options)))).toEqual(now)
      }),
      { numRuns: 3000 },
    )
  })

  it('says where a long file is broken, by line and column, after reading past the place', () => {
    const values = JSON.stringify({ a: 'é'.repeat(5000), b: [1, 2, 3] })
    const broken = `{"format_version":"1.2",\n"resource_changes":[],\n"planned_values":${values.replace('[1,', '[tru,')}}`
    for (const chunk of [7, 4096]) {
      const now = verdict(() => {
        const b = new PlanBuilder()
        return b.finish(readPlanDocument(bufferSource(bytes(broken), chunk), 'plan.json', b, { chunkSize: chunk }))
      })
      expect(now).toBe(verdict(() => analyzePlan(oldParsePlanText(broken, 'plan.json'))))
      expect(now).toMatch(/malformed JSON at line 3, column \d+: unexpected character\.$/)
    }
  })
})

describe('a member repeated inside an element', () => {
  // JSON.parse keeps the last of two `"actions"`: read with values (plan-comment) the delete of
  // a.b was a no-op and a.z's address replaced a.b's, while destroy-gate (without values) refused.
  const rc = (body: string) => `{"format_version":"1.2","resource_changes":[${body},{"address":"a.c","change":{"actions":["create"]}}]}`
  const tampered = [
    rc('{"address":"a.b","change":{"actions":["delete"],"actions":["no-op"]}}'),
    rc('{"address":"a.b","change":{"actions":["delete"]},"change":{"actions":["no-op"]}}'),
    rc('{"address":"a.b","address":"a.z","change":{"actions":["delete"]}}'),
    rc('{"address":"a.b","change":{"act\\u0069ons":["delete"],"actions":["no-op"],"after":{"x":"},{\\"address\\":"}}}'),
    '{"format_version":"1.2","resource_drift":[{"address":"a.b","change":{"actions":["delete"],"actions":["update"]}}],"resource_changes":[]}',
    '{"format_version":"1.2","resource_changes":[],"deferred_changes":[{"reason":"x","resource_change":{"address":"a.b","change":{"actions":["delete"],"actions":["no-op"]}}}]}',
  ]
  it('is refused with values as without, so plan-comment and destroy-gate never read two plans', () => {
    for (const t of tampered)
      for (const chunk of [1, 5, 13, 1 << 20])
        for (const values of VALUES) expect([t, chunk, values, streamed(t, chunk, values)]).toEqual([t, chunk, values, 'duplicate'])
  })
  it('inside attribute values, is merged as JSON.parse merges it, with values as without', () => {
    const t = rc('{"address":"a.b","change":{"actions":["update"],"after":{"x":1,"x":2}}}')
    for (const chunk of [1, 7, 1 << 20]) expect(streamed(t, chunk)).toEqual(expected(t))
  })
})

describe('readSection (a second pass over a section)', () => {
  it('reads the same bytes as the first pass, whatever the chunks of each, and refuses other bytes', () => {
    fc.assert(
      fc.property(uniqueMembers, chunkSize, chunkSize, (members, one, two) => {
        const t = bytes(text(members))
        const ranges = new Map<string, readonly [number, number]>()
        const digests = new Map<string, string>()
        const first: unknown[] = []
        const sectionOf: ChangeSection[] = []
        const sink = (into: unknown[]) => ({ element: (_s: ChangeSection, v: unknown) => into.push(v), output: () => undefined })
        try {
          readPlanStream(
            bufferSource(t, one),
            { element: (s, v) => (sectionOf.push(s), first.push(v)), output: () => undefined },
            { chunkSize: one, ranges, digests },
          )
        } catch {
          return
        }
        for (const section of STREAMED as ChangeSection[]) {
          const range = ranges.get(section)
          const digest = digests.get(section)
          if (!range || !digest) continue
          const again: unknown[] = []
          readSection(bufferSource(t, two), range, section, sink(again), { chunkSize: two, digest })
          expect(again).toEqual(first.filter((_v, k) => sectionOf[k] === section))
          // One byte of the section changed, the same length: refused once read.
          const other = Buffer.from(t)
          const at = range[0] + 1 + ((range[1] - range[0] - 2) >> 1)
          if (range[1] - range[0] < 3 || other[at] === 0x20) continue
          other[at] = 0x20
          expect(() => readSection(bufferSource(other, two), range, section, sink([]), { chunkSize: two, digest })).toThrow()
        }
      }),
      { numRuns: 1500 },
    )
  })

  it('refuses bytes that go on past the section', () => {
    const t = bytes('{"resource_changes":[1,2]}')
    const digests = new Map<string, string>()
    const ranges = new Map<string, readonly [number, number]>()
    readPlanStream(bufferSource(t), { element: () => undefined, output: () => undefined }, { ranges, digests })
    const range = ranges.get('resource_changes')!
    expect(() =>
      readSection(bufferSource(t), [range[0], range[1] + 1], 'resource_changes', { element: () => undefined, output: () => undefined }),
    ).toThrow(ChangedWhileReadError)
  })
})

describe('text beyond ASCII, and elements larger than a chunk and than a run', () => {
  it('hands over what JSON.parse reads: multi-byte characters and escapes cut by every chunk boundary', () => {
    const anyText = fc.string({
      unit: fc.oneof(
        fc.constantFrom('é', '€', '😀', '\u2028', '\ufeff', '"', '\\', '\n', '\u0000'),
        fc.string({ unit: 'binary', maxLength: 2 }),
      ),
      maxLength: 12,
    })
    const element = fc.record({
      address: anyText,
      change: fc.record({ actions: fc.constant(['update']), after: fc.dictionary(anyText, anyText, { maxKeys: 3 }) }),
    })
    fc.assert(
      fc.property(fc.array(element, { maxLength: 4 }), anyText, chunkSize, fc.boolean(), (changes, key, chunk, values) => {
        const t = JSON.stringify({ format_version: '1.2', resource_changes: changes, planned_values: { [key]: key } })
        const read = streamed(t, chunk, values)
        const e = expected(t) as Record<string, unknown>
        if (values) expect(read).toEqual(e)
        else
          expect((read as Record<string, unknown>).resource_changes).toEqual(
            changes.map((c) => ({ ...c, change: { actions: c.change.actions } })),
          )
      }),
      { numRuns: 2000 },
    )
  })

  it('reads elements of any size around a run (256 KiB) and a chunk, the boundary text inside them', () => {
    const big = (n: number, k: number) => ({
      address: `a.b${k}`,
      change: {
        actions: ['update'],
        after: { s: '},{"address":'.repeat(n), list: [{ address: 'x' }, { address: 'y' }], u: 'é😀'.repeat(n) },
      },
    })
    for (const n of [1, 5000, 20_000, 30_000, 60_000]) {
      const changes = [big(1, 0), big(n, 1), big(1, 2), big(n >> 1, 3), big(1, 4)]
      const t = JSON.stringify({ format_version: '1.2', resource_changes: changes })
      for (const chunk of [4096, 100_000, 1 << 20]) {
        expect(streamed(t, chunk)).toEqual(expected(t))
        expect((streamed(t, chunk, false) as Record<string, unknown[]>).resource_changes).toHaveLength(5)
      }
    }
  })
})
