import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { attributeChanges, formatShown, pathOf, Secrets, showValue } from '../src/index.js'

const show = (change: Parameters<typeof attributeChanges>[0]) =>
  attributeChanges(change).changes.map((c) => [c.path, formatShown(c.before), formatShown(c.after), c.forcesReplacement])

describe('attributeChanges', () => {
  it('lists changed leaves with Terraform paths', () => {
    expect(
      show({
        before: { image: 'a:1', tags: { env: 'dev', 'a.b': 'x' }, ports: [80, 443] },
        after: { image: 'a:2', tags: { env: 'prod', 'a.b': 'x' }, ports: [80, 8443] },
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: {},
      }),
    ).toEqual([
      ['image', '"a:1"', '"a:2"', false],
      ['ports[1]', '443', '8443', false],
      ['tags.env', '"dev"', '"prod"', false],
    ])
  })

  it('masks sensitive values at any depth and never reads them', () => {
    const rows = show({
      before: { db: { password: 'old-hunter2', user: 'app' }, token: 'tok-OLD-123' },
      after: { db: { password: 'new-hunter2', user: 'app2' }, token: 'tok-NEW-456' },
      before_sensitive: { db: { password: true } },
      after_sensitive: { db: { password: true }, token: true },
      after_unknown: {},
    })
    expect(rows).toEqual([
      ['db.password', '(sensitive)', '(sensitive)', false],
      ['db.user', '"app"', '"app2"', false],
      ['token', '(sensitive)', '(sensitive)', false],
    ])
    expect(JSON.stringify(rows)).not.toMatch(/hunter2|tok-/)
  })

  it('masks a whole value that is sensitive as a whole', () => {
    const rows = show({ before: { a: 1 }, after: { a: 2 }, before_sensitive: true, after_sensitive: true })
    expect(rows).toEqual([['', '(sensitive)', '(sensitive)', false]])
  })

  it('masks an added object that contains a sensitive leaf', () => {
    const rows = show({
      before: {},
      after: { cfg: { key: 'AKIA-SECRET', region: 'eu' } },
      before_sensitive: {},
      after_sensitive: { cfg: { key: true } },
      after_unknown: {},
    })
    expect(rows).toEqual([['cfg', '(none)', '{"key":(sensitive),"region":"eu"}', false]])
  })

  it('masks what either side marks on both sides, even when the other side is unknown (a real Terraform 1.11 case)', () => {
    // terraform_data.s: input was { password = sensitive(...), user = "app" }, now unknown.
    const rows = show({
      before: { input: { password: 'Zq9!x', user: 'app' } },
      after: {},
      after_unknown: { input: true },
      before_sensitive: { input: { password: true } },
      after_sensitive: { input: {} },
    })
    expect(rows).toEqual([['input', '{"password":(sensitive),"user":"app"}', '(known after apply)', false]])
    const becameSensitive = show({
      before: { pw: 'old-value' },
      after: { pw: 'new-value' },
      before_sensitive: {},
      after_sensitive: { pw: true },
    })
    expect(becameSensitive).toEqual([['pw', '(sensitive)', '(sensitive)', false]])
  })

  it('shows the known part of a partly unknown value', () => {
    expect(formatShown(showValue({ fixed: 'a' }, [], { id: true }))).toBe('{"fixed":"a","id":(known after apply)}')
    expect(formatShown(showValue(['a', null], [], [false, true]))).toBe('["a",(known after apply)]')
  })

  it('shows unknown values as known after apply, including absent keys', () => {
    const rows = show({
      before: { id: 'x', url: 'old' },
      after: { id: 'x' },
      after_unknown: { url: true },
      before_sensitive: {},
      after_sensitive: {},
    })
    expect(rows).toEqual([['url', '"old"', '(known after apply)', false]])
  })

  it('flags the paths that force replacement', () => {
    const rows = show({
      before: { template: { containers: [{ image: 'a' }] } },
      after: { template: { containers: [{ image: 'b' }] } },
      replace_paths: [['template', 'containers', 0, 'image']],
    })
    expect(rows).toEqual([['template.containers[0].image', '"a"', '"b"', true]])
    expect(pathOf(['tags', 'a.b', 0])).toBe('tags["a.b"][0]')
  })

  it('stops at the limit and still counts everything', () => {
    const before = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]))
    const after = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i + 1]))
    const r = attributeChanges({ before, after }, 10)
    expect(r.changes).toHaveLength(10)
    expect(r.total).toBe(300)
  })
})

