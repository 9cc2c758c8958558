import { randomUUID } from 'node:crypto'
import { statusOf } from './api-errors.js'
import { retryBaseMs, type Octokit } from './client.js'
import {
  createOnce as createCommentOnce,
  firstLine,
  octokitCommentApi,
  otherAuthor,
  resolveIdentity,
  type CommentApi,
  type PostedAs,
} from './comment-upsert.js'

/**
 * One tracking issue per marker (a drift report per environment): opened when there is something
 * to track, its body kept current, closed with a note when it is gone. Found again by the marker
 * on its body's first line, among issues with the tracking label written by the identity that
 * posts, open or closed, so reruns never open a second one: a closed issue is reopened.
 */
export interface TrackedIssue {
  number: number
  title: string
  body: string
  author: string
  state: 'open' | 'closed'
  url: string
}

export interface IssueApi {
  identity(): Promise<string>
  /** Issues (not pull requests) with the label, open and closed, newest first, all pages. */
  listIssues(label: string): Promise<TrackedIssue[]>
  /** One attempt, no automatic retry (a retried POST can duplicate). */
  createIssue(title: string, body: string, labels: readonly string[]): Promise<TrackedIssue>
  updateIssue(
    number: number,
    change: { body?: string; state?: 'open' | 'closed'; stateReason?: 'completed' | 'reopened' },
  ): Promise<TrackedIssue>
  /** The comments of an issue, to find a note again; createComment makes one attempt (see createOnce). */
  comments: Pick<CommentApi, 'createComment' | 'listComments'>
}

export type TrackingResult =
  | {
      action: 'created' | 'updated' | 'reopened' | 'unchanged' | 'closed'
      issue: TrackedIssue
      /** The author GitHub named for a created issue, when it is not the identity assumed (see otherAuthor). */
      postedAs?: PostedAs
    }
  | { action: 'none'; issue: undefined }

export async function syncTrackingIssue(
  api: IssueApi,
  params: {
    marker: string
    /** Whether there is something to track: open or update the issue; else close it. */
    track: boolean
    title: string
    body: string
    labels: readonly string[]
    /** The comment left when the issue is closed. */
    closingNote: string
  },
): Promise<TrackingResult> {
  const label = params.labels[0] ?? 'drift'
  const identity = (await api.identity()).toLowerCase()
  const ours = (await api.listIssues(label)).filter((i) => i.author.toLowerCase() === identity && firstLine(i.body) === params.marker)
  const open = ours.filter((i) => i.state === 'open')
  const body = `${params.marker}\n${params.body}`
  if (!params.track) {
    const [newest] = open
    for (const i of open) {
      // Closed first: a close that fails leaves no note behind for a re-run to post again.
      await api.updateIssue(i.number, { state: 'closed', stateReason: 'completed' })
      await createCommentOnce(api.comments, i.number, params.closingNote, identity)
    }
    return newest ? { action: 'closed', issue: newest } : { action: 'none', issue: undefined }
  }
  // Older open duplicates (an earlier race) are closed; the newest carries on.
  for (const extra of open.slice(1)) await api.updateIssue(extra.number, { state: 'closed', stateReason: 'completed' })
  const current = open[0]
  if (current) {
    if (withoutNonce(current.body) === body) return { action: 'unchanged', issue: current }
    return { action: 'updated', issue: await api.updateIssue(current.number, { body }) }
  }
  const closed = ours[0]
  if (closed) return { action: 'reopened', issue: await api.updateIssue(closed.number, { body, state: 'open', stateReason: 'reopened' }) }
  const created = await createOnce(api, params.title, body, params.labels, label, identity)
  const postedAs = otherAuthor(created.author, identity)
  return postedAs ? { action: 'created', issue: created, postedAs } : { action: 'created', issue: created }
}

const NONCE = /\n<!-- infra-actions:post=[0-9a-f-]+ -->$/
const withoutNonce = (body: string): string => body.replace(NONCE, '')

/** Create exactly one issue, even when an attempt times out after GitHub stored it. */
async function createOnce(
  api: IssueApi,
  title: string,
  body: string,
  labels: readonly string[],
  label: string,
  identity: string,
): Promise<TrackedIssue> {
  const nonce = `<!-- infra-actions:post=${randomUUID()} -->`
  const tagged = `${body}\n${nonce}`
  let lastError: unknown
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await api.createIssue(title, tagged, labels)
    } catch (error) {
      lastError = error
      const status = statusOf(error)
      if (status !== undefined && status < 500 && status !== 429) throw error
      const stored = (await api.listIssues(label)).find((i) => i.author.toLowerCase() === identity && i.body.includes(nonce))
      if (stored) return stored
      if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, retryBaseMs() * 2 ** (attempt - 1)))
    }
  }
  throw lastError
}

/** IssueApi over the REST API. The client may still be loading (a promise). */
export function octokitIssueApi(
  client: Octokit | Promise<Octokit>,
  owner: string,
  repo: string,
  options: { author?: string } = {},
): IssueApi {
  const identity = resolveIdentity(client, options.author)
  type RestIssue = { number: number; title: string; body?: string | null; user?: { login: string } | null; state: string; html_url: string }
  const toIssue = (i: RestIssue): TrackedIssue => ({
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    author: i.user?.login ?? '',
    state: i.state === 'closed' ? 'closed' : 'open',
    url: i.html_url,
  })
  return {
    identity,
    async listIssues(label) {
      const octokit = await client
      const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
        owner,
        repo,
        labels: label,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 100,
      })
      return all.filter((i) => !i.pull_request).map(toIssue)
    },
    async createIssue(title, body, labels) {
      const octokit = await client
      const { data } = await octokit.rest.issues.create({ owner, repo, title, body, labels: [...labels], request: { retries: 0 } })
      return toIssue(data)
    },
    async updateIssue(number, change) {
      const octokit = await client
      const { data } = await octokit.rest.issues.update({
        owner,
        repo,
        issue_number: number,
        ...(change.body !== undefined ? { body: change.body } : {}),
        ...(change.state ? { state: change.state } : {}),
        ...(change.stateReason ? { state_reason: change.stateReason } : {}),
      })
      return toIssue(data)
    },
    // An issue's comments are a pull request's: the same calls, the create not retried.
    comments: octokitCommentApi(client, owner, repo, { author: options.author }),
  }
}
