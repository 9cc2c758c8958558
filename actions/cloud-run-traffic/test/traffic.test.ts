import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { largestRemainder, pinSplit, sameSplit, shareOf, stepSplit, toApi, LATEST, REVISION } from '../src/traffic.js'

describe('pinSplit', () => {
  it('pins LATEST targets and an empty list to the latest ready revision', () => {
    expect(pinSplit([], 'r2')).toEqual([{ revision: 'r2', percent: 100 }])
    expect(
      pinSplit(
        [
          { type: LATEST, percent: 100, tag: 'live' },
          { type: REVISION, revision: 'projects/p/locations/l/services/s/revisions/r1', tag: 'old' },
        ],
        'r2',
      ),
    ).toEqual([
      { revision: 'r2', percent: 100, tag: 'live' },
      { revision: 'r1', percent: 0, tag: 'old' },
    ])
  })
})

describe('stepSplit', () => {
  const start = [
    { revision: 'a', percent: 60, tag: 'stable' },
    { revision: 'b', percent: 40 },
    { revision: 'p', percent: 0, tag: 'pr-7' },
  ]

  it('gives the new revision the step and the others their relative shares', () => {
    expect(stepSplit(start, 'n', 'canary', 25)).toEqual([
      { revision: 'a', percent: 45, tag: 'stable' },
      { revision: 'b', percent: 30 },
      { revision: 'p', percent: 0, tag: 'pr-7' },
      { revision: 'n', percent: 25, tag: 'canary' },
    ])
  })

  it('keeps tags of revisions that drop to 0%, and drops untagged ones', () => {
    expect(stepSplit(start, 'n', 'canary', 100)).toEqual([
      { revision: 'a', percent: 0, tag: 'stable' },
      { revision: 'p', percent: 0, tag: 'pr-7' },
      { revision: 'n', percent: 100, tag: 'canary' },
    ])
  })

  it('takes its tag from another revision, and keeps the new revision’s other tags at 0%', () => {
    const s = [
      { revision: 'a', percent: 100 },
      { revision: 'old-canary', percent: 0, tag: 'canary' },
      { revision: 'n', percent: 0, tag: 'preview' },
    ]
    expect(stepSplit(s, 'n', 'canary', 5)).toEqual([
      { revision: 'a', percent: 95 },
      { revision: 'n', percent: 5, tag: 'canary' },
      { revision: 'n', percent: 0, tag: 'preview' },
    ])
  })

  it('refuses a step when nothing else serves traffic', () => {
    expect(() => stepSplit([{ revision: 'n', percent: 100 }], 'n', 'canary', 50)).toThrow(/nothing to shift/)
  })

  it('always sums to 100 with the new revision at the step (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 100 }), (weights, step) => {
        const total = weights.reduce((a, b) => a + b, 0)
        fc.pre(total > 0)
        const shares = largestRemainder(weights, 100)
        const s = shares.map((percent, i) => ({ revision: `r${i}`, percent }))
        const next = stepSplit(s, 'new', 'canary', step)
        expect(next.reduce((n, t) => n + t.percent, 0)).toBe(100)
        expect(shareOf(next, 'new')).toBe(step)
      }),
    )
  })
})

describe('largestRemainder', () => {
  it('splits fairly, ties to the earlier', () => {
    expect(largestRemainder([1, 1, 1], 100)).toEqual([34, 33, 33])
    expect(largestRemainder([95, 5], 50)).toEqual([48, 2])
    expect(largestRemainder([0, 0], 0)).toEqual([0, 0])
  })
})

describe('sameSplit and toApi', () => {
  it('compares in any order; writes pinned targets', () => {
    const a = [
      { revision: 'a', percent: 50 },
      { revision: 'b', percent: 50, tag: 't' },
    ]
    expect(sameSplit(a, [...a].reverse())).toBe(true)
    expect(
      sameSplit(a, [
        { revision: 'a', percent: 50 },
        { revision: 'b', percent: 50 },
      ]),
    ).toBe(false)
    expect(toApi(a)).toEqual([
      { type: REVISION, revision: 'a', percent: 50 },
      { type: REVISION, revision: 'b', percent: 50, tag: 't' },
    ])
  })
})
