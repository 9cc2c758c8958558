import { ServiceError, errorMessage, isRecord, nonEmptyString, record } from '@infra-actions/common'

/** What every Google API client here needs from the outside world. */
export interface HttpDeps {
  fetch: typeof fetch
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  /** A fresh OAuth access token (cached by its provider). */
  token: () => Promise<string>
  /** The base of every retry wait, in ms (1000; the tests use a few ms). */
  retryBaseMs: number
  /** The timeout of one attempt, in ms. */
  timeoutMs: number
  debug: (message: string) => void
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | undefined>
  /** Aborts the request and its retry waits (cancellation). */
  signal?: AbortSignal
  timeoutMs?: number
  /** Retries on 429, 5xx, timeouts and network errors (default 4). */
  retries?: number
}

/**
 * A failed call to a Google API after its retries: the HTTP status, the `google.rpc` status name
 * and the API's own message (`{"error":{"code","message","status","details"}}`).
 */
export class GoogleApiError extends ServiceError {
  override readonly name: string = 'GoogleApiError'
  constructor(
    message: string,
    status: number | undefined,
    readonly rpcStatus: string | undefined,
    readonly apiMessage: string,
  ) {
    super(message, status)
  }
}

const RETRIED = new Set([429, 500, 502, 503, 504])
const MAX_WAIT_MS = 60_000

/** True for an abort the caller asked for (cancellation), not a per-attempt timeout. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error instanceof Error ? error.name === 'AbortError' || error === signal.reason : true)
}

/**
 * One JSON call with bounded retries: 429 and 5xx (honouring `Retry-After`), timeouts and network
 * errors, with exponential backoff and jitter. Anything else fails at once as a GoogleApiError.
 * `doing` completes "Could not …" in the message.
 */
export async function callJson(deps: HttpDeps, method: string, url: string, doing: string, options: RequestOptions = {}): Promise<unknown> {
  const retries = options.retries ?? 4
  const target = new URL(url)
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) target.searchParams.set(k, v)
  for (let attempt = 0; ; attempt++) {
    let response: Response
    const timeout = AbortSignal.timeout(options.timeoutMs ?? deps.timeoutMs)
    try {
      const token = await deps.token()
      response = await deps.fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      })
    } catch (error) {
      if (isAbort(error, options.signal)) throw error
      const what = timeout.aborted ? `no answer within ${options.timeoutMs ?? deps.timeoutMs} ms` : errorMessage(error)
      if (attempt >= retries)
        throw new GoogleApiError(`Could not ${doing}: ${what} (after ${attempt + 1} attempts).`, undefined, undefined, what)
      await wait(deps, attempt, undefined, `${method} ${target.pathname}: ${what}`, options.signal)
      continue
    }
    const text = await response.text()
    if (response.ok) return text ? parseJson(text, doing) : {}
    const { rpcStatus, apiMessage } = errorBody(text, response.status)
    if (RETRIED.has(response.status) && attempt < retries) {
      await wait(
        deps,
        attempt,
        response.headers.get('retry-after'),
        `${method} ${target.pathname}: ${response.status} ${rpcStatus ?? ''}`,
        options.signal,
      )
      continue
    }
    const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''
    throw new GoogleApiError(
      `Could not ${doing}: ${response.status}${rpcStatus ? ` ${rpcStatus}` : ''}: ${apiMessage}${tries}.`,
      response.status,
      rpcStatus,
      apiMessage,
    )
  }
}

async function wait(
  deps: HttpDeps,
  attempt: number,
  retryAfter: string | null | undefined,
  why: string,
  signal?: AbortSignal,
): Promise<void> {
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined
  const backoff = deps.retryBaseMs * 2 ** attempt * (0.75 + Math.random() * 0.5)
  const ms = Math.min(MAX_WAIT_MS, seconds !== undefined ? Math.max(seconds * 1000, deps.retryBaseMs) : backoff)
  deps.debug(`${why}; retrying in ${Math.round(ms)} ms`)
  await deps.sleep(ms, signal)
}

function parseJson(text: string, doing: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new GoogleApiError(`Could not ${doing}: the answer was not JSON.`, undefined, undefined, text.slice(0, 200))
  }
}

/** `google.rpc.Status` from an error body; a body that is not one is quoted (cut). */
export function errorBody(text: string, status: number): { rpcStatus: string | undefined; apiMessage: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const error = record(record(parsed)?.error)
  const violations = (Array.isArray(error?.details) ? error.details : [])
    .flatMap((d) => (isRecord(d) && Array.isArray(d.fieldViolations) ? d.fieldViolations : []))
    .map((v) => (isRecord(v) ? [nonEmptyString(v.field), nonEmptyString(v.description)].filter(Boolean).join(': ') : ''))
    .filter(Boolean)
  const message = nonEmptyString(error?.message) ?? (text.trim().slice(0, 200) || `HTTP ${status}`)
  return {
    rpcStatus: nonEmptyString(error?.status),
    apiMessage: violations.length && !violations.every((v) => message.includes(v)) ? `${message} (${violations.join('; ')})` : message,
  }
}

/** Sleeps `ms`; rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
