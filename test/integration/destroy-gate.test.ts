import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/run-action.mjs'
import { FakeGitHub } from '../support/fake-github.mjs'
import { planText, rc } from '../support/plans.js'

const EVENT = path.resolve('examples/events/pull_request.opened.main.json')
let gh: FakeGitHub
let dir: string
beforeEach(async () => {
  gh = await new FakeGitHub().start()
  dir = mkdtempSync(path.join(tmpdir(), 'it-dg-'))
})
afterEach(async () => gh.stop())

const plan = (fields: Record<string, unknown>) => {
  writeFileSync(path.join(dir, 'plan.json'), planText(fields))
  return 'plan.json'
}
const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({
    action: 'destroy-gate',
    inputs: { 'working-directory': dir, ...inputs },
    event: EVENT,
    apiUrl: gh.url,
    env: { INFRA_ACTIONS_RETRY_BASE_MS: '5', GITHUB_ACTOR: 'alice', ...env },
  })
const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'))
// The example event's PR #42: its head commit, pushed to feature/api-1.5 a minute ago.
const HEAD = '4f2c9d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d'
const pullRequest42 = () => {
  gh.pulls.set('acme/infra#42', {
    head: { ref: 'feature/api-1.5', sha: HEAD, repo: { full_name: 'acme/infra' } },
    user: { login: 'paula' },
  })
  gh.push('acme', 'infra', 'feature/api-1.5', HEAD, { at: new Date(Date.now() - 60_000).toISOString() })
}
const labeledNow = (login: string) => ({
  event: 'labeled',
  actor: { login },
  label: { name: 'allow-destroy' },
  created_at: new Date().toISOString(),
})

