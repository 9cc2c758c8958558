import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, apiUnavailableReason, pullRequestFork, pullRequestNumber, readContext } from '../src/index.js'

function withEvent(payload: unknown, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ctx-'))
  const file = path.join(dir, 'event.json')
  writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload))
  return readContext({ GITHUB_EVENT_PATH: file, GITHUB_REPOSITORY: 'acme/infra', GITHUB_RUN_ID: '42', GITHUB_SHA: 'merge000', ...env })
}

describe('readContext', () => {
  it('knows a pull request from a fork (or a deleted one) from one in this repository', () => {
    const pr = (repo: unknown, event = 'pull_request') =>
      pullRequestFork(
        withEvent(
          { pull_request: { number: 1, head: { repo }, base: { repo: { full_name: 'acme/infra' } } } },
          { GITHUB_EVENT_NAME: event },
        ),
      )
    expect(pr({ full_name: 'acme/infra' })).toBeUndefined()
    expect(pr({ full_name: 'outsider/infra' })).toEqual({ headRepo: 'outsider/infra' })
    expect(pr(null)).toEqual({ headRepo: undefined })
    expect(pr({ full_name: 'outsider/infra' }, 'pull_request_target')).toEqual({ headRepo: 'outsider/infra' })
    expect(pr({ full_name: 'outsider/infra' }, 'push')).toBeUndefined()
  })

  it('takes the PR number and head sha from pull_request events', () => {
    const ctx = withEvent({ pull_request: { number: 12, head: { sha: 'head123' } } }, { GITHUB_EVENT_NAME: 'pull_request' })
    expect(pullRequestNumber(ctx)).toBe(12)
    expect(ctx.headSha).toBe('head123')
    expect(ctx.sha).toBe('merge000')
    expect(ctx.runUrl).toBe('https://github.com/acme/infra/actions/runs/42')
  })

  it('finds the PR of an issue_comment only when the issue is a PR', () => {
    expect(pullRequestNumber(withEvent({ issue: { number: 3, pull_request: { url: 'x' } } }))).toBe(3)
    expect(pullRequestNumber(withEvent({ issue: { number: 3 } }))).toBeUndefined()
  })

  it('uses workflow_run pull_requests and lets an explicit number win', () => {
    const ctx = withEvent({ workflow_run: { head_sha: 'abc', pull_requests: [{ number: 9 }] } })
    expect(pullRequestNumber(ctx)).toBe(9)
    expect(pullRequestNumber(ctx, 4)).toBe(4)
    expect(ctx.headSha).toBe('abc')
  })

  it('has no PR on push and uses `after` as the head sha', () => {
    const ctx = withEvent({ after: 'pushed1', ref: 'refs/heads/main' })
    expect(pullRequestNumber(ctx)).toBeUndefined()
    expect(ctx.headSha).toBe('pushed1')
  })

  it('says clearly when the event file is not JSON', () => {
    expect(() => withEvent('{oops')).toThrow(ConfigurationError)
    expect(() => withEvent('{oops')).toThrow(/GITHUB_EVENT_PATH=.*not valid JSON/)
  })

  it('skips the API under act and without a token', () => {
    const ctx = withEvent({}, { ACT: 'true' })
    expect(apiUnavailableReason('t', ctx)).toMatch(/nektos\/act/)
    expect(apiUnavailableReason('', withEvent({}))).toMatch(/no GitHub token/)
    expect(apiUnavailableReason('t', withEvent({}))).toBeUndefined()
  })
})
