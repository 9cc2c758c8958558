import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyCounts } from '@infra-actions/terraform'
import { runAction } from '../../scripts/run-action.mjs'
import { FakeGitHub } from '../support/fake-github.mjs'
import { planText, rc } from '../support/plans.js'

// The built bundle (dist/plan-comment), run as the runner runs it, against the GitHub stand-in.
const EVENT = path.resolve('examples/events/pull_request.opened.main.json')
const PR = 42
let gh: FakeGitHub
let dir: string

beforeEach(async () => {
  gh = await new FakeGitHub().start()
  dir = mkdtempSync(path.join(tmpdir(), 'it-pc-'))
})
afterEach(async () => gh.stop())

function writePlan(fields: Record<string, unknown>, name = 'plan.json'): string {
  const file = path.join(dir, name)
  writeFileSync(file, planText(fields))
  return file
}

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction({
    action: 'plan-comment',
    inputs,
    event: EVENT,
    apiUrl: gh.url,
    env: { INFRA_ACTIONS_RETRY_BASE_MS: '5', INFRA_ACTIONS_REQUEST_TIMEOUT_MS: '1000', ...env },
  })
const comments = () => gh.commentsOf('acme', 'infra', PR)

describe('plan-comment (built action)', () => {
  it('posts the plan, then updates the same comment on the next push', async () => {
    const first = await run({
      'plan-json': writePlan({ resource_changes: [rc('google_storage_bucket.a', ['create'])] }),
      environment: 'prod',
    })
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.outputs).toMatchObject({ add: '1', destroy: '0', 'has-changes': 'true', 'comment-id': String(comments()[0]!.id) })
    expect(first.summary).toContain('**Plan: 1 to add, 0 to change, 0 to destroy.**')
    const second = await run({
      'plan-json': writePlan({ resource_changes: [rc('google_storage_bucket.a', ['delete'])] }),
      environment: 'prod',
    })
    expect(second.exitCode).toBe(0)
    expect(comments()).toHaveLength(1)
    expect(comments()[0]!.body).toContain('🗑️ Destroy (1)')
    expect(second.outputs['comment-id']).toBe(first.outputs['comment-id'])
  })

  it('keeps one comment per key across many pages, and leaves lookalikes alone', async () => {
    for (let i = 0; i < 230; i++) gh.addComment('acme', 'infra', PR, `review ${i}`, 'bob')
    const impostor = gh.addComment('acme', 'infra', PR, '<!-- infra-actions:plan-comment:key=.%3Aprod -->\nfake plan', 'mallory')
    await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }), environment: 'prod' })
    await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['update'])] }), environment: 'prod' })
    await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }), environment: 'stage' })
    const ours = comments().filter((c) => c.user.login === 'github-actions[bot]')
    expect(ours).toHaveLength(2)
    expect(comments().find((c) => c.id === impostor.id)!.body).toBe('<!-- infra-actions:plan-comment:key=.%3Aprod -->\nfake plan')
    expect(gh.requests.some((q) => q.query.page === '3')).toBe(true)
  })

  it('rides out 5xx and a secondary rate limit without duplicating the comment', async () => {
    gh.fault({ method: 'GET', path: '/comments', status: 502, times: 2 })
    gh.fault({
      method: 'POST',
      path: '/comments',
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    })
    const r = await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/::warning::GitHub secondary rate limit/)
    expect(comments()).toHaveLength(1)
  })

  it('does not post twice when creating times out after GitHub stored the comment', async () => {
    gh.fault({ method: 'POST', path: '/comments', after: true, hangMs: 3000 })
    const r = await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(comments()).toHaveLength(1)
  })

  it('fails with one clear error when GitHub rejects the body as too long', async () => {
    gh.fault({
      method: 'POST',
      path: '/comments',
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [
          { resource: 'IssueComment', code: 'unprocessable', field: 'data', message: 'Body is too long (maximum is 65536 characters)' },
        ],
      },
    })
    const r = await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) })
    expect(r.exitCode).toBe(1)
    expect(r.stdout.match(/^::error::/gm)).toHaveLength(1)
    expect(r.stdout).toMatch(
      /::error::GitHub refused to comment on acme\/infra#42 \(422: Validation Failed: .*Body is too long.*\)\. The body was \d+ characters; lower input 'max-length'/,
    )
  })

  it('keeps a huge plan within max-length and says what it cut', async () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      rc(`google_pubsub_topic.t${i}`, ['update'], { change: { before: { labels: { v: `${i}` } }, after: { labels: { v: `${i + 1}` } } } }),
    )
    const r = await run({ 'plan-json': writePlan({ resource_changes: many }), 'max-length': '30000' })
    expect(r.exitCode, r.stdout).toBe(0)
    const body = comments()[0]!.body
    expect(body.length).toBeLessThanOrEqual(30000)
    expect(body).toMatch(/Shortened to fit 30,000 characters/)
    // No artifact service in a local run: a warning, not a failure.
    expect(r.stdout).toMatch(/::warning::The artifact 'plan-.*' was not uploaded: this runner offers no artifact service/)
  })

  it('runs on a worker thread when the plan is large: the same exit code, outputs, summary, comment and log, no secret', async () => {
    const changes = [
      rc('google_storage_bucket.gone', ['delete']),
      ...Array.from({ length: 300 }, (_, i) =>
        rc(`google_pubsub_topic.t${i}`, ['update'], {
          change: { before: { labels: { v: `${i}` } }, after: { labels: { v: `${i + 1}` } } },
        }),
      ),
      rc('google_secret_manager_secret_version.v', ['update'], {
        change: {
          before: { data: 'hunter2-a' },
          after: { data: 'hunter2-b' },
          before_sensitive: { data: true },
          after_sensitive: { data: true },
        },
      }),
    ]
    const inputs = { 'plan-json': writePlan({ resource_changes: changes }), environment: 'prod' }
    const here = await run(inputs, { RUNNER_DEBUG: '1' })
    const hereComment = comments()[0]!.body
    const there = await run(inputs, { RUNNER_DEBUG: '1', INFRA_ACTIONS_WORKER_BYTES: '1' })
    expect(there.stdout).toMatch(/^::debug::0\.\d MiB of input: the action runs on a worker thread/m)
    expect(here.stdout).not.toMatch(/worker thread/)
    expect(there.exitCode, there.stdout).toBe(0)
    // Each run has its own RUNNER_TEMP; the second run finds the first one's comment and updates it.
    const same = (r: typeof here, text: string) =>
      text.replaceAll(r.tmp, 'RUNNER_TEMP').replace(/comment (created|updated|unchanged)/g, 'comment posted')
    const lines = (r: typeof here) =>
      same(r, r.stdout)
        .split('\n')
        .filter((l) => !/^::debug::/.test(l))
    expect(lines(there)).toEqual(lines(here))
    expect(same(there, JSON.stringify(there.outputs))).toBe(same(here, JSON.stringify(here.outputs)))
    expect(same(there, there.summary)).toBe(same(here, here.summary))
    expect(comments()).toHaveLength(1)
    expect(comments()[0]!.body.replace(/post=[\w-]+/, '')).toBe(hereComment.replace(/post=[\w-]+/, ''))
    expect([there.stdout, there.stderr, there.summary, comments()[0]!.body].join('\n')).not.toContain('hunter2')
    // A broken plan on the worker: one error, exit 1.
    writeFileSync(path.join(dir, 'broken.json'), '{"format_version": "1.2", "resource_changes": [')
    const broken = await run({ 'plan-json': path.join(dir, 'broken.json') }, { INFRA_ACTIONS_WORKER_BYTES: '1' })
    expect(broken.exitCode).toBe(1)
    expect(broken.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([expect.stringMatching(/is not one JSON document/)])
  })

  it('refuses a broken plan with one error line, no stack, and no comment', async () => {
    const file = path.join(dir, 'plan.json')
    writeFileSync(file, '[command]/usr/bin/terraform show -json tfplan\n{"format_version":"1.2"}\n::debug::exitcode: 0')
    const r = await run({ 'plan-json': file })
    expect(r.exitCode).toBe(1)
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('::error::')),
    ).toHaveLength(1)
    expect(r.stdout).toMatch(/setup-terraform's wrapper/)
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
    expect(comments()).toHaveLength(0)
  })

  it('names a bad input value', async () => {
    const r = await run({ 'plan-json': writePlan({}), 'comment-mode': 'sticky' })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain(`::error::Input 'comment-mode' must be one of 'update', 'recreate', 'new', 'off', got "sticky"`)
  })

  it('refuses a key whose hidden marker leaves no room for the comment (it hung until the job timed out)', async () => {
    const r = await run({ 'plan-json': writePlan({}), key: '環境'.repeat(120), 'max-length': '2000' })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain(
      "::error::Input 'key' is too long: 240 characters, 2160 once percent-encoded in the comment's hidden marker (at most 500, a quarter of max-length); use a shorter key",
    )
    expect(comments()).toHaveLength(0)
    // Within half of the default max-length, the same key posts; a default key says where it came from.
    expect((await run({ 'plan-json': writePlan({}), key: '環境'.repeat(120) })).exitCode).toBe(0)
    // The longest key allowed still leaves the heading, the counts and the destroy warning (a
    // 700-character key, allowed at half, left only a note that something was cut).
    const destroys = writePlan({ resource_changes: [rc('terraform_data.db', ['delete'])] })
    expect((await run({ 'plan-json': destroys, key: 'x'.repeat(700), 'max-length': '2000' })).exitCode).toBe(1)
    const longest = await run({ 'plan-json': destroys, key: 'x'.repeat(500), 'max-length': '2000' })
    expect(longest.exitCode).toBe(0)
    const body = comments().at(-1)!.body
    expect(body).toContain('### ')
    expect(body).toContain('[!CAUTION]')
    expect(body).toContain('terraform_data.db')
    const deep = await run({ 'plan-json': writePlan({}), 'working-directory': path.join(dir, '基盤'.repeat(60)), 'max-length': '2000' })
    expect(deep.stdout).toMatch(/::error::Input 'key' is too long: .*; it defaults to working-directory: set a shorter 'key'/)
  })

  it('skips the API under act, with a warning, and still writes the summary', async () => {
    const r = await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) }, { ACT: 'true' })
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/::warning::The PR comment was skipped: running under nektos\/act/)
    expect(r.summary).toContain('Plan: 1 to add')
    expect(gh.requests).toHaveLength(0)
  })

  it('never writes a sensitive value to the comment, summary, outputs or log', async () => {
    const r = await run({
      'plan-json': writePlan({
        resource_changes: [
          rc('google_secret_manager_secret_version.v', ['update'], {
            change: {
              before: { secret_data: 'hunter2-before' },
              after: { secret_data: 'hunter2-after' },
              before_sensitive: { secret_data: true },
              after_sensitive: { secret_data: true },
            },
          }),
        ],
      }),
    })
    const everything = [r.stdout, r.stderr, r.summary, JSON.stringify(r.outputs), ...comments().map((c) => c.body)].join('\n')
    expect(everything).not.toContain('hunter2')
    expect(everything).toContain('(sensitive)')
  })

  it('warns, naming the login to set, when a GitHub App token posts as another author than assumed', async () => {
    await gh.stop()
    gh = await new FakeGitHub({ appLogin: 'acme-infra[bot]' }).start()
    const plan = writePlan({ resource_changes: [rc('google_storage_bucket.a', ['create'])] })
    const app = (inputs: Record<string, string>) =>
      runAction({
        action: 'plan-comment',
        inputs: { 'plan-json': plan, ...inputs },
        event: EVENT,
        apiUrl: gh.url,
        token: 'ghs_app_installation',
        env: { INFRA_ACTIONS_RETRY_BASE_MS: '5' },
      })
    const first = await app({})
    expect(first.exitCode, first.stdout).toBe(0)
    expect(first.stdout).toContain(
      "::warning::GitHub posted the PR comment as 'acme-infra[bot]', not as 'github-actions[bot]' as assumed for this token, so the next run will not find it and will post another. Set input 'comment-author: acme-infra[bot]'",
    )
    const set = await app({ 'comment-author': 'acme-infra[bot]' })
    expect(set.stdout).not.toContain('::warning::')
    expect(comments()).toHaveLength(1)
  })

  it('says which permission is missing when GitHub refuses the comment, after writing the summary and outputs', async () => {
    gh.fault({ method: 'POST', path: '/comments', status: 403, times: 5, body: { message: 'Resource not accessible by integration' } })
    const r = await run({ 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) })
    expect(r.exitCode).toBe(1)
    const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      /may not comment on acme\/infra#42 \(403: Resource not accessible by integration\)\. Give the job 'permissions: pull-requests: write'/,
    )
    expect(errors[0]).not.toMatch(/bug/)
    expect(r.summary).toContain('Plan: 1 to add')
    expect(r.outputs.add).toBe('1')
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1)
  })

  it('only warns when a pull request from a fork gets a read-only token', async () => {
    const fork = JSON.parse(readFileSync(EVENT, 'utf8')) as { pull_request: { head: { repo: { full_name: string } } } }
    fork.pull_request.head.repo.full_name = 'outsider/infra'
    const event = path.join(dir, 'pull_request.fork.json')
    writeFileSync(event, JSON.stringify(fork))
    gh.fault({ method: 'POST', path: '/comments', status: 403, times: 5, body: { message: 'Resource not accessible by integration' } })
    const r = await runAction({
      action: 'plan-comment',
      inputs: { 'plan-json': writePlan({ resource_changes: [rc('a.b', ['create'])] }) },
      event,
      apiUrl: gh.url,
      env: { INFRA_ACTIONS_RETRY_BASE_MS: '5' },
    })
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.stdout).toMatch(/::warning::The PR comment was skipped: GitHub gives pull requests from forks a read-only token/)
    expect(r.summary).toContain('Plan: 1 to add')
  })
})

