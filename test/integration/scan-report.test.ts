import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/run-action.mjs'
import { FakeGitHub } from '../support/fake-github.mjs'
import { validateSarif } from '../support/sarif-multitool.js'

// The built bundle (dist/scan-report), run as the runner runs it, against the GitHub stand-in.
const EVENT = path.resolve('examples/events/pull_request.opened.main.json')
const PR = 42
const TRIVY = path.resolve('examples/scans/trivy.json')
const CHECKOV = path.resolve('examples/scans/checkov.json')
const IGNORE = path.resolve('examples/scans/scan-ignore.yml')
let gh: FakeGitHub
let dir: string

beforeEach(async () => {
  gh = await new FakeGitHub().start()
  dir = mkdtempSync(path.join(tmpdir(), 'it-scan-'))
})
afterEach(async () => gh.stop())

const run = (inputs: Record<string, string>, options: { env?: Record<string, string>; event?: string } = {}) =>
  runAction({
    action: 'scan-report',
    inputs: { 'ignore-file': IGNORE, ...inputs },
    event: options.event ?? EVENT,
    apiUrl: gh.url,
    cwd: dir,
    env: { INFRA_ACTIONS_RETRY_BASE_MS: '5', INFRA_ACTIONS_REQUEST_TIMEOUT_MS: '1000', ...options.env },
  })
const comments = () => gh.commentsOf('acme', 'infra', PR)
const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'))

