import { isRecord, record } from '@infra-actions/common'
import { callJson, type HttpDeps } from './google-api.js'

/** What one revision served in a window. */
export interface RevisionMetrics {
  requests: number
  /** 5xx responses. */
  errors: number
  /** The 95th percentile of request latency in ms; undefined when not asked for or no data. */
  p95Ms: number | undefined
}

export interface MetricsQuery {
  project: string
  service: string
  region: string
  revision: string
  start: Date
  end: Date
  latency: boolean
}

export interface MetricsApi {
  revisionMetrics(query: MetricsQuery, signal?: AbortSignal): Promise<RevisionMetrics>
}

/** Cloud Monitoring v3 `projects.timeSeries.list`; `base` is the versioned endpoint (`…/v3`). */
export function restMetricsApi(http: HttpDeps, base: string): MetricsApi {
  const list = async (q: MetricsQuery, metric: string, aggregation: Record<string, string>, signal?: AbortSignal): Promise<unknown[]> => {
    const series: unknown[] = []
    let pageToken: string | undefined
    // One aligned point per series over the whole window (60 s is the smallest alignment period).
    const seconds = Math.max(60, Math.ceil((q.end.getTime() - q.start.getTime()) / 1000))
    do {
      const answer = record(
        await callJson(http, 'GET', `${base}/projects/${q.project}/timeSeries`, `read ${metric} for ${q.revision} from Cloud Monitoring`, {
          signal,
          query: {
            filter: filterFor(q, metric),
            'interval.startTime': q.start.toISOString(),
            'interval.endTime': q.end.toISOString(),
            'aggregation.alignmentPeriod': `${seconds}s`,
            ...aggregation,
            view: 'FULL',
            pageToken,
          },
        }),
      )
      if (Array.isArray(answer?.timeSeries)) series.push(...answer.timeSeries)
      pageToken = typeof answer?.nextPageToken === 'string' && answer.nextPageToken ? answer.nextPageToken : undefined
    } while (pageToken)
    return series
  }
  return {
    async revisionMetrics(q, signal) {
      const counts = await list(
        q,
        'run.googleapis.com/request_count',
        {
          'aggregation.perSeriesAligner': 'ALIGN_DELTA',
          'aggregation.crossSeriesReducer': 'REDUCE_SUM',
          'aggregation.groupByFields': 'metric.labels.response_code_class',
        },
        signal,
      )
      let requests = 0
      let errors = 0
      for (const s of counts.filter(isRecord)) {
        const n = sumPoints(s, (v) => Number(v.int64Value ?? v.doubleValue ?? 0))
        requests += n
        if (record(record(s.metric)?.labels)?.response_code_class === '5xx') errors += n
      }
      if (!q.latency) return { requests, errors, p95Ms: undefined }
      // The distributions summed across series, and the percentile read from their buckets.
      const latencies = await list(
        q,
        'run.googleapis.com/request_latencies',
        { 'aggregation.perSeriesAligner': 'ALIGN_DELTA', 'aggregation.crossSeriesReducer': 'REDUCE_SUM' },
        signal,
      )
      const distributions = latencies.filter(isRecord).flatMap((s) => pointValues(s).map((v) => record(v.distributionValue)))
      return { requests, errors, p95Ms: percentile(distributions.filter(isRecord), 0.95) }
    },
  }
}

export function filterFor(q: MetricsQuery, metric: string): string {
  return [
    `metric.type = "${metric}"`,
    'resource.type = "cloud_run_revision"',
    `resource.labels.service_name = "${q.service}"`,
    `resource.labels.location = "${q.region}"`,
    `resource.labels.revision_name = "${q.revision}"`,
  ].join(' AND ')
}

function pointValues(series: Record<string, unknown>): Record<string, unknown>[] {
  return (Array.isArray(series.points) ? series.points : []).map((p) => record(record(p)?.value)).filter(isRecord)
}

function sumPoints(series: Record<string, unknown>, value: (v: Record<string, unknown>) => number): number {
  return pointValues(series).reduce((n, v) => n + (Number.isFinite(value(v)) ? value(v) : 0), 0)
}

/** A bucket's bounds: [lower, upper), from the distribution's `bucketOptions`. */
export function bucketBounds(options: Record<string, unknown> | undefined, i: number): [number, number] {
  const linear = record(options?.linearBuckets)
  const exponential = record(options?.exponentialBuckets)
  const explicit = record(options?.explicitBuckets)
  const edge = (k: number): number => {
    if (linear) return Number(linear.offset ?? 0) + Number(linear.width ?? 0) * k
    if (exponential) return Number(exponential.scale ?? 1) * Number(exponential.growthFactor ?? 2) ** k
    const bounds = Array.isArray(explicit?.bounds) ? explicit.bounds.map(Number) : []
    return bounds[Math.min(k, bounds.length - 1)] ?? 0
  }
  const finite = Number(
    linear?.numFiniteBuckets ?? exponential?.numFiniteBuckets ?? (Array.isArray(explicit?.bounds) ? explicit.bounds.length - 1 : 0),
  )
  if (i === 0) return [0, edge(0)]
  if (i > finite) return [edge(finite), edge(finite)]
  return [edge(i - 1), edge(i)]
}

/**
 * The `q` quantile of distributions merged bucket by bucket (they share `bucketOptions`),
 * interpolated linearly inside its bucket. Undefined when they hold no value.
 */
export function percentile(distributions: Record<string, unknown>[], q: number): number | undefined {
  const counts: number[] = []
  let options: Record<string, unknown> | undefined
  for (const d of distributions) {
    options ??= record(d.bucketOptions)
    const buckets = Array.isArray(d.bucketCounts) ? d.bucketCounts.map(Number) : []
    buckets.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + (Number.isFinite(c) ? c : 0)))
  }
  const total = counts.reduce((a, b) => a + (b ?? 0), 0)
  if (total === 0) return undefined
  const rank = q * total
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0
    if (c > 0 && seen + c >= rank) {
      const [low, high] = bucketBounds(options, i)
      return low + (high - low) * ((rank - seen) / c)
    }
    seen += c
  }
  return bucketBounds(options, counts.length - 1)[1]
}
