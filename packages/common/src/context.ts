import { readFileSync } from 'node:fs'
import { ConfigurationError, errorMessage } from './errors.js'
import type { Env } from './inputs.js'

/** The GitHub Actions run context, read once from the runner's environment and event file. */
export interface ActionContext {
  eventName: string
  /** The webhook payload (`GITHUB_EVENT_PATH`); `{}` when there is none (local runs). */
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

export function readContext(env: Env = process.env): ActionContext {
  const payload = readPayload(env.GITHUB_EVENT_PATH)
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/', 2)
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '')
  const runId = env.GITHUB_RUN_ID ?? ''
  const sha = env.GITHUB_SHA ?? ''
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload,
    owner,
    repo,
    sha,
    headSha: headShaOf(payload, sha),
    ref: env.GITHUB_REF ?? '',
    headRef: env.GITHUB_HEAD_REF ?? '',
    baseRef: env.GITHUB_BASE_REF ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    serverUrl,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    workflow: env.GITHUB_WORKFLOW ?? '',
    isAct: env.ACT === 'true',
    runUrl: owner && repo && runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : undefined,
  }
}

function readPayload(eventPath: string | undefined): Record<string, unknown> {
  if (!eventPath) return {}
  let text: string
  try {
    text = readFileSync(eventPath, 'utf8')
  } catch (error) {
    throw new ConfigurationError(`Cannot read the event payload GITHUB_EVENT_PATH=${eventPath}: ${errorMessage(error)}`)
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return isRecord(parsed) ? parsed : {}
  } catch (error) {
    throw new ConfigurationError(`The event payload GITHUB_EVENT_PATH=${eventPath} is not valid JSON: ${errorMessage(error)}`)
  }
}

function headShaOf(payload: Record<string, unknown>, fallback: string): string {
  const pr = record(payload.pull_request)
  const head = record(pr?.head)
  if (typeof head?.sha === 'string') return head.sha
  if (typeof payload.after === 'string' && !/^0+$/.test(payload.after)) return payload.after
  const run = record(payload.workflow_run)
  if (typeof run?.head_sha === 'string') return run.head_sha
  const group = record(payload.merge_group)
  if (typeof group?.head_sha === 'string') return group.head_sha
  return fallback
}

/**
 * Where a pull_request / pull_request_target event's head comes from, when that is not the base
 * repository: `{ headRepo: 'owner/name' }` for a fork, `{ headRepo: undefined }` for a deleted
 * one. Undefined for a PR within the repository, or no PR. On `pull_request` a fork gets a
 * read-only GITHUB_TOKEN (writes such as comments are refused, and that is expected).
 */
export function pullRequestFork(context: ActionContext): { headRepo: string | undefined } | undefined {
  const pr = record(context.payload.pull_request)
  if (!pr || (context.eventName !== 'pull_request' && context.eventName !== 'pull_request_target')) return undefined
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined
}

/** A payload field that is a string with something in it, else undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
