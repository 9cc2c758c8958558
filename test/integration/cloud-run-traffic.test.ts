import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction, type RunResult } from '../../scripts/run-action.mjs'
import { startConnectProxy } from '../support/connect-proxy.js'
import { FakeCloudRun, type ApiTarget } from '../support/fake-cloud-run.mjs'

// The built action against the Cloud Run / Monitoring stand-in, with intervals of a second or
// less: every run is a real process, with the runner's files, post step and signals.
const REV = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION'
const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'
const OLD = 'api-00001-old'
const NEW = 'api-00002-new'
const TOKEN = 'ya29.a0-access-token-never-logged'
const START: ApiTarget[] = [{ type: REV, revision: OLD, percent: 100 }]

let cr: FakeCloudRun
let cwd: string
beforeEach(async () => {
  cr = await new FakeCloudRun({ reconcileMs: 80 }).start()
  cwd = mkdtempSync(path.join(tmpdir(), 'it-crt-'))
})
afterEach(async () => cr.stop())

const service = (traffic: ApiTarget[] = START, options: { private?: boolean; revisions?: string[] } = {}) =>
  cr.addService('api', { revisions: options.revisions ?? [OLD, NEW], traffic, private: options.private })

const run = (
  inputs: Record<string, string> = {},
  options: { env?: Record<string, string>; interrupt?: Parameters<typeof runAction>[0]['interrupt'] } = {},
) =>
  runAction({
    action: 'cloud-run-traffic',
    inputs: {
      service: 'api',
      region: 'europe-west1',
      project: 'acme-prod',
      'access-token': TOKEN,
      'api-endpoint': cr.url,
      'monitoring-endpoint': cr.url,
      interval: '300ms',
      ...inputs,
    },
    env: {
      INFRA_ACTIONS_RETRY_BASE_MS: '10',
      // Metric checks over sub-second intervals (the stand-in's Monitoring has no ingestion delay).
      INFRA_ACTIONS_MIN_METRICS_INTERVAL_MS: '0',
      METADATA_SERVER_DETECTION: 'none',
      HOME: cwd,
      ...options.env,
    },
    interrupt: options.interrupt,
    cwd,
  })

// Workflow commands escape % as %25 (the runner shows them unescaped).
const errors = (r: RunResult) =>
  r.stdout
    .split('\n')
    .filter((l) => l.startsWith('::error::'))
    .map((l) => l.replace(/%25/g, '%'))
const unescaped = (r: RunResult) => r.stdout.replace(/%25/g, '%')
const patches = () => cr.requests.filter((q) => q.method === 'PATCH')
const pinned = (traffic: ApiTarget[]) =>
  traffic.map((t) => ({ ...t })).sort((a, b) => `${a.revision}${a.tag}`.localeCompare(`${b.revision}${b.tag}`))
const METRICS = { 'max-error-rate': '1%', 'max-latency-p95': '2s', 'min-requests': '5' }

/** No secret anywhere but in the `::add-mask::` commands that hide it. */
function expectNoSecrets(r: RunResult, secrets: string[]) {
  const text = [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.summary, JSON.stringify(r.outputs)].join('\n')
  for (const s of secrets) expect(text).not.toContain(s)
}