describe('Secrets (the second line of defence)', () => {
  const secrets = new Secrets()
  secrets.addChange({
    before: { pw: 'hunter2-old', pin: 4711 },
    after: { pw: 'hunter2-new', list: ['x', 'secret-in-list'], pin: 4711, flag: true },
    before_sensitive: { pw: true, pin: true },
    after_sensitive: { pw: true, list: true, pin: true, flag: true },
  })

  it('masks a leaf equal to a sensitive value wherever it appears, however short, numbers too', () => {
    expect(formatShown({ kind: 'value', value: { copy: 'x', pin: 4711, other: 'y', ok: true } }, 200, secrets)).toBe(
      '{"copy":(sensitive),"pin":(sensitive),"other":"y","ok":true}',
    )
  })

  it('masks every leaf of an unmarked value that is a known secret, at any depth, and shows the rest as JSON', () => {
    // The oracle: JSON.stringify with each secret leaf (a string, or a number as written) swapped for a placeholder.
    const leaf = fc.oneof(fc.constantFrom('k', 'hunter', '4711', 'pw-value', 'éà|`'), fc.integer({ min: 0, max: 20 }), fc.boolean())
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 4 }),
      ),
    })).v
    fc.assert(
      fc.property(value, fc.subarray(['k', 'hunter', '4711', '7', 'pw-value', 'éà|`']), (v, leaves) => {
        const s = new Secrets()
        s.addChange({ before: leaves, after: null, before_sensitive: true, after_sensitive: false })
        const placeholder = '\u0000secret\u0000'
        const expected = JSON.stringify(v, (_k, x: unknown) =>
          (typeof x === 'string' || typeof x === 'number') && leaves.includes(String(x)) ? placeholder : x,
        ).replaceAll(JSON.stringify(placeholder), '(sensitive)')
        expect(formatShown({ kind: 'value', value: v }, Number.POSITIVE_INFINITY, s)).toBe(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it("takes nothing from a change whose marks mark nothing (no `true` in them): plan-comment's first pass does not build its values", () => {
    // The contract read-plan's 'where-sensitive' reading relies on; marks without `true` are false, {}, [] and nestings of them.
    const unmarking = fc.letrec<{ m: unknown }>((tie) => ({
      m: fc.oneof(
        { depthSize: 'small' },
        fc.constant(false),
        fc.constant(null),
        fc.array(tie('m'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('a', 'b', '0', 'pw'), tie('m'), { maxKeys: 3 }),
      ),
    })).m
    const value = fc.jsonValue({ maxDepth: 3 })
    fc.assert(
      fc.property(value, value, unmarking, unmarking, (before, after, bs, as) => {
        const s = new Secrets()
        s.addChange({ before, after, before_sensitive: bs, after_sensitive: as })
        expect(s.size).toBe(0)
      }),
      { numRuns: 2000 },
    )
  })

  it('scrubs long secrets out of longer text', () => {
    expect(secrets.redact('value "hunter2-new" copied into a description; secret-in-list')).toBe(
      'value "(sensitive)" copied into a description; (sensitive)',
    )
    // Short ones are left in prose: replacing "x" everywhere would shred the text.
    expect(secrets.redact('x marks the spot')).toBe('x marks the spot')
  })
})

describe('sensitive masking, property', () => {
  // Random nested values with random sensitive marks (true at a leaf, a subtree, or the whole
  // value; {} or absent elsewhere): no value under a `true` may ever be shown.
  const leaf = fc.string({ minLength: 1, maxLength: 6 }).map((s) => `v-${s}`)
  const tree = fc.dictionary(
    fc.constantFrom('a', 'b', 'c', 'd'),
    fc.oneof(
      leaf,
      fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })), { maxKeys: 3 }),
      fc.array(leaf, { maxLength: 3 }),
    ),
    { maxKeys: 4 },
  )
  const markFor = (value: unknown, pick: () => number): unknown => {
    const r = pick()
    if (r < 0.15) return true
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {}
      for (const [k, v] of Object.entries(value)) {
        const m = markFor(v, pick)
        if (m === true || (m !== null && typeof m === 'object' && Object.keys(m).length > 0)) (out as Record<string, unknown>)[k] = m
      }
      return out
    }
    return r < 0.3 ? true : undefined
  }
  const sensitiveLeaves = (value: unknown, mark: unknown, into: string[]): void => {
    if (mark === true) {
      JSON.stringify(value ?? null).replace(/"(v-[^"]*)"/g, (_, s: string) => (into.push(s), ''))
      return
    }
    if (value === null || typeof value !== 'object' || mark === null || typeof mark !== 'object') return
    for (const [k, v] of Object.entries(value)) sensitiveLeaves(v, (mark as Record<string, unknown>)[k], into)
  }

  const unknownFor = (value: unknown, pick: () => number): unknown => {
    const r = pick()
    if (r < 0.1) return true
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {}
      for (const [k, v] of Object.entries(value)) {
        const m = unknownFor(v, pick)
        if (m !== undefined) (out as Record<string, unknown>)[k] = m
      }
      // Sometimes a key known only to be coming, absent from the value.
      if (!Array.isArray(value) && r > 0.9) (out as Record<string, unknown>).later = true
      return out
    }
    return r < 0.2 ? true : undefined
  }

  it('never shows a value under a sensitive mark, on either side, whatever is unknown', () => {
    fc.assert(
      fc.property(
        tree,
        tree,
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
        (before, other, sameShape, rolls) => {
          let i = 0
          const pick = () => rolls[i++ % rolls.length]!
          // Half the cases: the same keys with some leaves changed (how most updates look).
          const mutate = (v: unknown): unknown =>
            typeof v === 'string'
              ? pick() < 0.5
                ? `${v}-new`
                : v
              : Array.isArray(v)
                ? v.map(mutate)
                : v !== null && typeof v === 'object'
                  ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mutate(x)]))
                  : v
          const after = sameShape ? mutate(before) : other
          const bs = markFor(before, pick) ?? {}
          const as = markFor(after, pick) ?? {}
          const au = unknownFor(after, pick) ?? {}
          const tokens: string[] = []
          // A path marked on one side is sensitive on both.
          for (const [v, m] of [
            [before, bs],
            [after, as],
            [before, as],
            [after, bs],
          ] as const)
            sensitiveLeaves(v, m, tokens)
          const change = { before, after, before_sensitive: bs, after_sensitive: as, after_unknown: au }
          const secrets = new Secrets()
          secrets.addChange(change)
          const { changes } = attributeChanges(change, 1000)
          const shownText = changes
            .map((c) => `${formatShown(c.before, 10_000, secrets)} ${formatShown(c.after, 10_000, secrets)}`)
            .join('\n')
          for (const t of tokens) expect(shownText, t).not.toContain(`"${t}"`)
          // The marks alone (no Secrets) hide them too, wherever no unmarked copy of the same value exists.
          const byMarks = changes.map((c) => `${formatShown(c.before, 10_000)} ${formatShown(c.after, 10_000)}`).join('\n')
          const all = JSON.stringify([before, after])
          for (const t of tokens)
            if (all.split(`"${t}"`).length - 1 <= tokens.filter((x) => x === t).length) expect(byMarks, t).not.toContain(`"${t}"`)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
