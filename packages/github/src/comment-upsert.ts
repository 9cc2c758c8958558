import { randomUUID } from 'node:crypto'
import { InputError, pullRequestFork, type ActionContext } from '@infra-actions/common'
import { explainApiError, statusOf } from './api-errors.js'
import { retryBaseMs, type Octokit } from './client.js'

/**
 * One comment per (tool, key) on a pull request, found again by a hidden marker.
 *
 * Only comments written by the identity that posts are candidates: anyone can paste our marker
 * into their own comment, and we must never edit or delete it. A create that fails ambiguously
 * (timeout, 5xx: it may have been stored) is never blindly retried; we look for it by a per-post
 * nonce first, so a slow API cannot give a PR two copies of the same plan.
 */
export type CommentMode = 'update' | 'recreate' | 'new'

export interface IssueComment {
  id: number
  body: string
  author: string
  url: string
}

/** The calls upsert needs, so tests and local runs can use a stand-in. */
export interface CommentApi {
  /** The login comments are posted as (e.g. `github-actions[bot]`). */
  identity(): Promise<string>
  /** Every comment on the issue, all pages, oldest first. */
  listComments(issueNumber: number): Promise<IssueComment[]>
  /** One attempt, no automatic retry (a retried POST can duplicate). */
  createComment(issueNumber: number, body: string): Promise<IssueComment>
  updateComment(id: number, body: string): Promise<IssueComment>
  deleteComment(id: number): Promise<void>
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'recreated' | 'unchanged'
  comment: IssueComment
  /** Our own older duplicates that were removed (left behind by earlier races). */
  removedDuplicates: number
  /** The author GitHub named for a created comment, when it is not the identity assumed (see otherAuthor). */
  postedAs?: PostedAs
}

/**
 * The `key` input, checked against the comment's budget: its percent-encoded marker may take at
 * most a quarter of `max-length` (a key whose marker left no room made the budget negative, and
 * one that left a few hundred characters cut the heading and the destroy warning). `origin`
 * says where a key nobody set came from, e.g. "working-directory".
 */
export function commentKey(key: string, maxLength: number, origin?: string): string {
  const encoded = encodeURIComponent(key).length
  const most = Math.floor(maxLength / 4)
  if (encoded > most)
    throw new InputError(
      'key',
      `is too long: ${key.length} characters, ${encoded} once percent-encoded in the comment's hidden marker (at most ${most}, a quarter of max-length)` +
        `${origin ? `; it defaults to ${origin}: set a shorter 'key'` : '; use a shorter key'}`,
    )
  return key
}

export function commentMarker(tool: string, key: string): string {
  // The key is user text; percent-encoding keeps `-->` and newlines out of the HTML comment.
  return `<!-- infra-actions:${tool}:key=${encodeURIComponent(key)} -->`
}

/**
 * The characters a posted body has beyond the one given: the marker's line and a new comment's
 * nonce line. A body's budget is GitHub's limit less this (a long key makes a long marker).
 */
export function commentOverhead(marker: string): number {
  return marker.length + 1 + 1 + nonceLine(randomUUID()).length
}

/**
 * Our comment for this marker: written by the identity that posts, with the marker as its first
 * line, where this project writes it. Anywhere else in a body the marker is just text (a plan
 * value can hold it), and must not let one key's step take over another key's comment.
 */
export function isOurs(comment: IssueComment, marker: string, identity: string): boolean {
  return comment.author.toLowerCase() === identity.toLowerCase() && firstLine(comment.body) === marker
}

export function firstLine(body: string): string {
  const end = body.indexOf('\n')
  return (end < 0 ? body : body.slice(0, end)).replace(/\r$/, '')
}

type UpsertParams = { issueNumber: number; marker: string; body: string; mode: CommentMode; createAttempts?: number }

export async function upsertComment(api: CommentApi, params: UpsertParams): Promise<UpsertResult> {
  const identity = await api.identity()
  const result = await upsert(api, params, identity)
  const postedAs = otherAuthor(result.comment.author, identity)
  return postedAs ? { ...result, postedAs } : result
}

