import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeGitHub } from '../../../test/support/fake-github.mjs'
import { commentMarker, createGitHubClient, octokitIssueApi, syncTrackingIssue, type IssueApi } from '../src/index.js'

const marker = commentMarker('plan-comment', 'infra:prod')
const BOT = 'github-actions[bot]'
let gh: FakeGitHub
let api: IssueApi
beforeEach(async () => {
  gh = await new FakeGitHub().start()
  process.env.GITHUB_API_URL = gh.url
  process.env.INFRA_ACTIONS_RETRY_BASE_MS = '5'
  api = octokitIssueApi(await createGitHubClient('ghs_x'), 'acme', 'infra', { author: BOT })
})
afterEach(async () => gh.stop())

const sync = (track: boolean, body = 'drift: 2 to change') =>
  syncTrackingIssue(api, { marker, track, title: 'Drift in prod', body, labels: ['drift'], closingNote: 'The drift is gone.' })
const issues = () => gh.issuesOf('acme', 'infra')

describe('the tracking issue', () => {
  it('is opened once, kept current, left alone when nothing changed, and never doubled by reruns', async () => {
    expect((await sync(true)).action).toBe('created')
    expect((await sync(true)).action).toBe('unchanged')
    expect((await sync(true, 'drift: 3 to change')).action).toBe('updated')
    expect(issues()).toHaveLength(1)
    expect(issues()[0]).toMatchObject({ title: 'Drift in prod', state: 'open', labels: [{ name: 'drift' }] })
    expect(issues()[0]!.body!.startsWith(`${marker}\ndrift: 3 to change`)).toBe(true)
  })

  it('is closed with a note when the drift is gone, and reopened (not opened again) when it comes back', async () => {
    const created = await sync(true)
    expect((await sync(false)).action).toBe('closed')
    expect(issues()[0]).toMatchObject({ state: 'closed', state_reason: 'completed' })
    expect(notes(created.issue!.number)).toEqual(['The drift is gone.'])
    expect((await sync(false)).action).toBe('none')
    expect((await sync(true)).action).toBe('reopened')
    expect(issues()).toHaveLength(1)
    expect(issues()[0]!.state).toBe('open')
  })

  it('takes over no issue it did not open: another author, or the marker below the first line', async () => {
    gh.issues.set('acme/infra', [issue(1, `${marker}\nwritten by a person`, 'mallory'), issue(2, `a quote:\n${marker}`, BOT)])
    expect((await sync(true)).action).toBe('created')
    expect(issues().map((i) => i.body!.split('\n')[1])).toEqual(['written by a person', marker, 'drift: 2 to change'])
  })

  it('closes older duplicates an earlier race left open', async () => {
    gh.issues.set('acme/infra', [issue(1, `${marker}\nold`, BOT), issue(2, `${marker}\nnewer`, BOT)])
    expect(await sync(true)).toMatchObject({ action: 'updated', issue: { number: 2 } })
    expect(issues().map((i) => i.state)).toEqual(['closed', 'open'])
  })

  it('does not open a second issue when a create times out after GitHub stored it', async () => {
    gh.fault({ method: 'POST', path: '/repos/acme/infra/issues', status: 502, after: true })
    expect((await sync(true)).action).toBe('created')
    expect(issues()).toHaveLength(1)
  })
})

it('says who GitHub opened the issue as when it is not the assumed author', async () => {
  await gh.stop()
  gh = await new FakeGitHub({ appLogin: 'acme-infra[bot]' }).start()
  process.env.GITHUB_API_URL = gh.url
  api = octokitIssueApi(await createGitHubClient('ghs_app'), 'acme', 'infra', { author: BOT })
  expect(await sync(true)).toMatchObject({ action: 'created', postedAs: { author: 'acme-infra[bot]', assumed: BOT } })
})

describe('the closing note', () => {
  it('is posted once when its create times out after GitHub stored it', async () => {
    process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS = '300'
    try {
      api = octokitIssueApi(await createGitHubClient('ghs_x'), 'acme', 'infra', { author: BOT })
      const { issue } = await sync(true)
      gh.fault({ method: 'POST', path: `/issues/${issue!.number}/comments`, after: true, hangMs: 1000 })
      expect((await sync(false)).action).toBe('closed')
      expect(notes(issue!.number)).toEqual(['The drift is gone.'])
    } finally {
      delete process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS
    }
  })

  it('is not posted twice when closing fails and the run is repeated', async () => {
    const { issue } = await sync(true)
    gh.fault({ method: 'PATCH', path: `/issues/${issue!.number}`, status: 502, times: 4 })
    await expect(sync(false)).rejects.toThrow()
    expect(issues()[0]!.state).toBe('open')
    expect((await sync(false)).action).toBe('closed')
    expect(issues()[0]!.state).toBe('closed')
    expect(notes(issue!.number)).toEqual(['The drift is gone.'])
  })
})

/** The closing notes on an issue, without the per-post nonce line. */
const notes = (number: number): string[] =>
  gh.commentsOf('acme', 'infra', number).map((c) => c.body.replace(/\n<!-- infra-actions:post=[0-9a-f-]+ -->$/, ''))

function issue(number: number, body: string, login: string) {
  return {
    number,
    title: 't',
    body,
    state: 'open' as const,
    state_reason: null,
    labels: [{ name: 'drift' }],
    user: { login },
    html_url: `https://github.com/acme/infra/issues/${number}`,
  }
}
