/** A fault a stand-in answers with instead of (or, with `after`, after applying) a matching request. */
export interface Fault {
  method?: string
  path: string | RegExp
  status?: number
  headers?: Record<string, string>
  body?: unknown
  times?: number
  /** Apply the request first, then answer with the fault. */
  after?: boolean
  /** Answer (with the fault) only after this long. */
  hangMs?: number
}
export function takeFault(faults: Fault[], method: string, path: string): Fault | undefined
