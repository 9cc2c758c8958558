import { describe, expect, it } from 'vitest'
import { fitToBudget, limitBytes, utf8Bytes, type Block } from '../src/index.js'

const item = (group: string, i: number, keep = false): Block => ({
  text: `- ${group} ${i}\n  ${'detail '.repeat(20)}`,
  lighter: [{ text: `- ${group} ${i}`, pass: 1 }],
  group,
  keep,
})

describe('fitToBudget', () => {
  const blocks: Block[] = [
    { text: '## Heading and counts', keep: true },
    ...Array.from({ length: 50 }, (_, i) => item('destroy', i, true)),
    ...Array.from({ length: 200 }, (_, i) => item('create', i)),
  ]

  it('returns everything when it fits', () => {
    const r = fitToBudget(blocks, { max: 1_000_000 })
    expect(r.cut).toBeUndefined()
    expect(r.text).toContain('create 199\n  detail')
  })

  it('drops detail from the bottom up before dropping any item', () => {
    const full = fitToBudget(blocks, { max: 1_000_000 }).text.length
    const r = fitToBudget(blocks, { max: full - 2000, footer: (c) => `cut ${c.lightened.get(1)}` })
    expect(r.text.length).toBeLessThanOrEqual(full - 2000)
    expect(r.cut!.dropped.size).toBe(0)
    expect(r.text).toContain('- destroy 0\n  detail') // the top keeps its detail
    expect(r.text).not.toContain('- create 199\n  detail') // the bottom lost it
    expect(r.text).toContain('- create 199')
  })

  it('takes detail pass by pass: all of pass 0, bottom up, before any of pass 1', () => {
    // Updates above creates; a create's detail (pass 0) goes before an update's (pass 1), and an
    // update's lighter form of pass 0 (a shorter table) before its bare line (pass 1).
    const mixed: Block[] = [
      ...Array.from({ length: 20 }, (_, i) => ({
        text: `- update ${i}\n${'u'.repeat(200)}\n${'v'.repeat(100)}`,
        lighter: [
          { text: `- update ${i}\n${'u'.repeat(200)}`, pass: 0 },
          { text: `- update ${i}`, pass: 1 },
        ],
      })),
      ...Array.from({ length: 20 }, (_, i) => ({
        text: `- create ${i}\n${'c'.repeat(200)}`,
        lighter: [{ text: `- create ${i}`, pass: 0 }],
      })),
    ]
    const full = fitToBudget(mixed, { max: Infinity }).text.length
    const r = fitToBudget(mixed, { max: full - 4000 - 600 })
    expect(r.cut!.lightened.get(1) ?? 0).toBe(0)
    expect(r.text).toContain(`- update 0\n${'u'.repeat(200)}\n`)
    expect(r.text).not.toContain('c'.repeat(200))
    const tighter = fitToBudget(mixed, { max: full - 9000 })
    expect(tighter.cut!.lightened.get(0)).toBe(40)
    expect(tighter.text).toContain(`- update 0\n${'u'.repeat(200)}`)
    expect(tighter.text).not.toContain('v'.repeat(100))
  })

  it('drops droppable items, says how many per group, and keeps the kept ones', () => {
    const r = fitToBudget(blocks, { max: 2500, omitted: (g, n) => `… ${n} more ${g}`, footer: () => 'FOOTER' })
    expect(r.text.length).toBeLessThanOrEqual(2500)
    for (let i = 0; i < 50; i++) expect(r.text).toContain(`- destroy ${i}`)
    const dropped = r.cut!.dropped.get('create')!
    expect(dropped).toBeGreaterThan(0)
    expect(r.text).toContain(`… ${dropped} more create`)
    expect(r.text.endsWith('FOOTER')).toBe(true)
    expect(r.cut!.keptDropped).toBe(false)
  })

  it('keeps every kept item in a small budget they fit in: the notes and footer are measured, not guessed', () => {
    const footer = (c: { dropped: Map<string, number> }) => `Cut to fit: ${[...c.dropped].map(([g, n]) => `${n} ${g}`).join(', ')}.`
    const r = fitToBudget(blocks, { max: 1000, omitted: (g, n) => `… ${n} more ${g}`, footer })
    expect(r.text.length).toBeLessThanOrEqual(1000)
    expect(r.cut!.keptDropped).toBe(false)
    for (let i = 0; i < 50; i++) expect(r.text).toContain(`- destroy ${i}`)
    expect(r.text).toMatch(/\n… (\d+) more create\nCut to fit: \1 create\.$/)
  })

  it('cuts even kept items as a last resort, and says so', () => {
    const r = fitToBudget(blocks, { max: 500, omitted: (g, n) => `… ${n} more ${g}` })
    expect(r.text.length).toBeLessThanOrEqual(500)
    expect(r.cut!.keptDropped).toBe(true)
    expect(r.text).toContain('## Heading and counts')
    expect(r.text).toMatch(/… \d+ more destroy/)
  })

  it('budgets in UTF-8 bytes when asked', () => {
    const wide: Block[] = Array.from({ length: 100 }, (_, i) => ({ text: `${i} ${'€'.repeat(100)}`, group: 'x' }))
    const r = fitToBudget(wide, { max: 5000, measure: utf8Bytes })
    expect(utf8Bytes(r.text)).toBeLessThanOrEqual(5000)
  })
})

describe('fitToBudget at its edges (it hung)', () => {
  it('returns within the budget when the budget is zero or less, or one long line of multi-byte text', () => {
    const kept: Block[] = [
      { text: 'heading', keep: true },
      { text: 'row', keep: true },
    ]
    expect(fitToBudget(kept, { max: 0 }).text).toBe('')
    expect(fitToBudget(kept, { max: -2270 }).text).toBe('')
    // No line end to cut at, three bytes a character: halving the characters once is not enough.
    const wide: Block[] = [{ text: '環'.repeat(5000), keep: true }]
    const r = fitToBudget(wide, { max: 1000, measure: utf8Bytes })
    expect(utf8Bytes(r.text)).toBeLessThanOrEqual(1000)
  })
})

describe('limitBytes', () => {
  it('cuts at a line end and says why', () => {
    const s = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'é'.repeat(50)}`).join('\n')
    const out = limitBytes(s, 10_000)
    expect(utf8Bytes(out)).toBeLessThanOrEqual(10_000)
    expect(out).toMatch(/1 MiB limit/)
    expect(out).not.toContain('\uFFFD')
  })
})
