// Fault injection shared by the API stand-ins (fake-github.mjs, fake-cloud-run.mjs).

/**
 * @typedef {{ method?: string, path: string | RegExp, status?: number, headers?: Record<string,string>,
 *   body?: unknown, times?: number, after?: boolean, hangMs?: number }} Fault
 *   `after: true` applies the request first, then answers with the fault (or hangs for hangMs).
 */

/** The first fault that matches the request, counted down and removed when used up. */
export function takeFault(faults, method, path) {
  const i = faults.findIndex(
    (f) => (!f.method || f.method === method) && (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)),
  )
  if (i < 0) return undefined
  const f = faults[i]
  if (--f.times <= 0) faults.splice(i, 1)
  return f
}
