import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ActionContext } from '@infra-actions/common'
import { startConnectProxy } from '../../../test/support/connect-proxy.js'
import { FakeGitHub } from '../../../test/support/fake-github.mjs'
import {
  commentMarker,
  createGitHubClient,
  knownCommentAuthor,
  octokitCommentApi,
  otherAuthorWarning,
  postComment,
  upsertComment,
  type CommentApi,
} from '../src/index.js'

const OWNER = 'acme'
const REPO = 'infra'
const PR = 7
const BOT = 'github-actions[bot]'
const marker = commentMarker('plan-comment', 'infra/prod')

let gh: FakeGitHub
let api: CommentApi

beforeEach(async () => {
  gh = await new FakeGitHub().start()
  process.env.GITHUB_API_URL = gh.url
  process.env.INFRA_ACTIONS_RETRY_BASE_MS = '5'
  process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS = '500'
  api = octokitCommentApi(await createGitHubClient('ghs_installation'), OWNER, REPO)
})
afterEach(async () => {
  await gh.stop()
})

const comments = () => gh.commentsOf(OWNER, REPO, PR)

describe('upsertComment', () => {
  it('creates once, then edits the same comment in place', async () => {
    const first = await upsertComment(api, { issueNumber: PR, marker, body: 'plan v1', mode: 'update' })
    expect(first.action).toBe('created')
    const second = await upsertComment(api, { issueNumber: PR, marker, body: 'plan v2', mode: 'update' })
    expect(second.action).toBe('updated')
    expect(second.comment.id).toBe(first.comment.id)
    expect(comments()).toHaveLength(1)
    expect(comments()[0]!.body).toContain('plan v2')
    expect(comments()[0]!.body).toContain(marker)
  })

  it('finds its comment beyond the first page of 100', async () => {
    for (let i = 0; i < 150; i++) gh.addComment(OWNER, REPO, PR, `chatter ${i}`, 'someone')
    const mine = gh.addComment(OWNER, REPO, PR, `${marker}\nold plan`, BOT)
    for (let i = 0; i < 120; i++) gh.addComment(OWNER, REPO, PR, `more chatter ${i}`, 'someone')
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'new plan', mode: 'update' })
    expect(r).toMatchObject({ action: 'updated', comment: { id: mine.id } })
    expect(gh.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/comments')).map((q) => q.query.page ?? '1')).toEqual([
      '1',
      '2',
      '3',
    ])
    expect(comments().filter((c) => c.body.includes(marker))).toHaveLength(1)
  })

  it("never touches someone else's comment that copies the marker", async () => {
    const impostor = gh.addComment(OWNER, REPO, PR, `${marker}\nquoted by a human`, 'mallory')
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(r.action).toBe('created')
    expect(comments().find((c) => c.id === impostor.id)!.body).toBe(`${marker}\nquoted by a human`)
    const again = await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'recreate' })
    expect(again.action).toBe('recreated')
    expect(comments().map((c) => c.user.login)).toEqual(['mallory', BOT])
    expect(gh.requests.filter((q) => q.path.endsWith(`/issues/comments/${impostor.id}`))).toEqual([])
  })

  it('accepts the marker only as the first line: plan text holding another key’s marker takes nothing over', async () => {
    const stage = commentMarker('plan-comment', 'infra/stage')
    // The prod plan has a tag value a PR author controls, holding the stage key's marker.
    const prod = await upsertComment(api, { issueNumber: PR, marker, body: `plan with a tag:\n${stage}\nmore`, mode: 'update' })
    for (const mode of ['update', 'recreate'] as const) {
      const r = await upsertComment(api, { issueNumber: PR, marker: stage, body: `stage plan ${mode}`, mode })
      expect(r.comment.id).not.toBe(prod.comment.id)
    }
    const bodies = comments().map((c) => c.body.split('\n')[0])
    expect(bodies).toEqual([marker, stage])
    expect(comments().find((c) => c.id === prod.comment.id)!.body).toContain('plan with a tag:')
    // And the body sent always starts with this key's marker, whatever the text holds.
    const again = await upsertComment(api, { issueNumber: PR, marker, body: `${stage}\nat the top`, mode: 'update' })
    expect(again.comment.body.startsWith(`${marker}\n${stage}`)).toBe(true)
  })

  it('keeps one comment per key', async () => {
    await upsertComment(api, { issueNumber: PR, marker, body: 'prod', mode: 'update' })
    const other = commentMarker('plan-comment', 'infra/stage')
    await upsertComment(api, { issueNumber: PR, marker: other, body: 'stage', mode: 'update' })
    await upsertComment(api, { issueNumber: PR, marker, body: 'prod 2', mode: 'update' })
    expect(comments()).toHaveLength(2)
  })

  it('recreate deletes the old comment and posts at the bottom; new always adds', async () => {
    const a = await upsertComment(api, { issueNumber: PR, marker, body: 'one', mode: 'update' })
    gh.addComment(OWNER, REPO, PR, 'review', 'alice')
    const b = await upsertComment(api, { issueNumber: PR, marker, body: 'two', mode: 'recreate' })
    expect(b.comment.id).not.toBe(a.comment.id)
    expect(comments().at(-1)!.id).toBe(b.comment.id)
    await upsertComment(api, { issueNumber: PR, marker, body: 'three', mode: 'new' })
    expect(comments().filter((c) => c.user.login === BOT)).toHaveLength(2)
  })

  it('recreate keeps the old comment when the new one cannot be posted (the PR is never left without a plan)', async () => {
    await upsertComment(api, { issueNumber: PR, marker, body: 'one', mode: 'update' })
    gh.fault({ method: 'POST', path: /\/comments$/, status: 502, times: 20 })
    await expect(upsertComment(api, { issueNumber: PR, marker, body: 'two', mode: 'recreate' })).rejects.toThrow()
    expect(comments().map((c) => c.body.split('\n')[1])).toEqual(['one'])
  })

  it('folds duplicates left by an earlier race into one', async () => {
    gh.addComment(OWNER, REPO, PR, `${marker}\nA`, BOT)
    gh.addComment(OWNER, REPO, PR, `${marker}\nB`, BOT)
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'C', mode: 'update' })
    expect(r.removedDuplicates).toBe(1)
    expect(comments()).toHaveLength(1)
  })

  it('leaves an unchanged comment alone', async () => {
    await upsertComment(api, { issueNumber: PR, marker, body: 'same', mode: 'update' })
    const before = gh.requests.length
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'same', mode: 'update' })
    expect(r.action).toBe('unchanged')
    expect(gh.requests.slice(before).some((q) => q.method === 'PATCH')).toBe(false)
  })

  it('retries a 502 on listing and editing', async () => {
    await upsertComment(api, { issueNumber: PR, marker, body: 'one', mode: 'update' })
    gh.fault({ method: 'GET', path: '/comments', status: 502, times: 2 })
    gh.fault({ method: 'PATCH', path: '/issues/comments/', status: 503 })
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'two', mode: 'update' })
    expect(r.action).toBe('updated')
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(2)
  })

  it('waits out a secondary rate limit (403 + retry-after) and goes on', async () => {
    gh.fault({
      method: 'POST',
      path: '/comments',
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    })
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(r.action).toBe('created')
    expect(comments()).toHaveLength(1)
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(2)
  })

  it('does not post twice when a create times out after the server stored it', async () => {
    gh.fault({ method: 'POST', path: '/comments', after: true, hangMs: 2000 })
    const r = await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(comments()).toHaveLength(1)
    expect(r.comment.id).toBe(comments()[0]!.id)
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1)
  })

  it('retries a create that failed before it was stored', async () => {
    gh.fault({ method: 'POST', path: '/comments', status: 502 })
    await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(comments()).toHaveLength(1)
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(2)
  })

  it('turns a 422 for an over-long body into a clear error (postComment), without retrying it', async () => {
    const ctx = { eventName: 'pull_request', owner: OWNER, repo: REPO, payload: {} } as unknown as ActionContext
    const r = await postComment(api, { issueNumber: PR, marker, body: 'x'.repeat(70_000), mode: 'update' }, ctx, {
      lengthInput: 'max-length',
    })
    expect(r.error).toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(/body is too long.*lower input 'max-length'/is),
    })
    expect(gh.requests.filter((q) => q.method === 'POST')).toHaveLength(1)
  })

  it('gives up after bounded retries on a persistent 5xx', async () => {
    gh.fault({ method: 'GET', path: '/comments', status: 500, times: 100 })
    await expect(upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })).rejects.toThrow()
    expect(gh.requests.filter((q) => q.path.endsWith('/comments')).length).toBeLessThanOrEqual(4)
  })

  it('does not retry what retrying cannot fix (403 from /user, 404, 422)', async () => {
    await upsertComment(api, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(gh.requests.filter((q) => q.path === '/user')).toHaveLength(1)
    await expect(api.updateComment(999999, 'x')).rejects.toMatchObject({ status: 404 })
    expect(gh.requests.filter((q) => q.path.endsWith('/999999'))).toHaveLength(1)
  })

  it('knows the identity of installation tokens without asking', () => {
    expect(knownCommentAuthor('ghs_abc', undefined)).toBe('github-actions[bot]')
    expect(knownCommentAuthor('ghs_abc', 'deploy-app[bot]')).toBe('deploy-app[bot]')
    expect(knownCommentAuthor('ghp_abc', undefined)).toBeUndefined()
  })

  it('says who GitHub posted as when it is not the assumed author (a GitHub App token without comment-author)', async () => {
    await gh.stop()
    gh = await new FakeGitHub({ appLogin: 'acme-infra[bot]' }).start()
    process.env.GITHUB_API_URL = gh.url
    const appApi = octokitCommentApi(await createGitHubClient('ghs_app'), OWNER, REPO, { author: knownCommentAuthor('ghs_app', undefined) })
    const r = await upsertComment(appApi, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(r.postedAs).toEqual({ author: 'acme-infra[bot]', assumed: BOT })
    expect(otherAuthorWarning('PR comment', r.postedAs!)).toBe(
      "GitHub posted the PR comment as 'acme-infra[bot]', not as 'github-actions[bot]' as assumed for this token, so the next run " +
        "will not find it and will post another. Set input 'comment-author: acme-infra[bot]' (a GitHub App token posts as '<app-slug>[bot]').",
    )
    const set = octokitCommentApi(await createGitHubClient('ghs_app'), OWNER, REPO, { author: 'acme-infra[bot]' })
    const again = await upsertComment(set, { issueNumber: PR, marker, body: 'plan 2', mode: 'update' })
    expect(again).toMatchObject({ action: 'updated' })
    expect(again.postedAs).toBeUndefined()
  })

  it('uses the login of a user token as the identity', async () => {
    await gh.stop()
    gh = await new FakeGitHub({ userTokens: { ghp_user: 'deploy-bot' } }).start()
    process.env.GITHUB_API_URL = gh.url
    const userApi = octokitCommentApi(await createGitHubClient('ghp_user'), OWNER, REPO)
    gh.addComment(OWNER, REPO, PR, `${marker}\nby the actions bot`, BOT)
    const r = await upsertComment(userApi, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
    expect(r.action).toBe('created')
    expect(comments().map((c) => c.user.login)).toEqual([BOT, 'deploy-bot'])
  })
})

describe('createGitHubClient behind a proxy', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const k of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })

  it('sends requests through HTTP(S)_PROXY, as @actions/github does', async () => {
    const proxy = await startConnectProxy(new URL(gh.url))
    try {
      process.env.HTTP_PROXY = proxy.url
      // Not a loopback name (loopback addresses bypass proxies); only the proxy can reach it.
      process.env.GITHUB_API_URL = 'http://api.github.test'
      const proxied = octokitCommentApi(await createGitHubClient('ghs_installation'), OWNER, REPO)
      const r = await upsertComment(proxied, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
      expect(r.action).toBe('created')
      expect(comments()).toHaveLength(1)
      expect(proxy.connects[0]).toBe('api.github.test:80')
    } finally {
      await proxy.stop()
    }
  })

  it('leaves hosts in NO_PROXY alone', async () => {
    const proxy = await startConnectProxy(new URL(gh.url))
    try {
      process.env.HTTP_PROXY = proxy.url
      process.env.NO_PROXY = 'example.com,127.0.0.1'
      const direct = octokitCommentApi(await createGitHubClient('ghs_installation'), OWNER, REPO)
      await upsertComment(direct, { issueNumber: PR, marker, body: 'plan', mode: 'update' })
      expect(comments()).toHaveLength(1)
      expect(proxy.connects).toEqual([])
    } finally {
      await proxy.stop()
    }
  })
})

