import * as core from '@actions/core'

type Fetch = typeof fetch
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const

/**
 * A fetch that goes through the proxy the runner is configured with (https_proxy, HTTPS_PROXY,
 * http_proxy, HTTP_PROXY; no_proxy and loopback addresses bypass it), decided per origin the way
 * `@actions/http-client` decides it, with undici's fetch. The global fetch when no proxy is set:
 * the proxy code then never loads.
 */
export async function runnerFetch(): Promise<Fetch> {
  if (!PROXY_VARIABLES.some((name) => process.env[name])) return fetch
  const [{ HttpClient }, undici] = await Promise.all([import('@actions/http-client'), import('undici')])
  const client = new HttpClient()
  const dispatchers = new Map<string, ReturnType<typeof client.getAgentDispatcher>>()
  const proxied = (input: Parameters<Fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const origin = new URL(url).origin
    if (!dispatchers.has(origin)) {
      const dispatcher = client.getAgentDispatcher(url)
      dispatchers.set(origin, dispatcher)
      if (dispatcher) core.debug(`Requests to ${origin} go through the runner's proxy.`)
    }
    const dispatcher = dispatchers.get(origin)
    if (!dispatcher) return fetch(input, init)
    return undici.fetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>
  }
  return proxied as Fetch
}
