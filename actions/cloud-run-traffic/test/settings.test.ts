import { describe, expect, it } from 'vitest'
import { Inputs } from '@infra-actions/common'
import { parseStatusRanges, parseSteps, readSettings, STRATEGIES } from '../src/settings.js'
import { BUILTIN_RULES } from '../../resolve-environment/src/builtin-rules.js'

const read = (values: Record<string, string>) => readSettings(Inputs.of({ service: 'api', region: 'europe-west1', ...values }))

describe('readSettings', () => {
  it('defaults: canary, 5m, tag canary, probes on, metrics off, rollback on', () => {
    expect(read({})).toMatchObject({
      steps: [5, 100],
      intervalMs: 300_000,
      tag: 'canary',
      healthCheckPath: '/',
      healthCheckStatus: [[200, 299]],
      healthCheckAttempts: 3,
      healthCheckTimeoutMs: 10_000,
      maxErrorRate: undefined,
      maxLatencyP95Ms: undefined,
      minRequests: 1,
      rollback: true,
      dryRun: false,
      apiEndpoint: 'https://run.googleapis.com',
    })
  })

  it('accepts every deploy-strategy resolve-environment gives', () => {
    const given = new Set(Object.values(BUILTIN_RULES.environments).map((e) => e.deploy))
    for (const strategy of given) expect(Object.keys(STRATEGIES)).toContain(strategy)
    expect(read({ strategy: 'blue-green' }).steps).toEqual([25, 50, 100])
    expect(read({ strategy: 'immediate', steps: '10,100' }).steps).toEqual([10, 100])
  })

  it('a strategy name it does not know is no error when steps override it', () => {
    expect(read({ strategy: 'linear-10', steps: '10,100' }).steps).toEqual([10, 100])
    expect(() => read({ strategy: 'linear-10' })).toThrow("Input 'strategy'")
  })

  it('reads limits', () => {
    expect(read({ 'max-error-rate': '1%', 'max-latency-p95': '2s', 'min-requests': '50', interval: '5m' })).toMatchObject({
      maxErrorRate: 0.01,
      maxLatencyP95Ms: 2000,
      minRequests: 50,
    })
  })

  it.each([
    [{ service: '' }, "Input 'service' is required but was not given"],
    [{ service: 'Api_1' }, "Input 'service' must be a Cloud Run service name"],
    [{ region: 'eu' }, "Input 'region' must be a Cloud Run region name"],
    [
      { revision: 'projects/p/locations/l/services/web/revisions/web-1' },
      'Input \'revision\' names a revision of service "web", not of "api"',
    ],
    [{ 'health-check-path': 'healthz' }, "Input 'health-check-path' must start with /"],
    [{ 'health-check-url': 'ftp://x' }, "Input 'health-check-url' must be an http(s) URL"],
    [{ 'max-error-rate': 'lots' }, "Input 'max-error-rate' must be a percentage"],
    [{ rollback: 'yes' }, "Input 'rollback' must be true or false"],
  ])('names the input: %o', (values, message) => {
    expect(() => read(values)).toThrow(message)
  })

  it('refuses a tag that is too long with its service for a tag URL (46 characters together)', () => {
    const service = 'payments-api-europe-production'
    expect(read({ service, tag: 'canary-123456789' }).tag).toBe('canary-123456789') // 30 + 16 = 46
    expect(() => read({ service, tag: 'canary-1234567890' })).toThrow(
      `Input 'tag' is "canary-1234567890", which with service "${service}" makes 47 characters; Cloud Run allows at most 46 for the two together`,
    )
    // The default tag counts too.
    expect(() => read({ service: `s${'x'.repeat(40)}` })).toThrow('Input \'tag\' is "canary", which with service')
  })

  it('refuses metric checks over intervals shorter than Cloud Monitoring can see (4 minutes)', () => {
    expect(() => read({ 'max-error-rate': '1%', interval: '30s' })).toThrow(
      /^Input 'interval' must be at least 4m when max-error-rate or max-latency-p95 is set, got "30s": Cloud Monitoring/,
    )
    expect(() => read({ 'max-latency-p95': '2s', interval: '3m' })).toThrow("Input 'interval' must be at least 4m")
    expect(read({ 'max-error-rate': '1%', interval: '4m' }).intervalMs).toBe(240_000)
    // Probes alone judge any interval.
    expect(read({ interval: '10s' }).intervalMs).toBe(10_000)
  })

  it('takes a full revision name of the same service, region and project', () => {
    expect(read({ revision: 'projects/acme-prod/locations/europe-west1/services/api/revisions/api-00042-x' }).revision).toBe('api-00042-x')
    expect(
      read({ project: 'acme-prod', revision: 'projects/acme-prod/locations/europe-west1/services/api/revisions/api-00042-x' }).revision,
    ).toBe('api-00042-x')
    for (const revision of [
      'projects/acme-prod/locations/us-east1/services/api/revisions/api-00042-x',
      'projects/someone-else/locations/europe-west1/services/api/revisions/api-00042-x',
    ])
      expect(() => read({ project: 'acme-prod', revision })).toThrow(
        /Input 'revision' names a revision in .*, not in "acme-prod\/europe-west1"/,
      )
  })

  it('reads a probe timeout from 1 ms to 5 minutes (a cold start can take longer than the default 10 s)', () => {
    expect(read({ 'health-check-timeout': '45s' }).healthCheckTimeoutMs).toBe(45_000)
    for (const value of ['0s', '6m', 'soon'])
      expect(() => read({ 'health-check-timeout': value })).toThrow(/^Input 'health-check-timeout' must be/)
  })

  it('refuses an interval of 0 between steps (no bake) or past a day', () => {
    for (const interval of ['0s', '25h', '600h'])
      expect(() => read({ interval })).toThrow(/Input 'interval' must be more than 0 .* and at most 24h/)
    expect(read({ interval: '24h' }).intervalMs).toBe(86_400_000)
    // One step to 100% (recreate) has no bake between steps to skip.
    expect(read({ interval: '0s', strategy: 'recreate' }).intervalMs).toBe(0)
  })

  it('takes a full revision name whose project is the number of the project named by ID (they cannot be compared)', () => {
    expect(
      read({ project: 'acme-prod', revision: 'projects/123456789012/locations/europe-west1/services/api/revisions/api-00042-x' }).revision,
    ).toBe('api-00042-x')
  })

  it('refuses a health-check-url holding credentials, without showing them', () => {
    const error = (() => {
      try {
        read({ 'health-check-url': 'https://bob:hunter2@api.example.com/health' })
      } catch (e) {
        return (e as Error).message
      }
      return ''
    })()
    expect(error).toMatch(/Input 'health-check-url' must not hold credentials/)
    expect(error).not.toContain('hunter2')
    // Nor when the URL is mistyped and refused as no URL.
    for (const url of ['htps://admin:hunter2@api.example.com/health', 'https://admin:hunter2@api example.com/health'])
      expect(() => read({ 'health-check-url': url })).toThrow(/must be an http\(s\) URL, got "[a-z]+:\/\/…@api/)
  })
})

describe('parseSteps', () => {
  it.each([
    ['5, 25, 50, 100', [5, 25, 50, 100]],
    ['100', [100]],
    ['10%,100%', [10, 100]],
  ])('%s', (value, steps) => expect(parseSteps(value)).toEqual(steps))

  it.each(['0,100', '50,50,100', '5,50', '5,x,100', '5,101'])('refuses %s', (value) =>
    expect(() => parseSteps(value)).toThrow(/Input 'steps'/),
  )
})

describe('parseStatusRanges', () => {
  it('reads codes and ranges', () => {
    expect(parseStatusRanges('200-299, 301,404')).toEqual([
      [200, 299],
      [301, 301],
      [404, 404],
    ])
    expect(() => parseStatusRanges('399-200')).toThrow(/health-check-status/)
  })
})
