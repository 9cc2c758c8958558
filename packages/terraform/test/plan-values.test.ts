import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { attributeChanges, collectSensitiveValues, formatShown, makeRedactor, pathOf } from '../src/index.js'

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
    expect(rows).toEqual([['cfg', '(none)', '(sensitive)', false]])
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

describe('sensitive value scrubbing', () => {
  it('collects sensitive leaves and redacts them from any text', () => {
    const secrets = new Set<string>()
    collectSensitiveValues(
      {
        before: { pw: 'hunter2-old' },
        after: { pw: 'hunter2-new', list: ['x', 'secret-in-list'] },
        before_sensitive: { pw: true },
        after_sensitive: { pw: true, list: true },
      },
      secrets,
    )
    expect([...secrets].sort()).toEqual(['hunter2-new', 'hunter2-old', 'secret-in-list'])
    const redact = makeRedactor(secrets)
    expect(redact('value "hunter2-new" copied into a description; secret-in-list')).toBe(
      'value "(sensitive)" copied into a description; (sensitive)',
    )
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

  it('never shows a value under a sensitive mark', () => {
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
          const secrets: string[] = []
          sensitiveLeaves(before, bs, secrets)
          sensitiveLeaves(after, as, secrets)
          const { changes } = attributeChanges({ before, after, before_sensitive: bs, after_sensitive: as, after_unknown: {} }, 1000)
          const shownText = changes.map((c) => `${formatShown(c.before, 10_000)} ${formatShown(c.after, 10_000)}`).join('\n')
          for (const s of secrets) {
            // A secret may equal a non-sensitive value elsewhere; only check unique tokens.
            const elsewhere = JSON.stringify([before, after]).split(`"${s}"`).length - 1 > secrets.filter((x) => x === s).length
            if (!elsewhere) expect(shownText, s).not.toContain(`"${s}"`)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
