import type { RevisionMetrics } from './monitoring.js'

export type Verdict = 'healthy' | 'unhealthy' | 'inconclusive'

export interface Limits {
  /** A fraction: 0.01 for 1%. */
  maxErrorRate: number | undefined
  maxLatencyP95Ms: number | undefined
  minRequests: number
}

export interface Judgement {
  verdict: Verdict
  /** One line per check, for the log and the timeline. */
  findings: string[]
}

const percent = (x: number): string => `${(x * 100).toFixed(x > 0 && x < 0.001 ? 3 : 2).replace(/\.?0+$/, '')}%`
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2).replace(/\.?0+$/, '')} s` : `${Math.round(x)} ms`)

/**
 * The new revision judged over one window, against the fixed limits and against the stable
 * revision in the same window: a value over its limit is unhealthy only when it is also worse
 * than stable's (a 1% error rate is fine when stable has 1% too). Stable counts as a baseline
 * only with at least `minRequests` requests of its own. Fewer requests than `minRequests` (or
 * none) is inconclusive, and then the limits are not judged at all: `min-requests` is the user's
 * word on how many requests a verdict needs. No latency data while a latency limit is set is
 * inconclusive too, never healthy. Unhealthy beats inconclusive.
 */
export function judge(candidate: RevisionMetrics, stable: RevisionMetrics | undefined, limits: Limits): Judgement {
  const findings: string[] = []
  const verdicts: Verdict[] = []
  const baseline = stable && stable.requests > 0 && stable.requests >= limits.minRequests ? stable : undefined
  const { requests } = candidate
  if (requests === 0 || requests < limits.minRequests) {
    findings.push(`${requests} requests, fewer than min-requests ${Math.max(1, limits.minRequests)}: inconclusive`)
    return { verdict: 'inconclusive', findings }
  }
  findings.push(`${requests} requests`)
  const check = (
    what: string,
    input: string,
    value: number,
    limit: number,
    base: number | undefined,
    show: (x: number) => string,
  ): void => {
    const against = base === undefined ? '' : ` (stable ${show(base)})`
    const over = `${what} ${show(value)}${against} over ${input} ${show(limit)}`
    if (value > limit && (base === undefined || value > base)) {
      verdicts.push('unhealthy')
      findings.push(`${over}: unhealthy`)
    } else findings.push(value > limit ? `${over}, but no worse than stable` : `${what} ${show(value)}${against}`)
  }
  if (limits.maxErrorRate !== undefined) {
    const base = baseline ? baseline.errors / baseline.requests : undefined
    check('error rate', 'max-error-rate', candidate.errors / requests, limits.maxErrorRate, base, percent)
  }
  if (limits.maxLatencyP95Ms !== undefined) {
    if (candidate.p95Ms === undefined) {
      verdicts.push('inconclusive')
      findings.push('no latency data for max-latency-p95: inconclusive')
    } else check('p95 latency', 'max-latency-p95', candidate.p95Ms, limits.maxLatencyP95Ms, baseline?.p95Ms, ms)
  }
  const verdict: Verdict = verdicts.includes('unhealthy') ? 'unhealthy' : verdicts.includes('inconclusive') ? 'inconclusive' : 'healthy'
  return { verdict, findings }
}

export function metricsWanted(limits: Limits): boolean {
  return limits.maxErrorRate !== undefined || limits.maxLatencyP95Ms !== undefined
}
