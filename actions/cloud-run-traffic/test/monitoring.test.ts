import { describe, expect, it } from 'vitest'
import { bucketBounds, filterFor, percentile, restMetricsApi } from '../src/monitoring.js'
import { FakeCloudRun } from '../../../test/support/fake-cloud-run.mjs'
import { sleep } from '../src/google-api.js'

describe('percentile', () => {
  it('reads buckets of every kind', () => {
    expect(bucketBounds({ linearBuckets: { numFiniteBuckets: 10, width: 100, offset: 0 } }, 3)).toEqual([200, 300])
    expect(bucketBounds({ exponentialBuckets: { numFiniteBuckets: 10, growthFactor: 2, scale: 1 } }, 4)).toEqual([8, 16])
    expect(bucketBounds({ explicitBuckets: { bounds: [10, 50, 100] } }, 2)).toEqual([50, 100])
  })

  it('interpolates inside the bucket, across merged distributions', () => {
    const options = { linearBuckets: { numFiniteBuckets: 10, width: 100, offset: 0 } }
    const d = { bucketOptions: options, bucketCounts: ['0', '90', '0', '10'] }
    expect(percentile([d], 0.95)).toBe(250)
    expect(percentile([d, { ...d, bucketCounts: ['0', '100'] }], 0.5)).toBe(52.63157894736842)
    expect(percentile([{ bucketOptions: options, bucketCounts: [] }], 0.95)).toBeUndefined()
  })
})

describe('restMetricsApi against the stand-in', () => {
  it('counts requests and 5xx by response_code_class and reads p95 from the distribution', async () => {
    const cr = await new FakeCloudRun({ rps: 1000 }).start()
    try {
      cr.addService('api', { revisions: ['old'] })
      cr.profiles.set('old', { errorRate: 0.1, latencyMs: 400 })
      const start = new Date()
      await sleep(200)
      const api = restMetricsApi({ fetch, sleep, token: async () => 't', retryBaseMs: 5, timeoutMs: 5000, debug: () => {} }, `${cr.url}/v3`)
      const q = { project: 'acme-prod', service: 'api', region: 'europe-west1', revision: 'old', start, end: new Date(), latency: true }
      const metrics = await api.revisionMetrics(q)
      expect(metrics.requests).toBeGreaterThan(150)
      expect(metrics.errors / metrics.requests).toBeCloseTo(0.1, 1)
      expect(metrics.p95Ms).toBeGreaterThan(300)
      expect(metrics.p95Ms).toBeLessThan(500)
      const list = cr.requests.find((r) => r.path === '/v3/projects/acme-prod/timeSeries')!
      expect(list.query).toMatchObject({
        filter: filterFor(q, 'run.googleapis.com/request_count'),
        'aggregation.alignmentPeriod': '60s',
        'aggregation.perSeriesAligner': 'ALIGN_DELTA',
        'aggregation.crossSeriesReducer': 'REDUCE_SUM',
        'aggregation.groupByFields': 'metric.labels.response_code_class',
        view: 'FULL',
      })
    } finally {
      await cr.stop()
    }
  })
})
