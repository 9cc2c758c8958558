import type { context as githubContext } from '@actions/github'
import { ConfigurationError, errorMessage } from './errors.js'
import { nonEmptyString, record } from './json.js'

/** `@actions/github`'s context: the event payload and the runner's GITHUB_* variables. */
export type GitHubContext = typeof githubContext

/**
 * The run's context: `@actions/github`'s, extended with what our actions need and it does not
 * say (the commit the user pushed, the PR's head and base refs, act, the run's URL), with the
 * repository read without throwing.
 */
export interface ActionContext {
  eventName: string
  /** The webhook payload; `{}` when there is none (local runs). */
  payload: Record<string, unknown>
  owner: string
  repo: string
  /** `GITHUB_SHA`: on pull_request events a synthetic merge commit, see `headSha`. */
  sha: string
  /** The commit the user pushed: the PR head on PR events, `after` on pushes, else `GITHUB_SHA`. */
  headSha: string
  ref: string
  headRef: string
  baseRef: string
  actor: string
  runId: string
  runAttempt: string
  serverUrl: string
  apiUrl: string
  workflow: string
  /** Running under nektos/act: no artifact server, no real API by default. */
  isAct: boolean
  /** Link to this workflow run, when the repository and run id are known. */
  runUrl: string | undefined
}

/**
 * The context of this run. `@actions/github` reads the event file when it is first loaded, so it
 * is loaded here, inside the action's run: a broken event file is then one clear error.
 */
export async function readContext(): Promise<ActionContext> {
  let github: typeof import('@actions/github')
  try {
    github = await import('@actions/github')
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    throw new ConfigurationError(
      `The event payload GITHUB_EVENT_PATH=${process.env.GITHUB_EVENT_PATH} is not valid JSON: ${errorMessage(error)}`,
    )
  }
  return extendContext(github.context)
}

/** Our context from `@actions/github`'s and the runner variables it does not read. */
export function extendContext(github: GitHubContext, env: NodeJS.ProcessEnv = process.env): ActionContext {
  const payload = record(github.payload) ?? {}
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/', 2)
  const serverUrl = (github.serverUrl || 'https://github.com').replace(/\/$/, '')
  const runId = Number.isSafeInteger(github.runId) ? String(github.runId) : ''
  const sha = github.sha ?? ''
  return {
    eventName: github.eventName ?? '',
    payload,
    owner,
    repo,
    sha,
    headSha: headShaOf(payload, sha),
    ref: github.ref ?? '',
    headRef: env.GITHUB_HEAD_REF ?? '',
    baseRef: env.GITHUB_BASE_REF ?? '',
    actor: github.actor ?? '',
    runId,
    runAttempt: Number.isSafeInteger(github.runAttempt) ? String(github.runAttempt) : '1',
    serverUrl,
    apiUrl: (github.apiUrl || 'https://api.github.com').replace(/\/$/, ''),
    workflow: github.workflow ?? '',
    isAct: env.ACT === 'true',
    runUrl: owner && repo && runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
  }
}

function headShaOf(payload: Record<string, unknown>, fallback: string): string {
  const head = record(record(payload.pull_request)?.head)
  if (typeof head?.sha === 'string') return head.sha
  if (typeof payload.after === 'string' && !/^0+$/.test(payload.after)) return payload.after
  const run = record(payload.workflow_run)
  if (typeof run?.head_sha === 'string') return run.head_sha
  const group = record(payload.merge_group)
  if (typeof group?.head_sha === 'string') return group.head_sha
  return fallback
}

/** The events whose payload carries the pull request, its head repository included. */
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_review_thread',
])

/**
 * Where a pull request event's head (pull_request, pull_request_target, the review events) comes from, when that is not the base
 * repository: `{ headRepo: 'owner/name' }` for a fork, `{ headRepo: undefined }` for a deleted
 * one (unknown provenance). Undefined for a PR within the repository, or no PR. On
 * `pull_request` a fork gets a read-only GITHUB_TOKEN (writes such as comments are refused).
 */
export function pullRequestFork(context: ActionContext): { headRepo: string | undefined } | undefined {
  const pr = record(context.payload.pull_request)
  if (!pr || !PULL_REQUEST_EVENTS.has(context.eventName)) return undefined
  const headRepo = nonEmptyString(record(record(pr.head)?.repo)?.full_name)
  const baseRepo =
    nonEmptyString(record(record(pr.base)?.repo)?.full_name) ??
    nonEmptyString(record(context.payload.repository)?.full_name) ??
    `${context.owner}/${context.repo}`
  return headRepo === baseRepo ? undefined : { headRepo }
}

/**
 * The pull request this run is about: an explicit number wins; then the PR of pull_request*,
 * issue_comment on a PR, and workflow_run events triggered from a PR in this repository.
 */
export function pullRequestNumber(context: ActionContext, explicit?: number): number | undefined {
  if (explicit !== undefined) return explicit
  const pr = record(context.payload.pull_request)
  if (typeof pr?.number === 'number') return pr.number
  const issue = record(context.payload.issue)
  if (issue?.pull_request && typeof issue.number === 'number') return issue.number
  const run = record(context.payload.workflow_run)
  const prs = Array.isArray(run?.pull_requests) ? run.pull_requests : []
  const first = record(prs[0])
  if (typeof first?.number === 'number') return first.number
  return undefined
}
