import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runAction } from '../../scripts/run-action.mjs'
import { realPayload } from '../support/events.js'

// The built bundle with GITHUB_EVENT_PATH, GITHUB_REF, GITHUB_SHA… set as the runner sets them.
function eventFile(name: string, payload: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'it-re-'))
  const file = path.join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(payload))
  return file
}
const workspace = () => mkdtempSync(path.join(tmpdir(), 'ws-'))
const run = (event: string, payload: unknown, ws: string, inputs: Record<string, string> = {}) =>
  runAction({ action: 'resolve-environment', event: eventFile(event, payload), inputs, cwd: ws, env: { GITHUB_WORKSPACE: ws } })

describe('resolve-environment (built action)', () => {
  it('resolves a merged PR into main with the built-in rules', async () => {
    const p = realPayload('pull_request', { action: 'closed' })
    p.pull_request.merged = true
    p.pull_request.base.ref = 'main'
    const r = await run('pull_request', p, workspace())
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({
      environment: 'prod',
      operation: 'apply',
      'approval-required': 'true',
      rule: 'prod apply',
      trusted: 'true',
      sha: p.pull_request.head.sha,
    })
    expect(JSON.parse(r.outputs.json!)).toMatchObject({ environment: 'prod', operation: 'apply' })
    expect(r.outputs.reason).toBe("pull_request closed and merged into main matched rule 'prod apply'")
    expect(r.summary).toContain('Why 4 earlier rules did not match')
    expect(r.stdout).toMatch(/::warning::image-tag of environment 'prod'/)
  })

  it('reads the rules file from the workspace and reports its errors with a line', async () => {
    const ws = workspace()
    mkdirSync(path.join(ws, '.github'))
    writeFileSync(
      path.join(ws, '.github/environments.yml'),
      'environments:\n  dev: {}\nrules:\n  - { name: d, on: push, branches: [main], environment: dev, operation: apply, when: always }\n',
    )
    const r = await run('push', { ...realPayload('push', { ref: /heads\/master/ }), ref: 'refs/heads/main' }, ws)
    expect(r.exitCode).toBe(1)
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('::error::')),
    ).toEqual(["::error::.github/environments.yml:4: rules.0: unknown key 'when'"])
  })

  it('says when a given config path does not exist', async () => {
    const r = await run('push', realPayload('push'), workspace(), { config: 'infra/envs.yml' })
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toMatch(/::error::Input 'config' names a path that does not exist: "infra\/envs.yml"/)
  })

  it('says trusted=false for a review of a fork pull request', async () => {
    const p = realPayload('pull_request_review')
    p.pull_request.head.repo.full_name = 'mallory/Hello-World'
    const r = await run('pull_request_review', p, workspace())
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs).toMatchObject({ trusted: 'false', operation: 'none' })
  })

  it('keeps a newline in a branch name out of the outputs and the log', async () => {
    const p = realPayload('pull_request', { action: 'opened' })
    p.pull_request.head.ref = 'x\n::error::injected'
    const r = await run('pull_request', p, workspace())
    expect(r.exitCode, r.stdout).toBe(0)
    expect(r.outputs.reason).toBe('pull_request opened from x\\n::error::injected into master matched no rule')
    expect(JSON.parse(r.outputs.json!).reason).toBe(r.outputs.reason)
    expect(r.stdout).not.toMatch(/^::error::injected/m)
  })

  it('says which dispatch input is not text, as an error, not as a bug', async () => {
    const r = await run('workflow_dispatch', { ...realPayload('workflow_dispatch'), inputs: { environment: { toString: 1 } } }, workspace())
    expect(r.exitCode).toBe(1)
    expect(r.stdout).not.toMatch(/This is a bug/)
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(/^::error::The dispatch input 'environment' is a JSON object, and workflow_dispatch inputs are strings/),
    ])
  })

  it('has nothing to do on an unmatched push, and says so', async () => {
    const r = await run('push', realPayload('push', { ref: /heads\/master/ }), workspace())
    expect(r.exitCode).toBe(0)
    expect(r.outputs).toMatchObject({ operation: 'none', environment: '', reason: 'push to branch master matched no rule' })
  })
})

describe('resolve-environment with the GitHub API (stand-in)', () => {
  it('finds the PR a pushed commit came from when a template needs {pr}', async () => {
    const { FakeGitHub } = await import('../support/fake-github.mjs')
    const gh = await new FakeGitHub().start()
    try {
      const ws = workspace()
      mkdirSync(path.join(ws, '.github'))
      writeFileSync(
        path.join(ws, '.github/environments.yml'),
        'environments:\n  preview: { name: "preview-pr-{pr}" }\nrules:\n  - { name: merged, on: push, branches: [main], environment: preview, operation: apply }\n',
      )
      const p: Record<string, any> = { ...realPayload('push', { ref: /heads\/master/ }), ref: 'refs/heads/main' } // eslint-disable-line @typescript-eslint/no-explicit-any
      gh.commitPulls.set(`${p.repository.full_name}@${p.after}`, [{ number: 77, merged_at: '2026-11-23T10:00:00Z', state: 'closed' }])
      const r = await runAction({
        action: 'resolve-environment',
        event: eventFile('push', p),
        cwd: ws,
        apiUrl: gh.url,
        env: { GITHUB_WORKSPACE: ws, INFRA_ACTIONS_RETRY_BASE_MS: '5' },
      })
      expect(r.exitCode, r.stdout).toBe(0)
      expect(r.outputs).toMatchObject({ environment: 'preview-pr-77', 'pr-number': '77' })
      expect(gh.requests.map((q) => q.path)).toEqual([`/repos/${p.repository.full_name}/commits/${p.after}/pulls`])
    } finally {
      await gh.stop()
    }
  })
})
