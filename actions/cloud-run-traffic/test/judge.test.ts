import { describe, expect, it } from 'vitest'
import { judge } from '../src/judge.js'

const limits = { maxErrorRate: 0.01, maxLatencyP95Ms: 2000, minRequests: 10 }
const m = (requests: number, errors = 0, p95Ms: number | undefined = 100) => ({ requests, errors, p95Ms })
/** No latency data (a default parameter would turn `undefined` into 100). */
const noLatency = (requests: number, errors = 0) => ({ requests, errors, p95Ms: undefined })

describe('judge', () => {
  it('healthy within the limits', () => {
    expect(judge(m(100), m(1000), limits)).toEqual({
      verdict: 'healthy',
      findings: ['100 requests', 'error rate 0% (stable 0%)', 'p95 latency 100 ms (stable 100 ms)'],
    })
  })

  it('a rate over the limit is fine when stable has as much in the same window', () => {
    expect(judge(m(100, 2), m(1000, 20), limits).verdict).toBe('healthy')
    expect(judge(m(100, 3), m(1000, 20), limits).verdict).toBe('unhealthy')
    expect(judge(m(100, 0, 2500), m(1000, 0, 2600), limits).verdict).toBe('healthy')
    expect(judge(m(100, 0, 2500), m(1000, 0, 900), limits).findings).toContain(
      'p95 latency 2.5 s (stable 900 ms) over max-latency-p95 2 s: unhealthy',
    )
  })

  it('a stable revision with too few requests is no baseline', () => {
    expect(judge(m(100, 5), m(3, 3), limits).verdict).toBe('unhealthy')
  })

  it('too few requests is inconclusive, and the limits are not judged on them (min-requests)', () => {
    expect(judge(m(5), m(1000), limits)).toMatchObject({ verdict: 'inconclusive' })
    expect(judge(m(0, 0, undefined), undefined, limits).findings[0]).toBe('0 requests, fewer than min-requests 10: inconclusive')
    // 4 errors in 5 requests: too few to call; the probes catch a revision that is plainly down.
    expect(judge(m(5, 4), m(1000), limits)).toEqual({
      verdict: 'inconclusive',
      findings: ['5 requests, fewer than min-requests 10: inconclusive'],
    })
  })

  it('no latency data while max-latency-p95 is set is inconclusive, never healthy; unhealthy beats it', () => {
    expect(judge(noLatency(500), m(1000), limits)).toEqual({
      verdict: 'inconclusive',
      findings: ['500 requests', 'error rate 0% (stable 0%)', 'no latency data for max-latency-p95: inconclusive'],
    })
    expect(judge(noLatency(500, 100), m(1000), limits).verdict).toBe('unhealthy')
    expect(judge(noLatency(500), m(1000), { ...limits, maxLatencyP95Ms: undefined }).verdict).toBe('healthy')
  })
})
