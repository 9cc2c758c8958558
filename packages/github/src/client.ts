import * as core from '@actions/core'
import type { getOctokit } from '@actions/github'
import { runnerFetch, type ActionContext } from '@infra-actions/common'
import { NOT_JSON } from './api-errors.js'

/** What `@actions/github`'s getOctokit returns: Octokit with the REST methods and pagination. */
export type Octokit = ReturnType<typeof getOctokit>

export interface ClientOptions {
  /** Per-attempt request timeout. */
  timeoutMs?: number
  /** Retries of a failed read or idempotent write (5xx, network). */
  retries?: number
  /** Longest rate-limit wait we accept before giving up, in seconds. */
  maxRateLimitWaitSeconds?: number
}

/**
 * Why the API cannot be used in this run, or undefined when it can. Without a token, or under
 * nektos/act (whose default token is absent and whose API calls would hit the real repository),
 * the action still does all its local work and says what it skipped. `tokenInput` names the
 * caller's input for the message.
 */
export function apiUnavailableReason(token: string, context: ActionContext, tokenInput = 'github-token'): string | undefined {
  if (context.isAct) return 'running under nektos/act (ACT=true)'
  if (!token) return `no GitHub token (input '${tokenInput}' is empty)`
  if (!context.owner || !context.repo) return 'GITHUB_REPOSITORY is not set'
  return undefined
}

/** Test knob: the integration tests shrink every wait so fault injection runs in milliseconds. */
export function retryBaseMs(): number {
  return Number(process.env.INFRA_ACTIONS_RETRY_BASE_MS) || 1000
}

/**
 * `@actions/github`'s getOctokit with `@octokit/plugin-retry` and `@octokit/plugin-throttling`
 * as extra plugins (as actions/github-script does), bounded: 5xx and network errors are retried
 * with exponential backoff, primary and secondary rate limits wait for `retry-after` at most twice
 * and never longer than `maxRateLimitWaitSeconds`, and every attempt has its own timeout. The
 * plugins load only when a run calls the API.
 */
export async function createGitHubClient(token: string, options: ClientOptions = {}): Promise<Octokit> {
  const baseUrl = (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/$/, '')
  const [github, { retry }, { throttling }, { default: Bottleneck }, proxied] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    import('bottleneck/light.js'),
    runnerFetch(),
  ])
  const baseMs = retryBaseMs()
  const timeoutMs = options.timeoutMs ?? (Number(process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS) || 30_000)
  const maxWait = options.maxRateLimitWaitSeconds ?? 90
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < 2 && retryAfter <= maxWait
      core.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}; ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}.`,
      )
      return retrying
    }
  // A per-attempt timeout: an AbortSignal on the fetch itself, so each retry gets a fresh one.
  // Our `request.fetch` replaces getOctokit's default (options are merged shallowly), so it goes
  // through the runner's proxy itself when one is configured.
  const send = proxied
  const timedFetch: typeof fetch = async (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), init?.signal].filter((s): s is AbortSignal => !!s)
    const response = await send(input, { ...init, signal: AbortSignal.any(signals) })
    // Every call we make answers JSON: a success that is not (a proxy's or a portal's page) is no
    // answer of GitHub's, and Octokit would hand its text on as the data. Failed (and retried) here.
    const type = response.headers.get('content-type') ?? ''
    const bodiless = response.status === 204 || response.status === 205 || (init?.method ?? 'GET').toUpperCase() === 'HEAD'
    if (response.ok && !bodiless && !/\bjson\b/i.test(type)) {
      await response.body?.cancel()
      throw new Error(`GitHub's API answered ${response.status} ${NOT_JSON} (${type || 'no content type'}): a proxy in the way?`)
    }
    return response
  }
  return github.getOctokit(
    token,
    {
      baseUrl,
      // Retries belong in the plugin's state: a `request.retries` default would make the plugin
      // retry every failure, 403/404/422 included.
      request: { fetch: timedFetch },
      retry: { retryAfterBaseValue: baseMs, retries: options.retries ?? 3 },
      throttle: {
        retryAfterBaseValue: baseMs,
        // GitHub asks for one write a second and three between notifying writes (new comments);
        // the plugin's defaults, scaled with the other waits so the stand-in tests run fast.
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: baseMs }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * baseMs }),
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
    },
    retry,
    throttling,
  )
}
