import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { Inputs } from '@infra-actions/common'
import { runAction } from '../scripts/run-action.mjs'
import { FakeCloudRun } from './support/fake-cloud-run.mjs'
import { FakeGitHub } from './support/fake-github.mjs'

// The public entry points: each action.yml is complete and agrees with the code in both
// directions (the inputs the settings reader reads, the outputs the built action writes), and
// its README's tables are generated from it.
const ROOT = path.resolve('.')
const actions = readdirSync(path.join(ROOT, 'actions')).filter((a) => existsSync(path.join(ROOT, 'actions', a, 'src', 'index.ts')))
const EVENT = path.join(ROOT, 'examples/events/pull_request.opened.main.json')

/**
 * Per action: valid values for every input (so its settings reader reads them all), and a run of
 * the built action that succeeds or fails as the action's outputs promise. A new action without
 * an entry here fails this test.
 */
const SCENARIOS: Record<
  string,
  {
    inputs: Record<string, string>
    run: Record<string, string>
    /** Seeds the Cloud Run stand-in and returns the run's extra environment. */
    cloudRun?: (fake: FakeCloudRun) => Record<string, string>
  }
> = {
  'resolve-environment': {
    inputs: { config: 'examples/environments.yml', environment: 'prod', 'require-match': 'true', 'github-token': 't' },
    run: { config: 'examples/environments.yml' },
  },
  'plan-comment': {
    inputs: {
      mode: 'single',
      'plan-json': 'examples/plans/pr-replace.json',
      'plan-file': '',
      'terraform-binary': 'terraform',
      'working-directory': '.',
      environment: 'prod',
      key: 'k',
      title: 't',
      'comment-mode': 'update',
      'max-length': '60000',
      'github-token': 't',
      'comment-author': 'bot',
      'pr-number': '1',
      artifact: 'false',
      summaries: '',
      'drift-issue': 'false',
      'issue-labels': 'drift',
    },
    run: { 'plan-json': 'examples/plans/pr-replace.json', environment: 'prod' },
  },
  'destroy-gate': {
    inputs: {
      'plan-json': 'examples/plans/pr-replace.json',
      'plan-file': '',
      'terraform-binary': 'terraform',
      'working-directory': '.',
      'max-destroy': '1',
      'count-replace': 'true',
      'allow-destroy': 'false',
      protected: 'x.*',
      ignore: 'y.*',
      'allow-label': 'allow-destroy',
      'allow-review': 'true',
      policy: 'examples/destroy-policy.yml',
      environment: 'prod',
      'pr-number': '1',
      'github-token': 't',
    },
    run: { 'plan-json': 'examples/plans/pr-replace.json', policy: 'examples/destroy-policy.yml', environment: 'prod' },
  },
  'scan-report': {
    inputs: {
      trivy: 'examples/scans/trivy.json',
      checkov: 'examples/scans/checkov.json',
      sarif: 'test/corpus/trivy/trivy-action-config.v0.72.0.sarif',
      'trivy-root': '.',
      'fail-on': 'critical',
      'checkov-severity': 'low',
      'ignore-file': 'examples/scans/scan-ignore.yml',
      baseline: 'test/corpus/trivy/trivy-alpine-310.sarif.golden',
      'new-only': 'true',
      'sarif-output': 'merged.sarif',
      category: 'scans',
      'comment-mode': 'update',
      key: 'k',
      'github-token': 't',
      'comment-author': 'acme-scan[bot]',
      'pr-number': '1',
      'max-annotations': '5',
      'max-length': '60000',
    },
    // Fails (a critical secret), and still writes every output before failing.
    run: { trivy: 'examples/scans/trivy.json', checkov: 'examples/scans/checkov.json', 'ignore-file': 'examples/scans/scan-ignore.yml' },
  },
  'cloud-run-traffic': {
    inputs: {
      service: 'api',
      region: 'europe-west1',
      project: 'acme-prod',
      revision: 'api-00002-new',
      strategy: 'canary',
      steps: '5,25,100',
      interval: '5m',
      tag: 'canary',
      'health-check-url': 'https://canary---api.example/healthz',
      'health-check-path': '/healthz',
      'health-check-status': '200-399',
      'health-check-attempts': '3',
      'health-check-timeout': '30s',
      'id-token': 't',
      'max-error-rate': '1%',
      'max-latency-p95': '2s',
      'min-requests': '10',
      rollback: 'true',
      'dry-run': 'false',
      'access-token': 't',
      'api-endpoint': 'https://run.googleapis.com',
      'monitoring-endpoint': 'https://monitoring.googleapis.com',
    },
    run: { service: 'api', region: 'europe-west1', project: 'acme-prod', 'access-token': 'ya29.t', steps: '50,100', interval: '100ms' },
    cloudRun: (fake) => {
      fake.addService('api', {
        revisions: ['api-00001-old', 'api-00002-new'],
        traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001-old', percent: 100 }],
      })
      // Google's own endpoint variables, as a private endpoint would be set.
      return {
        GHA_ENDPOINT_OVERRIDE_run: fake.url,
        GHA_ENDPOINT_OVERRIDE_monitoring: fake.url,
        INFRA_ACTIONS_RETRY_BASE_MS: '5',
        METADATA_SERVER_DETECTION: 'none',
      }
    },
  },
}

let gh: FakeGitHub
let cloudRun: FakeCloudRun
beforeAll(async () => {
  gh = await new FakeGitHub().start()
  cloudRun = await new FakeCloudRun({ reconcileMs: 20 }).start()
})
afterAll(async () => Promise.all([gh.stop(), cloudRun.stop()]))

describe.each(actions)('%s/action.yml', (action) => {
  const metadata = parse(readFileSync(path.join(ROOT, action, 'action.yml'), 'utf8'))
  const scenario = SCENARIOS[action]

  it('runs the committed bundle on node24, with branding', () => {
    expect(metadata.runs).toMatchObject({ using: 'node24', main: `../dist/${action}/index.js` })
    expect(existsSync(path.join(ROOT, action, metadata.runs.main))).toBe(true)
    expect(metadata.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) })
  })

  it('describes every input and output', () => {
    for (const [name, spec] of Object.entries({ ...metadata.inputs, ...metadata.outputs }))
      expect((spec as { description?: string }).description, name).toMatch(/\w{3}/)
  })

  it('has a scenario in this test', () => {
    expect(scenario, `add ${action} to SCENARIOS in test/metadata.test.ts`).toBeDefined()
    expect(Object.keys(scenario!.inputs).sort()).toEqual(Object.keys(metadata.inputs).sort())
  })

  it('reads exactly the inputs action.yml declares', async () => {
    const { readSettings } = (await import(`../actions/${action}/src/settings.ts`)) as {
      readSettings: (i: Inputs, ...rest: unknown[]) => unknown
    }
    const inputs = Inputs.of(scenario!.inputs)
    await readSettings(inputs, ROOT)
    expect([...inputs.names].sort()).toEqual(Object.keys(metadata.inputs).sort())
  })

  it('writes exactly the outputs action.yml declares', async () => {
    const env = { GITHUB_WORKSPACE: ROOT, ...scenario!.cloudRun?.(cloudRun) }
    const r = await runAction({ action, inputs: scenario!.run, event: EVENT, apiUrl: gh.url, cwd: ROOT, env })
    expect(Object.keys(r.outputs).sort(), `${r.stdout}${r.stderr}`).toEqual(Object.keys(metadata.outputs).sort())
  })
})

describe('generated docs', () => {
  it('README tables match action.yml (npm run docs)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/docs.mjs', '--check'], { stdio: 'pipe' })).not.toThrow()
  })
})
