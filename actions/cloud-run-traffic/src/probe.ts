import { errorMessage } from '@infra-actions/common'
import { isAbort } from './google-api.js'

export interface ProbeOptions {
  /** Accepted status codes, inclusive ranges. */
  accepted: readonly [number, number][]
  attempts: number
  fetch: typeof fetch
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  now: () => number
  /** Pause between attempts, in ms. */
  pauseMs: number
  timeoutMs: number
  /** An ID token to send, if any (the `id-token` input, or the one minted last). */
  idToken: () => Promise<string | undefined>
  /** Mints an ID token for an audience; undefined when the credentials cannot. */
  mintIdToken: ((audience: string) => Promise<string | undefined>) | undefined
  /** The audience to mint for: the service's run.app URL, which Cloud Run always accepts. */
  audience: string
  /**
   * Whether a token may go to this URL at all: never over plain http (but to loopback), and a
   * minted one only to the service's own URLs.
   */
  sendToken: 'any' | 'given' | 'none'

  signal?: AbortSignal
}

export interface ProbeResult {
  ok: boolean
  /** `200 in 41 ms`, `503 after 3 attempts`, … (never a token). */
  detail: string
}

/**
 * GET `url` until it answers an accepted status, at most `attempts` times. Redirects are not
 * followed (a 302 to a login page is a status like any other). A 401 or 403 is retried once with
 * a fresh ID token minted for `audience`, when the credentials can mint one and `sendToken` lets
 * a minted token go to this URL.
 */
export async function probe(url: string, options: ProbeOptions): Promise<ProbeResult> {
  let token = options.sendToken === 'none' ? undefined : await options.idToken()
  let minted = false
  let last = ''
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    const started = options.now()
    let status: number
    try {
      const response = await options.fetch(url, {
        redirect: 'manual',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: options.signal
          ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
          : AbortSignal.timeout(options.timeoutMs),
      })
      status = response.status
      await response.body?.cancel()
    } catch (error) {
      if (isAbort(error, options.signal)) throw error
      last = `no answer (${errorMessage(error)})`
      if (attempt < options.attempts) await options.sleep(options.pauseMs, options.signal)
      continue
    }
    const took = Math.round(options.now() - started)
    if (options.accepted.some(([low, high]) => status >= low && status <= high)) {
      return { ok: true, detail: `${status} in ${took} ms${attempt > 1 ? ` (attempt ${attempt})` : ''}` }
    }
    last = `${status}`
    if ((status === 401 || status === 403) && !minted && options.mintIdToken && options.sendToken === 'any') {
      minted = true
      token = await options.mintIdToken(options.audience)
      if (token) {
        attempt--
        continue
      }
    }
    if (attempt < options.attempts) await options.sleep(options.pauseMs, options.signal)
  }
  const hint = /^40[13]$/.test(last) ? ' (a private service? give `id-token`, or credentials of a service account that may mint one)' : ''
  return { ok: false, detail: `${last} after ${options.attempts} attempt${options.attempts === 1 ? '' : 's'}${hint}` }
}