describe('plan-comment with plan-file (built action, a stand-in terraform binary)', () => {
  it('runs `<terraform-binary> show -json <plan>` silently, in working-directory', async () => {
    const fake = path.join(dir, 'fake-terraform')
    const secretChange = {
      before: { pw: 'hunter2-x' },
      after: { pw: 'hunter2-y' },
      before_sensitive: { pw: true },
      after_sensitive: { pw: true },
    }
    // Prints a plan with a secret for `show -json <file>`, and records where and how it was called.
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        `echo "$PWD $*" > "${path.join(dir, 'called')}"`,
        '[ "$1" = show ] && [ "$2" = -json ] || { echo "unexpected: $*" >&2; exit 2; }',
        "cat <<'JSON'",
        planText({ resource_changes: [rc('a.b', ['update'], { change: secretChange })] }),
        'JSON',
        '',
      ].join('\n'),
      { mode: 0o755 },
    )
    writeFileSync(path.join(dir, 'tfplan'), 'binary plan')
    const r = await run({ 'plan-file': 'tfplan', 'terraform-binary': fake, 'working-directory': dir })
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    expect(r.outputs.change).toBe('1')
    const { readFileSync } = await import('node:fs')
    expect(readFileSync(path.join(dir, 'called'), 'utf8').trim()).toBe(`${dir} show -json ${path.join(dir, 'tfplan')}`)
    expect(r.stdout + r.stderr).not.toContain('hunter2')
  })

  it('reports a failing binary with its stderr', async () => {
    const fake = path.join(dir, 'broken-terraform')
    // Coloured, as Terraform prints it even with -json.
    writeFileSync(
      fake,
      '#!/bin/sh\nprintf "\\033[31mError: \\033[0mFailed to read the given file as a state or plan file\\n" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    )
    writeFileSync(path.join(dir, 'tfplan'), 'x')
    const r = await run({ 'plan-file': 'tfplan', 'terraform-binary': fake, 'working-directory': dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(
      /::error::Input 'plan-file' \(tfplan\): '.*broken-terraform show -json tfplan' failed with exit code 1: Error: Failed to read the given file as a state or plan file$/m,
    )
  })

  it('says when the binary is not installed', async () => {
    writeFileSync(path.join(dir, 'tfplan'), 'x')
    const r = await run({ 'plan-file': 'tfplan', 'terraform-binary': 'terraform-that-is-not-installed', 'working-directory': dir })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(
      /::error::Could not run 'terraform-that-is-not-installed show -json' \(input 'terraform-binary'\): .*Is Terraform installed/,
    )
  })
})

describe('plan-comment aggregate mode (built action)', () => {
  it('combines the summary files of a matrix into one comment', async () => {
    const { copyFileSync, mkdirSync } = await import('node:fs')
    const collected = path.join(dir, 'summaries')
    mkdirSync(collected)
    for (const [key, changes] of [
      ['network', [rc('google_compute_network.vpc', ['update'])]],
      ['database', [rc('google_sql_database_instance.main', ['delete'])]],
    ] as const) {
      const r = await run({ 'plan-json': writePlan({ resource_changes: [...changes] }, `${key}.json`), key, 'comment-mode': 'off' })
      expect(r.exitCode, r.stdout).toBe(0)
      copyFileSync(r.outputs['summary-file']!, path.join(collected, `${key}.plan-summary.json`))
    }
    expect(comments()).toHaveLength(0)
    const agg = await run({ mode: 'aggregate', summaries: collected })
    expect(agg.exitCode, agg.stdout).toBe(0)
    expect(agg.outputs).toMatchObject({ add: '0', change: '1', destroy: '1', 'has-changes': 'true' })
    expect(comments()).toHaveLength(1)
    const body = comments()[0]!.body
    expect(body).toContain('<!-- infra-actions:plan-comment:key=aggregate -->')
    expect(body).toContain('**2 root modules: 0 to add, 1 to change, 1 to destroy.**')
    expect(body.indexOf('`database`')).toBeLessThan(body.indexOf('`network`'))
  })

  it('refuses two different summaries with one key, naming both files, and posts nothing', async () => {
    const { mkdirSync } = await import('node:fs')
    const counts = emptyCounts()
    const base = { schema: 'infra-actions/plan-summary@1', key: 'prod', title: 't', summary: 's', errored: false }
    for (const [sub, fields] of [
      ['a-real', { counts: { ...counts, destroy: 3 }, hasChanges: true, destroyed: ['google_sql_database_instance.main'] }],
      ['z-other', { counts, hasChanges: false, destroyed: [] }],
    ] as const) {
      mkdirSync(path.join(dir, 'summaries', sub), { recursive: true })
      writeFileSync(path.join(dir, 'summaries', sub, 'prod.plan-summary.json'), JSON.stringify({ ...base, ...fields }))
    }
    const r = await run({ mode: 'aggregate', summaries: path.join(dir, 'summaries') })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(
      /::error::Input 'summaries': \S+a-real\/prod\.plan-summary\.json and \S+z-other\/prod\.plan-summary\.json are two different plans with the key 'prod'/,
    )
    expect(comments()).toHaveLength(0)
  })

  it('refuses a file that is not a plan summary', async () => {
    const bad = path.join(dir, 'x.plan-summary.json')
    writeFileSync(bad, '{"schema":"something-else"}')
    const r = await run({ mode: 'aggregate', summaries: bad })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(/::error::Input 'summaries': .*x\.plan-summary\.json is not a plan summary written by plan-comment/)
  })
})

describe('drift-issue (a scheduled drift check)', () => {
  const schedule = () => {
    const file = path.join(dir, 'schedule.json')
    writeFileSync(file, JSON.stringify({ schedule: '0 1 * * *', repository: { full_name: 'acme/infra' } }))
    return file
  }
  const check = (fields: Record<string, unknown>, extra: Record<string, string> = {}) =>
    runAction({
      action: 'plan-comment',
      inputs: { 'plan-json': writePlan(fields), environment: 'prod', 'drift-issue': 'true', ...extra },
      event: schedule(),
      eventName: 'schedule',
      apiUrl: gh.url,
      env: { INFRA_ACTIONS_RETRY_BASE_MS: '5' },
    })
  const drifted = {
    resource_drift: [
      rc('google_storage_bucket.logs', ['update'], { change: { before: { labels: { a: '1' } }, after: { labels: { a: '2' } } } }),
    ],
  }
  const issues = () => gh.issuesOf('acme', 'infra')

  it('opens one issue for the environment, updates it on reruns, closes it when the plan is clean, reopens it when drift returns', async () => {
    const first = await check(drifted)
    expect(first.exitCode, first.stdout).toBe(0)
    expect(issues()).toHaveLength(1)
    expect(issues()[0]).toMatchObject({
      state: 'open',
      title: 'Terraform drift: prod',
      labels: [{ name: 'drift' }],
    })
    expect(issues()[0]!.body).toContain('🌀 Drift: 1 resource changed outside Terraform')
    expect(first.outputs['issue-url']).toBe(issues()[0]!.html_url)
    expect(first.stdout).toMatch(/No pull request in this schedule event/)
    await check({ ...drifted, resource_changes: [rc('google_storage_bucket.logs', ['update'])] })
    expect(issues()).toHaveLength(1)
    expect(issues()[0]!.body).toContain('Plan: 0 to add, 1 to change, 0 to destroy.')
    const clean = await check({})
    expect(clean.exitCode).toBe(0)
    expect(issues()[0]).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(gh.commentsOf('acme', 'infra', issues()[0]!.number).at(-1)!.body).toMatch(/The plan of prod is clean again/)
    await check(drifted)
    expect(issues()).toHaveLength(1)
    expect(issues()[0]!.state).toBe('open')
  })

  it('keeps the issue open for an incomplete plan or a failing check: they are not clean', async () => {
    await check(drifted)
    const incomplete = await check({
      complete: false,
      deferred_changes: [{ reason: 'resource_config_unknown', resource_change: rc('google_project.p["x"]', ['delete']) }],
    })
    expect(incomplete.exitCode, incomplete.stdout).toBe(0)
    expect(issues()[0]!.state).toBe('open')
    expect(incomplete.stdout).toMatch(/Drift issue #\d+: updated \(the plan is incomplete \(deferred changes\)\)/)
    const failing = await check({
      checks: [
        {
          address: { kind: 'check', to_display: 'check.health' },
          status: 'fail',
          instances: [{ address: { to_display: 'check.health' }, status: 'fail', problems: [{ message: 'API down' }] }],
        },
      ],
    })
    expect(failing.exitCode, failing.stdout).toBe(0)
    expect(issues()[0]!.state).toBe('open')
    expect(issues()[0]!.body).toContain('API down')
    expect(gh.commentsOf('acme', 'infra', issues()[0]!.number)).toHaveLength(0)
    await check({})
    expect(issues()[0]!.state).toBe('closed')
  })

  it('opens the issue of a long environment with a title GitHub takes, and escapes it in the closing note', async () => {
    const environment = `@acme/sre <img src=x> ${'e'.repeat(300)}`
    const opened = await check(drifted, { environment })
    expect(opened.exitCode, opened.stdout).toBe(0)
    expect(issues()).toHaveLength(1)
    expect(issues()[0]!.title.length).toBeLessThanOrEqual(256)
    expect(issues()[0]!.title).toMatch(/^Terraform drift: @acme\/sre <img src=x> e+…e+ \(339 characters\)$/)
    await check({}, { environment })
    const note = gh.commentsOf('acme', 'infra', issues()[0]!.number).at(-1)!.body
    expect(note).toMatch(/^The plan of @&#8203;acme\/sre &lt;img src\\=x&gt; e+…e+ \\\(322 characters\\\) is clean again/)
    expect(note).not.toContain('<img')
  })

  it('says what to change when the token may not write issues, after the summary and outputs', async () => {
    gh.fault({
      method: 'GET',
      path: '/repos/acme/infra/issues',
      status: 403,
      times: 5,
      body: { message: 'Resource not accessible by integration' },
    })
    const r = await check(drifted)
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(
      /::error::The token may not keep the drift issue of prod in acme\/infra \(403: Resource not accessible by integration\)\. Give the job 'permissions: issues: write'/,
    )
    expect(r.summary).toContain('Drift')
    expect(r.outputs.drift).toBe('1')
  })
})
