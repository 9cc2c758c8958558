import { ConfigurationError, ServiceError, errorMessage } from '@infra-actions/common'

/** The HTTP status of an Octokit RequestError (or anything carrying `status`), else undefined. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

/** How the client says a success was not JSON (client.ts), so the failure is explained as the network's. */
export const NOT_JSON = 'with a page that is not JSON'

/** What a call was for, so its failure can be explained in the caller's terms. */
export interface ApiCall {
  /** What was being done, e.g. "comment on acme/infra#12". */
  doing: string
  /** The job permission the call needs, e.g. "pull-requests: write". */
  permission?: string
  /** What to check when GitHub answers 404, e.g. "input 'pr-number'". */
  notFound?: string
  /** What to change when GitHub answers 422 (the request was understood and refused). */
  unprocessable?: string
  /** The input that holds the token (default 'github-token'). */
  tokenInput?: string
}

/**
 * One mapping of GitHub API failures to what the user reads, for every action: 401, 403, 404
 * and 422 are the token's or the workflow's configuration, said with what to change; rate limits
 * and 5xx/network/timeouts that outlived the client's retries are GitHub's, said with "re-run".
 * Anything without an HTTP status is returned as it is: that is a bug, and run() says so.
 */
export function explainApiError(error: unknown, call: ApiCall): unknown {
  const status = statusOf(error)
  if (status === undefined) return error
  const said = apiMessage(error)
  const token = call.tokenInput ?? 'github-token'
  if (status === 401) {
    return new ConfigurationError(
      `GitHub refused the token (401: ${said}) when trying to ${call.doing}. Check input '${token}': it may be expired or revoked.`,
    )
  }
  if (status === 429 || (status === 403 && isRateLimit(error, said))) {
    return new ServiceError(
      `GitHub's API rate limit stopped the attempt to ${call.doing} (${status}: ${said}), and waiting longer was not allowed. Re-run the job later, or use a token with its own limit (a GitHub App's).`,
      status,
    )
  }
  if (status === 403) {
    const grant = call.permission
      ? `Give the job 'permissions: ${call.permission}' (GITHUB_TOKEN is read-only when the organization or the workflow says so), or pass `
      : 'Pass '
    return new ConfigurationError(`The token may not ${call.doing} (403: ${said}). ${grant}a token in '${token}' that can.`)
  }
  if (status === 404) {
    const check = call.notFound
      ? `Check ${call.notFound}, and that the token can see it.`
      : 'Check that it exists and that the token can see it.'
    return new ConfigurationError(`GitHub answered 404 (${said}) when trying to ${call.doing}. ${check}`)
  }
  if (status === 422) {
    return new ConfigurationError(`GitHub refused to ${call.doing} (422: ${said}).${call.unprocessable ? ` ${call.unprocessable}` : ''}`)
  }
  if (status >= 500 && said.includes(NOT_JSON)) {
    return new ServiceError(
      `${said.replace(/: a proxy in the way\?$/, '')} when trying to ${call.doing}, also after retrying: a proxy, firewall or captive portal between the runner and GitHub answered instead of GitHub. ` +
        "Check the runner's network (HTTPS_PROXY, NO_PROXY) and GITHUB_API_URL.",
      status,
    )
  }
  if (status >= 500) {
    // Octokit reports a network error or a timeout as a 500 whose message is the cause.
    return new ServiceError(
      `GitHub's API failed when trying to ${call.doing} (${status}: ${said}), also after retrying. This is usually temporary: re-run the job.`,
      status,
    )
  }
  return new ServiceError(`GitHub answered ${status} (${said}) when trying to ${call.doing}.`, status)
}

/** The API's own message, without Octokit's " - https://docs.github.com/…" suffix. */
function apiMessage(error: unknown): string {
  return (errorMessage(error).split(' - https://')[0] ?? '').trim() || 'no message'
}

function isRateLimit(error: unknown, said: string): boolean {
  const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers
  return /rate limit/i.test(said) || headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] !== undefined
}