/**
 * The author GitHub names for what we posted, when it is not the identity we look for our own
 * by (a GitHub App token without `comment-author`): the next run will not find it.
 */
export function otherAuthor(author: string, identity: string): PostedAs | undefined {
  return author && author.toLowerCase() !== identity.toLowerCase() ? { author, assumed: identity } : undefined
}

export interface PostedAs {
  /** The login GitHub named. */
  author: string
  /** The identity our own comments and issues are looked for by. */
  assumed: string
}

/** What to do about otherAuthor: set the login GitHub named. */
export function otherAuthorWarning(what: string, postedAs: PostedAs, authorInput = 'comment-author'): string {
  return (
    `GitHub posted the ${what} as '${postedAs.author}', not as '${postedAs.assumed}' as assumed for this token, so the next run ` +
    `will not find it and will post another. Set input '${authorInput}: ${postedAs.author}' (a GitHub App token posts as '<app-slug>[bot]').`
  )
}

async function upsert(api: CommentApi, params: UpsertParams, identity: string): Promise<UpsertResult> {
  const { issueNumber, marker, mode } = params
  // The marker always opens the body, whatever the rendered text holds.
  const body = `${marker}\n${params.body}`
  const ours = (await api.listComments(issueNumber)).filter((c) => isOurs(c, marker, identity))

  if (mode === 'new') {
    return { action: 'created', comment: await createOnce(api, issueNumber, body, identity, params.createAttempts), removedDuplicates: 0 }
  }
  const newest = ours.at(-1)
  const older = ours.slice(0, -1)
  if (mode === 'recreate') {
    // Posted first: when posting fails, the PR keeps the last plan instead of none.
    const comment = await createOnce(api, issueNumber, body, identity, params.createAttempts)
    for (const c of ours) await deleteIfPresent(api, c.id)
    return { action: newest ? 'recreated' : 'created', comment, removedDuplicates: older.length }
  }
  for (const c of older) await deleteIfPresent(api, c.id)
  if (!newest) {
    return { action: 'created', comment: await createOnce(api, issueNumber, body, identity, params.createAttempts), removedDuplicates: 0 }
  }
  if (withoutNonce(newest.body) === body) return { action: 'unchanged', comment: newest, removedDuplicates: older.length }
  try {
    return { action: 'updated', comment: await api.updateComment(newest.id, body), removedDuplicates: older.length }
  } catch (error) {
    // Deleted between our list and our edit (someone cleaned up): post it anew.
    if (statusOf(error) !== 404) throw error
    return {
      action: 'created',
      comment: await createOnce(api, issueNumber, body, identity, params.createAttempts),
      removedDuplicates: older.length,
    }
  }
}

async function deleteIfPresent(api: CommentApi, id: number): Promise<void> {
  try {
    await api.deleteComment(id)
  } catch (error) {
    if (statusOf(error) !== 404) throw error
  }
}

/** The last line of a created comment: a per-post id, by which a retry finds what a timed-out attempt stored. */
const nonceLine = (id: string): string => `<!-- infra-actions:post=${id} -->`
const NONCE = /\n<!-- infra-actions:post=[0-9a-f-]+ -->$/

function withoutNonce(body: string): string {
  return body.replace(NONCE, '')
}

/** Create exactly one comment, even when an attempt times out after the server stored it. */
export async function createOnce(
  api: Pick<CommentApi, 'createComment' | 'listComments'>,
  issueNumber: number,
  body: string,
  identity: string,
  attempts = 3,
): Promise<IssueComment> {
  const nonce = nonceLine(randomUUID())
  const tagged = `${body}\n${nonce}`
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await api.createComment(issueNumber, tagged)
    } catch (error) {
      lastError = error
      const status = statusOf(error)
      if (status !== undefined && status < 500 && status !== 429) throw error
      const stored = (await api.listComments(issueNumber)).find(
        (c) => c.author.toLowerCase() === identity.toLowerCase() && c.body.includes(nonce),
      )
      if (stored) return stored
      if (attempt < attempts) await sleep(backoffMs(attempt))
    }
  }
  throw lastError
}

