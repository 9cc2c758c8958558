import * as core from './runner.js'
import type { Octokit as CoreOctokit } from '@octokit/core'
import type { PaginateInterface } from '@octokit/plugin-paginate-rest'
import type { Api } from '@octokit/plugin-rest-endpoint-methods'
import type { ActionContext } from './context.js'

/** What `@actions/github`'s getOctokit returns: Octokit with the REST methods and pagination. */
export type Octokit = CoreOctokit & Api & { paginate: PaginateInterface }

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
  // @octokit/core with the plugins @actions/github adds, without @actions/github itself: its
  // proxy support loads a second HTTP stack (undici from npm) at every start, ~60 ms. The same
  // proxy support is loaded here only when a proxy is configured.
  const baseUrl = (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '')
  const [{ Octokit }, { restEndpointMethods }, { paginateRest }, { retry }, { throttling }, { default: Bottleneck }, proxied] =
    await Promise.all([
      import('@octokit/core'),
      import('@octokit/plugin-rest-endpoint-methods'),
      import('@octokit/plugin-paginate-rest'),
      import('@octokit/plugin-retry'),
      import('@octokit/plugin-throttling'),
      import('bottleneck/light.js'),
      proxyFetch(baseUrl),
    ])
  // Node loads its fetch implementation (undici) on first use. Loading it now, while the heap is
  // still small (destroy-gate creates its client before reading the plan), kept ~35 MB off the
  // peak memory of reading a 78 MB plan.
  if (!proxied) void new Headers()
  // Test knob: the integration tests shrink every wait so fault injection runs in milliseconds.
  const baseMs = Number(process.env.INFRA_ACTIONS_RETRY_BASE_MS) || 1000
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
  const send = proxied ?? fetch
  const timedFetch: typeof fetch = (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs), init?.signal].filter((s): s is AbortSignal => !!s)
    return send(input, { ...init, signal: AbortSignal.any(signals) })
  }
  const GitHub = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling)
  return new GitHub({
    auth: `token ${token}`,
    baseUrl,
    userAgent: userAgent(),
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
  }) as unknown as Octokit
}

/**
 * A fetch that goes through the proxy the runner is configured with (https_proxy, HTTPS_PROXY,
 * http_proxy, HTTP_PROXY; no_proxy and loopback addresses bypass it), exactly as @actions/github
 * does it: @actions/http-client's dispatcher with undici's fetch. Undefined when no proxy applies.
 */
async function proxyFetch(baseUrl: string): Promise<typeof fetch | undefined> {
  const env = process.env
  if (!(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY)) return undefined
  const [{ HttpClient }, undici] = await Promise.all([import('@actions/http-client'), import('undici')])
  const dispatcher = new HttpClient().getAgentDispatcher(baseUrl)
  if (!dispatcher) return undefined
  core.debug(`GitHub API requests go through the proxy configured for ${baseUrl}.`)
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undici.fetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch
}

/** The runner's orchestration id in the user agent, as @actions/github sends it. */
function userAgent(): string {
  const id = process.env.ACTIONS_ORCHESTRATION_ID?.trim()
  const base = 'infra-actions'
  return id ? `${base} actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : base
}