describe('scan-report (built action)', () => {
  it('warns, naming comment-author, when a GitHub App token posts as another author; with it set, edits its own comment', async () => {
    await gh.stop()
    gh = await new FakeGitHub({ appLogin: 'acme-scan[bot]' }).start()
    const app = (inputs: Record<string, string>) =>
      runAction({
        action: 'scan-report',
        inputs: { trivy: TRIVY, 'fail-on': 'none', ...inputs },
        event: EVENT,
        apiUrl: gh.url,
        cwd: dir,
        token: 'ghs_app_installation',
        env: { INFRA_ACTIONS_RETRY_BASE_MS: '5' },
      })
    const first = await app({})
    expect(first.stdout).toContain("::warning::GitHub posted the PR comment as 'acme-scan[bot]', not as 'github-actions[bot]'")
    expect(first.stdout).toContain("Set input 'comment-author: acme-scan[bot]'")
    await app({ 'comment-author': 'acme-scan[bot]' })
    const set = await app({ 'comment-author': 'acme-scan[bot]' })
    expect(set.stdout).not.toContain('GitHub posted the PR comment as')
    // The first run's comment is the app's too: found and edited, never posted again.
    expect(comments()).toHaveLength(1)
  })

  it('fails on the critical secret with one message, after writing outputs, summary, SARIF and the comment', async () => {
    const r = await run({ trivy: TRIVY, checkov: CHECKOV })
    expect(r.exitCode).toBe(1)
    expect(errors(r.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          "^::error::4 findings at or above 'high' \\(1 critical, 3 high; 3 from Trivy, 1 from Checkov\\)\\. " +
            'See the PR comment https://github\\.com/acme/infra/pull/42#issuecomment-\\d+ and the job summary of .*; the merged SARIF is .*scan-report\\.sarif\\.$',
        ),
      ),
    ])
    expect(r.outputs).toMatchObject({
      total: '7',
      critical: '1',
      high: '3',
      medium: '3',
      low: '0',
      unknown: '0',
      new: '7',
      suppressed: '2',
      failed: 'true',
    })
    expect(r.outputs['sarif-file']).toBe(path.join(r.tmp, 'scan-report.sarif'))
    expect(JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8')).runs).toHaveLength(2)
    expect(r.summary).toContain('**Failed: 4 findings at or above high**')
    expect(comments()).toHaveLength(1)
    expect(r.outputs['comment-url']).toBe(comments()[0]!.html_url)
    // The masked match is Trivy's; nothing of it reaches our outputs.
    const everything = [
      r.stdout,
      r.stderr,
      r.summary,
      JSON.stringify(r.outputs),
      comments()[0]!.body,
      readFileSync(r.outputs['sarif-file']!, 'utf8'),
    ].join('\n')
    expect(everything).not.toContain('private_key_id')
  })

  it('writes a SARIF that passes the Multitool (schema and GitHub rules), with suppressions and a baseline', async () => {
    const first = await run({ trivy: TRIVY, checkov: CHECKOV, 'fail-on': 'none', 'sarif-output': 'base/merged.sarif' })
    expect(first.exitCode, first.stdout).toBe(0)
    const base = readFileSync(first.outputs['sarif-file']!, 'utf8')
    const results = (log: string) => (JSON.parse(log) as { runs: { results: Record<string, unknown>[] }[] }).runs.flatMap((x) => x.results)
    expect(results(base).filter((x) => x.suppressions)).toHaveLength(2)
    const checked = validateSarif(base)
    expect(checked.errors).toEqual([])
    expect(checked.warnings).toEqual([])
    // The same scan against that baseline: every result carries its baselineState.
    const second = await run({ trivy: TRIVY, checkov: CHECKOV, baseline: 'base/merged.sarif', 'new-only': 'true' })
    expect(second.outputs).toMatchObject({ new: '0', failed: 'false' })
    const withBaseline = readFileSync(second.outputs['sarif-file']!, 'utf8')
    expect(results(withBaseline).every((x) => x.baselineState === 'unchanged')).toBe(true)
    expect(validateSarif(withBaseline)).toMatchObject({ errors: [], warnings: [] })
  }, 60_000)

  it('updates its one comment per key on the next push, and leaves lookalikes alone', async () => {
    const impostor = gh.addComment('acme', 'infra', PR, '<!-- infra-actions:scan-report:key=scan-report -->\nfake', 'mallory')
    await run({ trivy: TRIVY })
    await run({ trivy: TRIVY, checkov: CHECKOV })
    await run({ checkov: CHECKOV, key: 'checkov-only' })
    const ours = comments().filter((c) => c.user.login === 'github-actions[bot]')
    expect(ours).toHaveLength(2)
    expect(ours[0]!.body).toContain('| Checkov |')
    expect(comments().find((c) => c.id === impostor.id)!.body).toContain('fake')
  })

  it('writes at most max-annotations, worst first, and says how many more', async () => {
    const r = await run({ trivy: TRIVY, checkov: CHECKOV, 'max-annotations': '2', 'fail-on': 'none' })
    expect(r.exitCode, r.stdout).toBe(0)
    const annotations = r.stdout.split('\n').filter((l) => /^::(error|warning|notice) /.test(l))
    expect(annotations).toEqual([
      '::error title=CRITICAL gcp-service-account (Trivy),file=services/api/.env.example,line=4,endLine=4::Google (GCP) Service-account.',
      expect.stringMatching(/^::error title=HIGH CKV_GCP_28 \(Checkov\),file=infra\/prod\/storage.tf,line=11,endLine=15::/),
    ])
    expect(r.summary).toContain('2 annotations written (`max-annotations: 2`')
    expect(r.summary).toContain('5 more findings on files have no annotation')
  })

  it('only warns when a pull request from a fork gets a read-only token; outputs and summary still written', async () => {
    const fork = JSON.parse(readFileSync(EVENT, 'utf8')) as { pull_request: { head: { repo: { full_name: string } } } }
    fork.pull_request.head.repo.full_name = 'outsider/infra'
    const event = path.join(dir, 'pull_request.fork.json')
    writeFileSync(event, JSON.stringify(fork))
    gh.fault({ method: 'POST', path: '/comments', status: 403, times: 5, body: { message: 'Resource not accessible by integration' } })
    const r = await run({ checkov: CHECKOV, 'fail-on': 'critical' }, { event })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.stdout).toMatch(
      /::warning::The PR comment was skipped: GitHub gives pull requests from forks a read-only token \(403\)\. The report is in the job summary\./,
    )
    expect(r.outputs).toMatchObject({ total: '3', failed: 'false', 'comment-url': '' })
    expect(r.summary).toContain('### 🛡️ Scan report')
  })

  it('skips the API under act and without a token, with the reason', async () => {
    const act = await run({ checkov: CHECKOV, 'fail-on': 'none' }, { env: { ACT: 'true' } })
    expect(act.stdout).toMatch(/::warning::The PR comment was skipped: running under nektos\/act/)
    const none = await run({ checkov: CHECKOV, 'fail-on': 'none', 'github-token': '' })
    expect(none.stdout).toMatch(/::warning::The PR comment was skipped: no GitHub token \(input 'github-token' is empty\)/)
    expect([act.exitCode, none.exitCode]).toEqual([0, 0])
    expect(gh.requests).toHaveLength(0)
    expect(none.outputs.total).toBe('3')
  })

  it('refuses a truncated file with one error naming it, and writes nothing', async () => {
    const truncated = path.join(dir, 'trivy.json')
    writeFileSync(truncated, readFileSync(TRIVY, 'utf8').slice(0, 500))
    const r = await run({ trivy: 'trivy.json', checkov: CHECKOV })
    expect(r.exitCode).toBe(1)
    expect(errors(r.stdout)).toEqual([
      expect.stringMatching(/^::error::Input 'trivy' \(trivy\.json\) is not valid JSON: it ends early \(truncated\?\).*A truncated file/),
    ])
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
    expect(r.outputs).toEqual({})
    expect(r.summary).toBe('')
    expect(comments()).toHaveLength(0)
  })

  it('runs on a worker thread when its inputs are large: the same exit code, outputs, summary, comment and SARIF', async () => {
    const here = await run({ trivy: TRIVY, checkov: CHECKOV }, { env: { RUNNER_DEBUG: '1' } })
    const hereComment = comments()[0]!.body
    const there = await run({ trivy: TRIVY, checkov: CHECKOV }, { env: { RUNNER_DEBUG: '1', INFRA_ACTIONS_WORKER_BYTES: '1' } })
    expect(there.stdout).toMatch(/^::debug::0\.\d MiB of input: the action runs on a worker thread/m)
    expect(here.stdout).not.toMatch(/worker thread/)
    expect(there.exitCode).toBe(1)
    // Each run has its own RUNNER_TEMP, where the SARIF goes.
    const same = (r: typeof here, text: string) => text.replaceAll(r.tmp, 'RUNNER_TEMP')
    expect(errors(same(there, there.stdout))).toEqual(errors(same(here, here.stdout)))
    expect(same(there, JSON.stringify(there.outputs))).toBe(same(here, JSON.stringify(here.outputs)))
    expect(same(there, there.summary)).toBe(same(here, here.summary))
    expect(comments()).toHaveLength(1)
    expect(comments()[0]!.body.replace(/nonce:[\w-]+/, '')).toBe(hereComment.replace(/nonce:[\w-]+/, ''))
    expect(readFileSync(there.outputs['sarif-file']!, 'utf8')).toBe(readFileSync(here.outputs['sarif-file']!, 'utf8'))
    // A bad file on the worker: one error, exit 1, nothing written.
    writeFileSync(path.join(dir, 'broken.json'), '{"Results": [')
    const broken = await run({ trivy: 'broken.json' }, { env: { INFRA_ACTIONS_WORKER_BYTES: '1' } })
    expect(broken.exitCode).toBe(1)
    expect(errors(broken.stdout)).toEqual([expect.stringMatching(/^::error::Input 'trivy' \(broken\.json\) is not valid JSON/)])
    expect(broken.outputs).toEqual({})
  })

  it('says a worker that runs out of memory did, with what to do, not that it is a bug', async () => {
    const r = await run({ trivy: TRIVY, checkov: CHECKOV }, { env: { INFRA_ACTIONS_WORKER_BYTES: '1', INFRA_ACTIONS_WORKER_HEAP_MB: '8' } })
    expect(r.exitCode).toBe(1)
    expect(errors(r.stdout)).toEqual([
      expect.stringMatching(
        /^::error::scan-report ran out of memory with 0\.\d MiB of input \(the heap of Node\.js on this runner holds at most ~8 MiB\)\. Split the input into smaller files/,
      ),
    ])
    expect(r.stdout).not.toMatch(/This is a bug/)
  })

  it('names a bad input value', async () => {
    const r = await run({ trivy: TRIVY, 'fail-on': 'severe' })
    expect(r.exitCode).toBe(1)
    expect(errors(r.stdout)).toEqual([
      `::error::Input 'fail-on' must be one of 'critical', 'high', 'medium', 'low', 'unknown', 'none', got "severe"`,
    ])
  })

  it('reads globs relative to the workspace, JSON and SARIF of one scan counted once', async () => {
    for (const f of ['trivy-action-config-scan.v0.72.0.json', 'trivy-action-config.v0.72.0.sarif'])
      copyFileSync(path.resolve('test/corpus/trivy', f), path.join(dir, f))
    const r = await run({ trivy: '*.json\n*.sarif', 'fail-on': 'none', 'sarif-output': 'out/scan.sarif' })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({ total: '8', high: '5', 'sarif-file': path.join(dir, 'out/scan.sarif') })
    expect(r.summary).toContain('8 duplicate reports merged')
    expect(validateSarif(readFileSync(path.join(dir, 'out/scan.sarif'), 'utf8'))).toMatchObject({ errors: [], warnings: [] })
  }, 60_000)
})
