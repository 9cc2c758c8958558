import * as core from './runner.js'
import type { getOctokit } from '@actions/github'
import type { ActionContext } from './context.js'

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
 * the action still does all its local work and says what it skipped.
 */
export function apiUnavailableReason(token: string, context: ActionContext): string | undefined {
  if (context.isAct) return 'running under nektos/act (ACT=true)'
  if (!token) return "no GitHub token (input 'github-token' is empty)"
  if (!context.owner || !context.repo) return 'GITHUB_REPOSITORY is not set'
  return undefined
}

/**
 * An Octokit with bounded retries: 5xx and network errors are retried with exponential backoff
 * (plugin-retry), primary and secondary rate limits wait for `retry-after` (plugin-throttling) at
 * most twice and never longer than `maxRateLimitWaitSeconds`. Loaded lazily: actions that need no
 * API do not pay for Octokit at start-up.
 */
export async function createGitHubClient(token: string, options: ClientOptions = {}): Promise<Octokit> {
  const [{ getOctokit }, { retry }, { throttling }, { default: Bottleneck }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
    import('bottleneck/light.js'),
  ])
  // Node loads its fetch implementation (undici) on first use. Loading it now, while an action's
  // heap is still small, kept ~35 MB off the peak memory of plan-comment on a 78 MB plan.
  void new Headers()
  // Test knob: the integration tests shrink every wait so fault injection runs in milliseconds.
  const baseMs = Number(process.env.INFRA_ACTIONS_RETRY_BASE_MS) || 1000
  const timeoutMs = options.timeoutMs ?? (Number(process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS) || 30_000)
  const maxWait = options.maxRateLimitWaitSeconds ?? 90
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryCount < 2 && retryAfter <= maxWait
      core.warning(`GitHub ${kind} rate limit on ${request.method} ${request.url}; ${retrying ? `retrying in ${retryAfter}s` : 'giving up'}.`)
      return retrying
    }
  // A per-attempt timeout: an AbortSignal on the fetch itself, so each retry gets a fresh one.
  const timedFetch: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), init?.signal].filter((s): s is AbortSignal => !!s)
    return fetch(input, { ...init, signal: AbortSignal.any(signals) })
  }
  return getOctokit(
    token,
    {
      // @actions/github reads GITHUB_API_URL once at import; read it per client (GHES, stand-ins).
      baseUrl: (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
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
