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
 * none) is inconclusive; unhealthy beats inconclusive.
 */
export function judge(candidate: RevisionMetrics, stable: RevisionMetrics | undefined, limits: Limits): Judgement {
  const findings: string[] = []
  const verdicts: Verdict[] = []
  const baseline = stable && stable.requests > 0 && stable.requests >= limits.minRequests ? stable : undefined
  const { requests } = candidate
  if (requests === 0 || requests < limits.minRequests) {
    verdicts.push('inconclusive')
    findings.push(`${requests} requests, fewer than min-requests ${Math.max(1, limits.minRequests)}: inconclusive`)
  } else {
    findings.push(`${requests} requests`)
  }
  if (limits.maxErrorRate !== undefined && requests > 0) {
    const rate = candidate.errors / requests
    const base = baseline ? baseline.errors / baseline.requests : undefined
    const against = base === undefined ? '' : ` (stable ${percent(base)})`
    if (rate > limits.maxErrorRate && (base === undefined || rate > base)) {
      verdicts.push('unhealthy')
      findings.push(`error rate ${percent(rate)}${against} over max-error-rate ${percent(limits.maxErrorRate)}: unhealthy`)
    } else if (rate > limits.maxErrorRate) {
      findings.push(`error rate ${percent(rate)}${against} over max-error-rate ${percent(limits.maxErrorRate)}, but no worse than stable`)
    } else {
      findings.push(`error rate ${percent(rate)}${against}`)
    }
  }
  if (limits.maxLatencyP95Ms !== undefined && candidate.p95Ms !== undefined) {
    const p95 = candidate.p95Ms
    const base = baseline?.p95Ms
    const against = base === undefined ? '' : ` (stable ${ms(base)})`
    if (p95 > limits.maxLatencyP95Ms && (base === undefined || p95 > base)) {
      verdicts.push('unhealthy')
      findings.push(`p95 latency ${ms(p95)}${against} over max-latency-p95 ${ms(limits.maxLatencyP95Ms)}: unhealthy`)
    } else if (p95 > limits.maxLatencyP95Ms) {
      findings.push(`p95 latency ${ms(p95)}${against} over max-latency-p95 ${ms(limits.maxLatencyP95Ms)}, but no worse than stable`)
    } else {
      findings.push(`p95 latency ${ms(p95)}${against}`)
    }
  }
  const verdict: Verdict = verdicts.includes('unhealthy') ? 'unhealthy' : verdicts.includes('inconclusive') ? 'inconclusive' : 'healthy'
  return { verdict, findings }
}

export function metricsWanted(limits: Limits): boolean {
  return limits.maxErrorRate !== undefined || limits.maxLatencyP95Ms !== undefined
}