/** How the caller names what a comment failure is about, for the messages. */
export interface CommentHints {
  /** The input that sets the PR number (checked on a 404). */
  prInput?: string
  /** The input that limits the comment's length (lowered on a 422). */
  lengthInput?: string
  tokenInput?: string
}

/**
 * upsertComment as an action's step runs it: a refusal comes back (explained by
 * explainApiError) instead of being thrown, so the caller can still write its job summary and
 * outputs before failing; on a `pull_request` from a fork, whose GITHUB_TOKEN is read-only,
 * a 403 is only a warning.
 */
export async function postComment(
  api: CommentApi,
  params: UpsertParams,
  context: ActionContext,
  hints: CommentHints = {},
): Promise<{ posted?: UpsertResult; warning?: string; error?: unknown }> {
  try {
    return { posted: await upsertComment(api, params) }
  } catch (error) {
    if (statusOf(error) === 403 && context.eventName === 'pull_request' && pullRequestFork(context)) {
      return { warning: 'The PR comment was skipped: GitHub gives pull requests from forks a read-only token (403).' }
    }
    const pr = `${context.owner}/${context.repo}#${params.issueNumber}`
    return {
      error: explainApiError(error, {
        doing: `comment on ${pr}`,
        permission: 'pull-requests: write',
        notFound: hints.prInput ? `input '${hints.prInput}' (or the event's pull request)` : `that ${pr} exists`,
        unprocessable: `The body was ${params.body.length} characters${hints.lengthInput ? `; lower input '${hints.lengthInput}'` : ''} (GitHub's limit is 65536).`,
        tokenInput: hints.tokenInput,
      }),
    }
  }
}

function backoffMs(attempt: number): number {
  return retryBaseMs() * 2 ** (attempt - 1)
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The login a token posts as, when it can be known without asking: an explicit value, or for
 * an installation token (`ghs_…`: GITHUB_TOKEN; `GET /user` would only answer 403) the Actions bot.
 * Undefined: ask `GET /user` (personal and user-to-server tokens).
 */
export function knownCommentAuthor(token: string, explicit: string | undefined): string | undefined {
  if (explicit) return explicit
  return token.startsWith('ghs_') ? 'github-actions[bot]' : undefined
}

/**
 * CommentApi over the REST API. Pagination follows `Link` headers (100 a page). The client may
 * still be loading (a promise), so an action can start it before its own slow local work.
 */
export function octokitCommentApi(
  client: Octokit | Promise<Octokit>,
  owner: string,
  repo: string,
  options: { author?: string } = {},
): CommentApi {
  const identity = resolveIdentity(client, options.author)
  const toComment = (c: { id: number; body?: string | null; user?: { login: string } | null; html_url: string }): IssueComment => ({
    id: c.id,
    body: c.body ?? '',
    author: c.user?.login ?? '',
    url: c.html_url,
  })
  return {
    identity,
    async listComments(issueNumber) {
      const octokit = await client
      const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 })
      return all.map(toComment)
    },
    async createComment(issueNumber, body) {
      const octokit = await client
      const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body, request: { retries: 0 } })
      return toComment(data)
    },
    async updateComment(id, body) {
      const octokit = await client
      const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: id, body })
      return toComment(data)
    },
    async deleteComment(id) {
      const octokit = await client
      await octokit.rest.issues.deleteComment({ owner, repo, comment_id: id })
    },
  }
}

/**
 * The login a client posts as, asked once: the given author, else `GET /user`. Installation
 * tokens cannot call /user: GITHUB_TOKEN posts as the Actions bot; another GitHub App's token
 * posts as `<app-slug>[bot]`, which the caller passes as `author`.
 */
export function resolveIdentity(client: Octokit | Promise<Octokit>, author: string | undefined): () => Promise<string> {
  let login: Promise<string> | undefined = author ? Promise.resolve(author) : undefined
  return () =>
    (login ??= (async () => {
      const octokit = await client
      try {
        return (await octokit.rest.users.getAuthenticated()).data.login
      } catch (error) {
        if (statusOf(error) !== 403 && statusOf(error) !== 401) throw error
        return 'github-actions[bot]'
      }
    })())
}