describe('postComment', () => {
  const context = (eventName: string, headRepo: string) =>
    ({
      eventName,
      owner: OWNER,
      repo: REPO,
      payload: { pull_request: { number: PR, head: { repo: { full_name: headRepo } }, base: { repo: { full_name: `${OWNER}/${REPO}` } } } },
    }) as unknown as ActionContext
  const params = { issueNumber: PR, marker, body: 'plan', mode: 'update' as const }
  const refuse = () =>
    gh.fault({ method: 'POST', path: '/comments', status: 403, times: 5, body: { message: 'Resource not accessible by integration' } })

  it('returns the posted comment', async () => {
    const r = await postComment(api, params, context('pull_request', `${OWNER}/${REPO}`))
    expect(r.posted?.action).toBe('created')
  })

  it('returns a refusal explained, without throwing', async () => {
    refuse()
    const r = await postComment(api, params, context('pull_request', `${OWNER}/${REPO}`), { prInput: 'pr-number', tokenInput: 'token' })
    expect(r.error).toMatchObject({
      name: 'ConfigurationError',
      message:
        'The token may not comment on acme/infra#7 (403: Resource not accessible by integration). ' +
        "Give the job 'permissions: pull-requests: write' (GITHUB_TOKEN is read-only when the organization or the workflow says so), or pass a token in 'token' that can.",
    })
  })

  it('says which input to lower when GitHub refuses the body (422), and which to check on a 404', async () => {
    gh.fault({ method: 'POST', path: '/comments', status: 422, times: 1, body: { message: 'Validation Failed' } })
    const r = await postComment(api, params, context('pull_request', `${OWNER}/${REPO}`), { lengthInput: 'max-length' })
    expect(r.error).toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(/422: Validation Failed\)\. The body was 4 characters; lower input 'max-length'/),
    })
    gh.fault({ method: 'GET', path: '/comments', status: 404, times: 1, body: { message: 'Not Found' } })
    const missing = await postComment(api, params, context('pull_request', `${OWNER}/${REPO}`), { prInput: 'pr-number' })
    expect(missing.error).toMatchObject({
      message: expect.stringMatching(/404 \(Not Found\) when trying to comment on acme\/infra#7\. Check input 'pr-number'/),
    })
  })

  it('only warns on a pull_request from a fork, not on pull_request_target (whose token can write)', async () => {
    refuse()
    expect(await postComment(api, params, context('pull_request', 'outsider/infra'))).toEqual({
      warning: expect.stringMatching(/forks a read-only token/),
    })
    refuse()
    expect((await postComment(api, params, context('pull_request_target', 'outsider/infra'))).error).toMatchObject({
      name: 'ConfigurationError',
    })
  })
})
