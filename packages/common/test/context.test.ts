import { describe, expect, it } from 'vitest'
import { pullRequestFork, pullRequestNumber } from '../src/index.js'
import { contextWithEvent } from '../../../test/support/context.js'

const withEvent = (payload: unknown, env: Record<string, string> = {}) =>
  contextWithEvent(payload, { GITHUB_REPOSITORY: 'acme/infra', GITHUB_RUN_ID: '42', GITHUB_SHA: 'merge000', ...env })

describe('the run context (@actions/github, extended)', () => {
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

  it('has an empty payload, no repository and no run link when the runner gives none', () => {
    const ctx = withEvent({}, { GITHUB_REPOSITORY: '', GITHUB_RUN_ID: '' })
    expect(ctx).toMatchObject({ owner: '', repo: '', runUrl: undefined, payload: {}, runAttempt: '1', isAct: false })
    expect(withEvent({}, { ACT: 'true' }).isAct).toBe(true)
  })
})