describe('cloud-run-traffic (built action)', () => {
  it('promotes a canary: updateMask=traffic PATCHes of the whole pinned list, each guarded by an etag, then settled', async () => {
    service([...START, { type: REV, revision: 'api-00000-pr7', percent: 0, tag: 'pr-7' }], { revisions: ['api-00000-pr7', OLD, NEW] })
    const r = await run({ ...METRICS, interval: '1s' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({
      revision: NEW,
      result: 'promoted',
      url: `${cr.url}/_run/api`,
      'tag-url': `${cr.url}/_run/canary---api`,
    })
    expect(JSON.parse(r.outputs['previous-traffic']!)).toEqual([
      { type: REV, revision: OLD, percent: 100 },
      { type: REV, revision: 'api-00000-pr7', percent: 0, tag: 'pr-7' },
    ])
    expect(JSON.parse(r.outputs.traffic!)).toEqual(cr.trafficOf('api'))
    const updates = cr.updates('api')
    expect(updates.map((u) => u.query)).toEqual([{ updateMask: 'traffic,annotations' }, { updateMask: 'traffic,annotations' }])
    expect((updates[0]!.body as { traffic: ApiTarget[] }).traffic).toEqual([
      { type: REV, revision: OLD, percent: 95 },
      { type: REV, revision: 'api-00000-pr7', percent: 0, tag: 'pr-7' },
      { type: REV, revision: NEW, percent: 5, tag: 'canary' },
    ])
    // Each update is conditional on the etag of a read made right before it.
    for (const u of updates) {
      const before = cr.requests.filter((q) => q.at <= u.at && q.method === 'GET' && q.path === `/v2/${cr.serviceName('api')}`).at(-1)
      expect((u.body as { etag: string }).etag).toMatch(/^"/)
      expect(before).toBeDefined()
    }
    expect(cr.service('api').annotations).toEqual({})
    expect(pinned(cr.trafficOf('api'))).toEqual(
      pinned([
        { type: REV, revision: 'api-00000-pr7', percent: 0, tag: 'pr-7' },
        { type: REV, revision: NEW, percent: 100, tag: 'canary' },
      ]),
    )
    expect(r.stdout).toContain('::group::Step 1/2: 5%25 to api-00002-new')
    expect(r.stdout).toMatch(
      /Metrics of api-00002-new since .*: \d+ requests; error rate 0% \(stable 0%\); p95 latency \d+ ms \(stable \d+ ms\)/,
    )
    expect(r.summary).toContain('### ✅ Promoted: `api-00002-new` on Cloud Run service `api`')
    expect(r.summary).toMatch(/\| `api-00001-old 95% · api-00002-new 5% \(canary\)` \| ✓ 200 in \d+ ms · ✓ 200 in \d+ ms \| \d+ requests/)
    expect(r.summary).toContain('| promoted |')
    expect(r.stdout).toContain('The rollout ended (promoted); nothing to restore.')
    expectNoSecrets(r, [TOKEN])
  })

  it('rolls back when the probe fails at 25%, restoring the exact starting split, foreign tags included', async () => {
    const start = [
      { type: REV, revision: OLD, percent: 90, tag: 'stable' },
      { type: REV, revision: 'api-00000-pr7', percent: 10 },
      { type: REV, revision: 'api-00000-pr7', percent: 0, tag: 'pr-7' },
    ]
    service(start, { revisions: ['api-00000-pr7', OLD, NEW] })
    cr.health = (revision, { percent }) => (revision === NEW && percent >= 25 ? 503 : 200)
    const r = await run({ steps: '10, 25, 100' })
    expect(r.exitCode).toBe(1)
    expect(r.outputs.result).toBe('rolled-back')
    expect(errors(r)).toEqual([
      expect.stringMatching(
        /^::error::The health probe of api-00002-new failed at 25%: .*\/_run\/canary---api\/ answered 503 after 3 attempts\. The starting split is restored: api-00001-old 90% \(stable\) · api-00000-pr7 10%\.$/,
      ),
    ])
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(start))
    expect(cr.service('api').annotations).toEqual({})
    expect(JSON.parse(r.outputs.traffic!)).toEqual(start)
    expect(r.summary).toContain('| probe failed: roll back |')
    expect(r.summary).toContain('| rolled back |')
  })

  it('rolls back when the new revision is worse than stable; the same error rate as stable is fine', async () => {
    service()
    cr.profiles.set(NEW, { errorRate: 0.08 })
    cr.profiles.set(OLD, { errorRate: 0.002 })
    const bad = await run({ ...METRICS, steps: '50,100' })
    expect(bad.outputs.result).toBe('rolled-back')
    expect(errors(bad)[0]).toMatch(/error rate \d+(\.\d+)?% \(stable 0(\.\d+)?%\) over max-error-rate 1%: unhealthy/)
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(START))
    cr.profiles.set(OLD, { errorRate: 0.08 })
    const same = await run({ ...METRICS, steps: '50,100' })
    expect(same.outputs.result, same.stdout).toBe('promoted')
    expect(same.stdout).toMatch(/error rate (\d+(\.\d+)?)% \(stable \1%\) over max-error-rate 1%, but no worse than stable/)
  })

  it('waits one more interval when too few requests came in, then goes on', async () => {
    cr.rps = 100 // 5 requests a second at 5%
    service()
    const r = await run({ ...METRICS, 'min-requests': '8', interval: '1s' })
    expect(r.outputs.result, r.stdout).toBe('promoted')
    expect(r.stdout).toMatch(/[4-6] requests, fewer than min-requests 8: inconclusive/)
    expect(r.summary).toContain('| inconclusive: one more interval |')
    expect(r.summary).toContain('| healthy: go on |')
  })

  it('fails after two inconclusive intervals', async () => {
    cr.rps = 1
    service()
    const r = await run({ ...METRICS, 'min-requests': '50' })
    expect(r.outputs.result).toBe('rolled-back')
    expect(errors(r)[0]).toMatch(/stayed inconclusive for two intervals/)
  })

  it('re-reads and retries on an etag conflict (409 ABORTED), and rides out 429s and a hang', async () => {
    service()
    cr.fault({ method: 'PATCH', path: '/services/api', status: 409 })
    cr.fault({ method: 'GET', path: '/services/api', status: 429, times: 2 })
    cr.fault({ method: 'GET', path: '/revisions/', hangMs: 3000 })
    const r = await run({ 'max-error-rate': '1%' }, { env: { INFRA_ACTIONS_REQUEST_TIMEOUT_MS: '400' } })
    expect(r.outputs.result, r.stdout).toBe('promoted')
    const sequence = cr.requests.filter((q) => q.path.endsWith('/services/api')).map((q) => `${q.method} ${q.status}`)
    expect(sequence.slice(0, 6)).toEqual(['GET 429', 'GET 429', 'GET 200', 'GET 200', 'PATCH 409', 'GET 200'])
    // The revision read that hung was abandoned after 400 ms and tried again.
    expect(cr.requests.filter((q) => q.path.includes('/revisions/')).length).toBe(2)
    expect(cr.updates('api')).toHaveLength(2)
  })

  it('a real etag conflict: someone changed the split meanwhile, so it stops and leaves it', async () => {
    service()
    cr.health = (revision, { percent }) => {
      // While the first step bakes, someone else moves traffic.
      if (percent === 5 && cr.updates('api').length === 1 && cr.trafficOf('api').length === 2) {
        cr.trafficOf('api').splice(
          0,
          2,
          { type: REV, revision: OLD, percent: 100 },
          { type: REV, revision: NEW, percent: 0, tag: 'canary' },
        )
      }
      return 200
    }
    const r = await run({})
    expect(r.exitCode).toBe(1)
    expect(r.outputs.result).toBe('failed')
    expect(errors(r)[0]).toMatch(
      /Someone else changed the traffic of api during the rollout .*; this action stops and leaves it as it is\./,
    )
    expect(cr.updates('api')).toHaveLength(1)
    expect(r.stdout).toMatch(/The rollout ended \(failed\); nothing to restore\./)
  })

  it('a foreign write between our read and our PATCH: 409 on the etag, the re-read sees it, and it stops', async () => {
    service()
    const byHand = [
      { type: REV, revision: OLD, percent: 50 },
      { type: REV, revision: 'api-00003-hotfix', percent: 50 },
    ]
    cr.addRevision('api', 'api-00003-hotfix')
    cr.beforePatch = (id: string) => cr.foreignWrite(id, byHand)
    const r = await run({})
    expect(r.exitCode).toBe(1)
    expect(r.outputs.result).toBe('failed')
    const sequence = cr.requests.filter((q) => q.path.endsWith('/services/api')).map((q) => `${q.method} ${q.status}`)
    expect(sequence).toContain('PATCH 409')
    expect(errors(r)[0]).toMatch(
      /Someone else changed the traffic of api during the rollout \(it is now api-00001-old 50% · api-00003-hotfix 50%\)/,
    )
    expect(cr.updates('api')).toHaveLength(0)
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(byHand))
    expect(r.stdout).toMatch(/The rollout ended \(failed\); nothing to restore\./)
  })

  it('retries a 503 on an update, and rolls back when the API keeps failing', async () => {
    service()
    cr.fault({ method: 'PATCH', path: '/services/api', status: 503 })
    const ok = await run({ strategy: 'rolling' })
    expect(ok.outputs.result, ok.stdout).toBe('promoted')

    cr.addRevision('api', 'api-00003-next')
    const before = cr.trafficOf('api').map((t) => ({ ...t }))
    let injected = false
    cr.health = (revision, { percent }) => {
      // The update to 50% fails five times: the first try and its four retries.
      if (revision === 'api-00003-next' && percent === 25 && !injected)
        cr.fault({ method: 'PATCH', path: '/services/api', status: 503, times: 5 })
      injected ||= revision === 'api-00003-next' && percent === 25
      return 200
    }
    const r = await run({ strategy: 'rolling', revision: 'api-00003-next', 'health-check-attempts': '1' })
    expect(r.outputs.result, r.stdout).toBe('rolled-back')
    expect(errors(r)[0]).toMatch(
      /Could not update the traffic of .*services\/api: 503 UNAVAILABLE: The service is currently unavailable\. \(after 5 attempts\)\..*The starting split is restored/,
    )
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(before))
  })

  it('rolls back when the operation fails', async () => {
    service()
    cr.failNextOperation = 'Revision api-00002-new is not ready and cannot serve traffic.'
    const r = await run({})
    expect(r.outputs.result).toBe('rolled-back')
    expect(errors(r)[0]).toMatch(/The traffic update failed: Revision api-00002-new is not ready/)
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(START))
  })

  it('on cancellation (SIGINT, then SIGTERM) sends the restoring update at once; the post step sees it through', async () => {
    cr.reconcileMs = 1500
    service()
    const r = await run(
      { interval: '30s', steps: '20,100' },
      {
        interrupt: {
          when: /Baking for 30 s/,
          signals: [
            ['SIGINT', 0],
            ['SIGTERM', 300],
            ['SIGKILL', 2800],
          ],
        },
      },
    )
    expect(r.codes.main).toBe(1)
    const restore = patches().at(-1)!
    expect(restore.at - r.interruptedAt!).toBeLessThan(250)
    expect((restore.body as { traffic: ApiTarget[] }).traffic).toEqual([{ type: REV, revision: OLD, percent: 100 }])
    expect(unescaped(r)).toContain(
      '::warning::Received SIGINT: the job is being cancelled; restoring the starting split now (api-00001-old 100%).',
    )
    expect(r.stdout).toContain('Received SIGTERM: not waiting any longer')
    expect(errors(r)).toEqual([
      '::error::The job was cancelled (SIGINT) at step 1/2 (20%); the update restoring api-00001-old 100% was sent, and the post step checks that it is served.',
    ])
    // Not confirmed within the main step's time: not called rolled back; the post step confirms it.
    expect(r.outputs.result).toBe('failed')
    expect(r.codes.post).toBe(0)
    expect(r.stdout).toContain('The starting split of api is in place: api-00001-old 100%.')
    expect(cr.trafficOf('api')).toEqual(START)
    expect(cr.service('api').reconciling).toBe(false)
  })

  it('on cancellation leaves a split someone else set by hand during the rollout (the restoring update is conditional)', async () => {
    cr.addService('api', { revisions: [OLD, NEW], traffic: START, annotations: { team: 'payments' } })
    const byHand: ApiTarget[] = [
      { type: REV, revision: 'api-00003-hotfix', percent: 100 },
      { type: REV, revision: OLD, percent: 0, tag: 'old' },
    ]
    const r = await run(
      { interval: '30s', steps: '20,100', revision: NEW },
      {
        interrupt: {
          when: /Baking for 30 s/,
          // On-call shifts everything to a hotfix, then the job is cancelled.
          before: () => {
            cr.addRevision('api', 'api-00003-hotfix')
            cr.foreignWrite('api', byHand)
          },
          signals: [['SIGINT', 300]],
        },
      },
    )
    expect(r.codes.main).toBe(1)
    expect(r.outputs.result).toBe('failed')
    expect(errors(r)[0]).toMatch(
      /The job was cancelled \(SIGINT\) at step 1\/2 \(20%\); Someone else changed the traffic of api during the rollout/,
    )
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(byHand))
    expect(cr.service('api').annotations).toMatchObject({ team: 'payments' })
    // Every update the rollout sent was conditional on what it had read.
    expect(patches().every((p) => typeof (p.body as { etag?: unknown }).etag === 'string')).toBe(true)
    expect(r.codes.post).toBe(0)
    expect(pinned(cr.trafficOf('api'))).toEqual(pinned(byHand))
  })

  it('a re-run after a killed one picks up from the annotation: the current step, then on; a rollback restores the first start', async () => {
    service()
    const killed = await run(
      { steps: '10,50,100', interval: '30s' },
      { interrupt: { when: /Baking for 30 s/, signals: [['SIGKILL', 0]], post: false } },
    )
    expect(killed.codes.main).toBe(128)
    expect(killed.codes.post).toBeUndefined()
    const annotation = JSON.parse(cr.service('api').annotations['infra-actions/cloud-run-traffic']!)
    expect(annotation).toMatchObject({
      v: 1,
      revision: NEW,
      tag: 'canary',
      percent: 10,
      start: [{ revision: OLD, percent: 100 }],
      run: '4242',
    })
    const before = patches().length

    const resumed = await run({ steps: '10,50,100' })
    expect(resumed.outputs.result, resumed.stdout).toBe('promoted')
    expect(resumed.stdout).toContain(
      'Resuming the rollout of api-00002-new interrupted at 10% (https://github.com/acme/infra/actions/runs/4242); a rollback restores api-00001-old 100%.',
    )
    expect(resumed.stdout).toContain('::group::Step 1/3: 10%25 to api-00002-new (resumed)')
    const shares = patches()
      .slice(before)
      .map((p) => (p.body as { traffic: ApiTarget[] }).traffic.find((t) => t.revision === NEW)?.percent)
    expect(shares).toEqual([50, 100])
    expect(JSON.parse(resumed.outputs['previous-traffic']!)).toEqual(START)
  })

  it('a re-run after a killed one rolls back to the split before the first run', async () => {
    service()
    await run({ steps: '10,50,100', interval: '30s' }, { interrupt: { when: /Baking for 30 s/, signals: [['SIGKILL', 0]], post: false } })
    cr.health = (revision, { percent }) => (revision === NEW && percent === 50 ? 500 : 200)
    const r = await run({ steps: '10,50,100', 'health-check-attempts': '1' })
    expect(r.outputs.result).toBe('rolled-back')
    expect(cr.trafficOf('api')).toEqual(START)
    expect(cr.service('api').annotations).toEqual({})
  })

  it('dry run: every planned split and the rollback split validated with validateOnly=true, nothing changed', async () => {
    service()
    const etag = cr.service('api').etag
    const r = await run({ 'dry-run': 'true', strategy: 'blue-green' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.result).toBe('dry-run')
    expect(patches().map((p) => p.query)).toEqual(Array(4).fill({ updateMask: 'traffic,annotations', validateOnly: 'true' }))
    expect(patches().map((p) => (p.body as { traffic: ApiTarget[] }).traffic.find((t) => t.revision === NEW)?.percent)).toEqual([
      25,
      50,
      100,
      undefined,
    ])
    expect(cr.service('api').etag).toBe(etag)
    expect(cr.trafficOf('api')).toEqual(START)
    expect(r.summary).toContain('rollback: valid (validateOnly), not applied')
  })

  it('a dry run that the API refuses fails with the API’s reason', async () => {
    service()
    cr.fault({
      method: 'PATCH',
      path: '/services/api',
      status: 400,
      body: {
        error: {
          code: 400,
          message: 'Invalid traffic split.',
          status: 'INVALID_ARGUMENT',
          details: [
            { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'service.traffic', description: 'quota' }] },
          ],
        },
      },
    })
    const r = await run({ 'dry-run': 'true' })
    expect(errors(r)).toEqual([
      '::error::Could not validate the traffic of projects/acme-prod/locations/europe-west1/services/api: 400 INVALID_ARGUMENT: Invalid traffic split. (service.traffic: quota).',
    ])
    expect(r.outputs.result).toBe('failed')
  })

  it('pins a LATEST target in the first update, so its tag stops following deploys', async () => {
    service([
      { type: REV, revision: OLD, percent: 100 },
      { type: LATEST, percent: 0, tag: 'latest' },
    ])
    const r = await run({ steps: '100' })
    expect(r.outputs.result, r.stdout).toBe('promoted')
    const first = patches()[0]!.body as { traffic: ApiTarget[] }
    expect(first.traffic.every((t) => t.type === REV && t.revision)).toBe(true)
    expect(first.traffic).toContainEqual({ type: REV, revision: NEW, percent: 0, tag: 'latest' })
    expect(JSON.parse(r.outputs['previous-traffic']!)).toContainEqual({ type: REV, revision: NEW, percent: 0, tag: 'latest' })
  })

  it('probes a private service with an ID token minted through IAM Credentials (ADC from a Workload Identity Federation file)', async () => {
    service(START, { private: true })
    const subject = path.join(cwd, 'oidc-token')
    writeFileSync(subject, 'eyJ.github-oidc-subject-token.sig')
    const credentials = path.join(cwd, 'creds.json')
    writeFileSync(
      credentials,
      JSON.stringify({
        type: 'external_account',
        audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/providers/gh',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${cr.url}/v1/token`,
        service_account_impersonation_url: `${cr.url}/v1/projects/-/serviceAccounts/deployer@acme-prod.iam.gserviceaccount.com:generateAccessToken`,
        credential_source: { file: subject },
      }),
    )
    const r = await run(
      { 'access-token': '', project: '' },
      {
        env: {
          GOOGLE_APPLICATION_CREDENTIALS: credentials,
          GOOGLE_CLOUD_PROJECT: 'acme-prod',
          GHA_ENDPOINT_OVERRIDE_iamcredentials: `${cr.url}/v1`,
        },
      },
    )
    expect(r.outputs.result, r.stdout + r.stderr).toBe('promoted')
    expect(cr.idTokens.size).toBe(1)
    // Minted for the service's own URL, the audience Cloud Run always accepts (not the tag URL's).
    expect([...cr.idTokens.values()]).toEqual([`${cr.url}/_run/api`])
    expect(r.stdout).toMatch(/Probe .*canary---api\/ → 200 in \d+ ms/)
    const minted = [...cr.idTokens.keys(), ...cr.accessTokens]
    expect(minted.length).toBeGreaterThan(1)
    expectNoSecrets(r, minted)
  })

  it('says what to do when a private service refuses the probe and no token can be minted', async () => {
    service(START, { private: true })
    const r = await run({ 'health-check-attempts': '1' })
    expect(r.outputs.result).toBe('rolled-back')
    expect(errors(r)[0]).toMatch(/403 after 1 attempt \(a private service\? give `id-token`/)
  })

  it.each([
    [{ steps: '50,25,100' }, '::error::Input \'steps\' must be strictly increasing, but 25 follows 50 in "50,25,100"'],
    [{ steps: '5,50' }, '::error::Input \'steps\' must end with 100 (the new revision takes all traffic), got "5,50"'],
    [
      { strategy: 'big-bang' },
      "::error::Input 'strategy' must be one of 'canary', 'blue-green', 'rolling', 'recreate', 'immediate', got \"big-bang\"",
    ],
    [{ revision: 'api-00009-nope' }, "::error::Input 'revision': service api has no revision api-00009-nope."],
    [
      { revision: 'api-00003-broken' },
      '::error::Revision api-00003-broken is not ready (CONDITION_FAILED: CONTAINER_MISSING: Image not found.); traffic is not shifted to it.',
    ],
    [{ service: 'nope' }, '::error::Cloud Run service nope was not found in project acme-prod, region europe-west1.'],
    [{ interval: 'soon' }, '::error::Input \'interval\' must be a duration such as 30s, 5m or 1h, got "soon"'],
  ])('refuses bad input before any change: %o', async (inputs, error) => {
    service()
    cr.addRevision('api', 'api-00003-broken', { ready: false })
    const r = await run(inputs)
    expect(r.exitCode).toBe(1)
    expect(errors(r)).toEqual([error])
    expect(r.outputs.result).toBe('failed')
    expect(patches()).toEqual([])
    expect(r.stdout).toContain('No traffic was changed; nothing to restore.')
  })

  it('refuses to start without credentials', async () => {
    service()
    const r = await run({ 'access-token': '' })
    expect(errors(r)[0]).toMatch(
      /^::error::No Google credentials: give 'access-token', or run google-github-actions\/auth before this step \(Application Default Credentials: Could not load the default credentials/,
    )
    expect(cr.requests).toEqual([])
  })

  it("goes through the runner's proxy (HTTPS_PROXY) for the Cloud Run and Monitoring APIs", async () => {
    service()
    const proxy = await startConnectProxy(new URL(cr.url))
    try {
      // Hosts that do not resolve: only the proxy can reach the stand-in. The probes go to the
      // stand-in's loopback tag URL, which bypasses proxies.
      const r = await run(
        {
          ...METRICS,
          steps: '50,100',
          'api-endpoint': 'http://run.googleapis.test',
          'monitoring-endpoint': 'http://monitoring.googleapis.test',
        },
        { env: { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url } },
      )
      expect(r.exitCode, r.stdout).toBe(0)
      expect(r.outputs.result).toBe('promoted')
      expect(new Set(proxy.connects)).toEqual(new Set(['run.googleapis.test:80', 'monitoring.googleapis.test:80']))
    } finally {
      await proxy.stop()
    }
  })

  it('does nothing when the revision already serves 100%', async () => {
    service([{ type: REV, revision: NEW, percent: 100, tag: 'canary' }])
    const r = await run({})
    expect(r.outputs.result).toBe('promoted')
    expect(patches()).toEqual([])
    expect(r.stdout).toContain('api-00002-new already serves 100%; nothing to shift.')
  })
})