describe('destroy-gate (built action)', () => {
  it('blocks a destroy: exit 1, an error per address within the annotation limit, and a summary table', async () => {
    const many = Array.from({ length: 20 }, (_, i) => rc(`google_storage_bucket.b${i}`, ['delete']))
    const r = await run({ 'plan-json': plan({ resource_changes: many }) })
    expect(r.exitCode).toBe(1)
    expect(r.outputs).toMatchObject({ allowed: 'false', 'destroy-count': '20', 'replace-count': '0' })
    expect(JSON.parse(r.outputs.addresses!)).toHaveLength(20)
    const errs = errors(r.stdout)
    expect(errs.length).toBeLessThanOrEqual(10)
    expect(errs[0]).toBe('::error::Would be destroyed: google_storage_bucket.b0')
    expect(errs).toContain(
      "::error::… and 13 more: the job summary lists them, and outputs 'addresses' and 'protected-hits' have every one.",
    )
    expect(errs.at(-1)).toBe('::error::The plan destroys 20 resources; at most 0 are allowed.')
    expect(r.summary).toContain('### 🛑 Destroy gate: blocked')
    expect(r.summary).toContain('| `google_storage_bucket.b19` | delete |  | 🗑️ counted |')
  })

  it('lets allow-destroy through with a warning naming who', async () => {
    const r = await run({ 'plan-json': plan({ resource_changes: [rc('a.b', ['delete', 'create'])] }), 'allow-destroy': 'true' })
    expect(r.exitCode).toBe(0)
    expect(r.outputs.allowed).toBe('true')
    expect(r.stdout).toMatch(
      /::warning::The plan destroys 1 resource \(replacements included\); at most 0 are allowed, but alice \(allow-destroy: true\) allowed it\. Destroyed: a\.b\./,
    )
    expect(r.summary).toContain('⚠️ Destroy gate: allowed by override')
  })

  it('keeps blocking when the allow-label was added by a triage user', async () => {
    pullRequest42()
    gh.issueLabels.set('acme/infra#42', ['allow-destroy'])
    gh.issueEvents.set('acme/infra#42', [labeledNow('tom')])
    gh.permissions.set('acme/infra:tom', 'triage')
    const r = await run({ 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-label': 'allow-destroy' })
    expect(r.exitCode).toBe(1)
    expect(r.outputs.reason).toMatch(/added by tom, who has 'triage' permission/)
    gh.permissions.set('acme/infra:tom', 'write')
    const ok = await run({ 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-label': 'allow-destroy' })
    expect(ok.exitCode).toBe(0)
    expect(ok.outputs.reason).toMatch(/but tom \(write permission, label 'allow-destroy' added after 4f2c9d1 was pushed\) allowed it/)
    // A push after the label: the label no longer approves the head.
    gh.push('acme', 'infra', 'feature/api-1.5', HEAD, { at: new Date(Date.now() + 60_000).toISOString(), force: true })
    const stale = await run({ 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-label': 'allow-destroy' })
    expect(stale.exitCode).toBe(1)
    expect(stale.outputs.reason).toMatch(/before 4f2c9d1 was pushed .*so it did not approve this commit/)
  })

  it('does not honour an approval on an event that does not say which commit was planned (a ChatOps issue_comment)', async () => {
    pullRequest42()
    gh.issueLabels.set('acme/infra#42', ['allow-destroy'])
    gh.issueEvents.set('acme/infra#42', [labeledNow('maria')])
    gh.permissions.set('acme/infra:maria', 'maintain')
    // GITHUB_SHA of an issue_comment run is the default branch's newest commit, not the PR's.
    gh.push('acme', 'infra', 'feature/api-1.5', 'c'.repeat(40), { at: new Date(Date.now() - 3_600_000).toISOString() })
    const event = path.join(dir, 'comment.json')
    writeFileSync(
      event,
      JSON.stringify({ action: 'created', issue: { number: 42, pull_request: { url: 'x' } }, comment: { body: '/apply' } }),
    )
    const r = await runAction({
      action: 'destroy-gate',
      inputs: {
        'working-directory': dir,
        'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }),
        'allow-label': 'allow-destroy',
      },
      event,
      eventName: 'issue_comment',
      apiUrl: gh.url,
      env: { INFRA_ACTIONS_RETRY_BASE_MS: '5', GITHUB_SHA: 'c'.repeat(40) },
    })
    expect(r.exitCode).toBe(1)
    expect(r.outputs.reason).toMatch(
      /The allow-label 'allow-destroy' cannot apply: an issue_comment run's commit is not known to be the head of PR #42 that was planned\. Run the gate on the pull request's own events/,
    )
  })

  it('lets an approving review of the planned commit through, with allow-review', async () => {
    pullRequest42()
    gh.permissions.set('acme/infra:walt', 'write')
    const inputs = { 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-review': 'true' }
    gh.reviews.set('acme/infra#42', [
      { id: 1, user: { login: 'walt' }, state: 'APPROVED', commit_id: 'e'.repeat(40), submitted_at: new Date().toISOString() },
    ])
    const old = await run(inputs)
    expect(old.exitCode).toBe(1)
    expect(old.outputs.reason).toMatch(/approvals, but of other commits than the planned 4f2c9d1/)
    gh.reviews.set('acme/infra#42', [
      { id: 2, user: { login: 'walt' }, state: 'APPROVED', commit_id: HEAD, submitted_at: new Date().toISOString() },
    ])
    const r = await run(inputs)
    expect(r.exitCode).toBe(0)
    expect(r.outputs.reason).toMatch(/but walt \(write permission, approving review of 4f2c9d1\) allowed it/)
  })

  it('applies the policy of the environment, and protected wins over every override', async () => {
    writeFileSync(
      path.join(dir, 'policy.yml'),
      'environments:\n  prod: { max-destroy: 0, protected: [google_sql_database_instance.*] }\n  dev: { max-destroy: -1 }\n',
    )
    const fields = {
      resource_changes: [rc('module.db.google_sql_database_instance.main', ['delete', 'create'], { module_address: 'module.db' })],
    }
    const prod = await run({ 'plan-json': plan(fields), policy: 'policy.yml', environment: 'prod', 'allow-destroy': 'true' })
    expect(prod.exitCode).toBe(1)
    expect(JSON.parse(prod.outputs['protected-hits']!)).toEqual(['module.db.google_sql_database_instance.main'])
    expect(errors(prod.stdout)[0]).toBe('::error::Protected resource would be destroyed: module.db.google_sql_database_instance.main')
    const dev = await run({ 'plan-json': plan(fields), policy: 'policy.yml', environment: 'dev' })
    expect(dev.exitCode).toBe(0)
  })

  it('fails closed on a plan it cannot read, and says why', async () => {
    writeFileSync(path.join(dir, 'plan.json'), `${planText()}\n${planText()}`)
    const r = await run({ 'plan-json': 'plan.json' })
    expect(r.exitCode).toBe(1)
    expect(r.outputs).toMatchObject({ allowed: 'false' })
    expect(errors(r.stdout)).toEqual([expect.stringMatching(/^::error::Cannot verify the plan: .*several JSON documents/)])
  })

  it('runs on a worker thread when the plan is large: the same verdict, outputs, summary and log, and fails closed there too', async () => {
    const many = [...Array.from({ length: 12 }, (_, i) => rc(`google_storage_bucket.b${i}`, ['delete'])), rc('a.keep', ['update'])]
    const inputs = { 'plan-json': plan({ resource_changes: many }), 'max-destroy': '5' }
    const here = await run(inputs, { RUNNER_DEBUG: '1' })
    const there = await run(inputs, { RUNNER_DEBUG: '1', INFRA_ACTIONS_WORKER_BYTES: '1' })
    expect(there.stdout).toMatch(/^::debug::0\.\d MiB of input: the action runs on a worker thread/m)
    expect(here.stdout).not.toMatch(/worker thread/)
    expect(there.exitCode).toBe(1)
    const lines = (r: typeof here) => r.stdout.split('\n').filter((l) => !/^::debug::/.test(l))
    expect(lines(there)).toEqual(lines(here))
    expect(there.outputs).toEqual(here.outputs)
    expect(there.outputs.allowed).toBe('false')
    expect(there.summary).toBe(here.summary)
    // A worker that dies (out of memory) still leaves allowed=false and the reason, set by the main thread.
    const dead = await run(inputs, { INFRA_ACTIONS_WORKER_BYTES: '1', INFRA_ACTIONS_WORKER_HEAP_MB: '4' })
    expect(dead.exitCode).toBe(1)
    expect(dead.outputs.allowed).toBe('false')
    expect(dead.outputs.reason).toMatch(
      /^The destroy gate could not decide, so it blocks: destroy-gate ran out of memory with 0\.\d MiB of input/,
    )
    expect(errors(dead.stdout)).toEqual([expect.stringMatching(/^::error::destroy-gate ran out of memory/)])
  })

  it('fails closed on a broken policy, with the line', async () => {
    writeFileSync(path.join(dir, 'policy.yml'), 'environments:\n  prod:\n    max-destroy: 0\n    protect: [x]\n')
    const r = await run({ 'plan-json': plan({}), policy: 'policy.yml', environment: 'prod' })
    expect(r.exitCode).toBe(1)
    expect(r.outputs.allowed).toBe('false')
    expect(errors(r.stdout)).toEqual(["::error::policy.yml:4: environments.prod: unknown key 'protect'"])
  })

  describe('fails closed on every failure: allowed=false and a reason, then exit 1', () => {
    // A destroy over the limit with an allow-label, so the gate has to ask GitHub about the label.
    const labelled = () => {
      pullRequest42()
      gh.issueLabels.set('acme/infra#42', ['allow-destroy'])
      gh.issueEvents.set('acme/infra#42', [labeledNow('maria')])
      gh.permissions.set('acme/infra:maria', 'maintain')
      return { 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-label': 'allow-destroy' }
    }
    const closed = (r: Awaited<ReturnType<typeof run>>, reason: RegExp) => {
      expect(r.exitCode).toBe(1)
      expect(r.outputs.allowed).toBe('false')
      expect(r.outputs.reason).toMatch(reason)
      expect(errors(r.stdout).at(-1)).toMatch(reason)
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /)
    }

    it.each([
      [
        403,
        /The token may not read the approvals of PR #42 \(labels, label events, reviews, pushes, collaborator permissions\) \(403: Resource not accessible by integration\)\. Give the job 'permissions: pull-requests: read, contents: read'/,
      ],
      [404, /GitHub answered 404 \(Not Found\) when trying to read the approvals of PR #42.*Check input 'pr-number'/],
      [
        502,
        /GitHub's API failed when trying to read the approvals of PR #42.* \(502: .*\), also after retrying\. This is usually temporary: re-run the job\./,
      ],
    ])('when the labels call answers %i', async (status, reason) => {
      const inputs = labelled()
      gh.fault({
        method: 'GET',
        path: /\/labels$/,
        status,
        times: 20,
        body: { message: status === 403 ? 'Resource not accessible by integration' : status === 404 ? 'Not Found' : 'Bad Gateway' },
      })
      const r = await run(inputs)
      closed(r, reason)
      expect(r.outputs.reason).toMatch(
        /^The plan destroys 1 resource; at most 0 are allowed\. The allow-label 'allow-destroy' could not be checked, so it does not count: /,
      )
      expect(r.summary).toContain('### 🛑 Destroy gate: blocked')
    })

    it('when the API answers 200 with a page that is not JSON (a proxy in the way)', async () => {
      const inputs = labelled()
      gh.fault({ method: 'GET', path: /\/labels$/, status: 200, headers: { 'content-type': 'text/html' }, body: '<html>', times: 20 })
      const r = await run(inputs)
      closed(r, /could not be checked, so it does not count: .*not JSON \(text\/html\)/)
      // Not GitHub failing: what is between the runner and GitHub, said so, not "usually temporary".
      expect(r.outputs.reason).toMatch(/a proxy, firewall or captive portal between the runner and GitHub/)
      expect(r.outputs.reason).not.toMatch(/usually temporary/)
    })

    it('when the job summary cannot be written: a warning, and every output set', async () => {
      const r = await run(
        { 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }) },
        { GITHUB_STEP_SUMMARY: path.join(dir, 'no-such-dir', 'summary') },
      )
      expect(r.exitCode).toBe(1)
      expect(r.outputs).toMatchObject({ allowed: 'false', 'destroy-count': '1', addresses: '["a.b"]' })
      expect(r.stdout).toMatch(/::warning::The job summary could not be written: .*no-such-dir/)
      expect(r.stdout).not.toMatch(/This is a bug/)
    })

    it('when the labels call times out on every attempt', async () => {
      const inputs = labelled()
      gh.fault({ method: 'GET', path: /\/labels$/, hangMs: 2000, times: 20 })
      const r = await run(inputs, { INFRA_ACTIONS_REQUEST_TIMEOUT_MS: '100' })
      closed(r, /GitHub's API failed when trying to read the approvals of PR #42.*(aborted|timeout)/i)
    })

    it('when an exception is thrown inside the gate (a bug)', async () => {
      // Fault injection from outside the bundle: a preloaded module breaks Buffer#subarray, which
      // the plan reader uses, so the core throws a TypeError that nothing expects.
      const hook = path.join(dir, 'break.mjs')
      writeFileSync(hook, 'Buffer.prototype.subarray = function () { throw new TypeError("injected fault") }\n')
      const r = await run(
        { 'plan-json': plan({ resource_changes: [rc('a.b', ['delete'])] }), 'allow-destroy': 'true' },
        { NODE_OPTIONS: `--import=${hook}` },
      )
      closed(r, /destroy-gate failed unexpectedly: injected fault\. This is a bug in infra-actions/)
      expect(r.outputs.reason).toMatch(/^The destroy gate could not decide, so it blocks: /)
    })

    it('when the event payload is not JSON', async () => {
      const event = path.join(dir, 'event.json')
      writeFileSync(event, '{"pull_request": ')
      const r = await runAction({
        action: 'destroy-gate',
        inputs: { 'working-directory': dir, 'plan-json': plan({}) },
        event,
        eventName: 'pull_request',
        apiUrl: gh.url,
      })
      closed(r, /The event payload GITHUB_EVENT_PATH=.*event\.json is not valid JSON/)
    })

    it('when the plan is a FIFO (refused at once, never waited on)', async () => {
      execFileSync('mkfifo', [path.join(dir, 'plan.json')])
      const started = Date.now()
      const r = await run({ 'plan-json': 'plan.json' })
      closed(r, /Cannot verify the plan: Input 'plan-json' \(plan\.json\) is not a regular file but a named pipe \(FIFO\)/)
      expect(Date.now() - started).toBeLessThan(10_000)
    })
  })
})

describe('destroy-gate when the runner stops reading its log', () => {
  it('exits, with its outputs written once, instead of failing over and over (a closed stdout looped and wrote 10 GB of outputs)', async () => {
    const { spawn } = await import('node:child_process')
    const { readFileSync, statSync } = await import('node:fs')
    const output = path.join(dir, 'output')
    writeFileSync(output, '')
    const child = spawn(process.execPath, [path.resolve('dist/destroy-gate/index.js')], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: {
        PATH: process.env.PATH,
        GITHUB_OUTPUT: output,
        'INPUT_PLAN-JSON': path.join(dir, 'missing.json'),
        'INPUT_WORKING-DIRECTORY': dir,
      },
    })
    child.stdout.destroy()
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve(null)
      }, 15_000)
      child.on('exit', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(code).toBe(1)
    expect(statSync(output).size).toBeLessThan(4096)
    expect(readFileSync(output, 'utf8').match(/^allowed<</gm)).toHaveLength(1)
  }, 30_000)
})
