import type { Fault } from './faults.mjs'
export type CloudRunFault = Fault
export interface ApiTarget {
  type?: string
  revision?: string
  percent?: number
  tag?: string
}
export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  raw: string
  headers: Record<string, string | string[] | undefined>
  at: number
  status: number | undefined
}
export type Health = (
  revision: string | undefined,
  request: { percent: number; path: string; service: string },
) => number | { status: number; delayMs?: number }
export function googleError(code: number, message: string, status?: string, violations?: [string, string][]): unknown
export function parseFilter(filter: string): Record<string, string>
export class FakeCloudRun {
  constructor(options?: { project?: string; projectNumber?: string; region?: string; reconcileMs?: number; rps?: number })
  url: string
  project: string
  projectNumber: string
  region: string
  reconcileMs: number
  rps: number
  deniedTokens: Map<string, string>
  profiles: Map<string, { errorRate?: number; latencyMs?: number }>
  health: Health
  idTokens: Map<string, string>
  accessTokens: Set<string>
  faults: CloudRunFault[]
  requests: RecordedRequest[]
  /** The message of the next update's operation, which then fails. */
  failNextOperation: string | undefined
  /** Called once with the service id before the next PATCH is handled (then cleared). */
  beforePatch: ((id: string) => void) | undefined
  start(): Promise<FakeCloudRun>
  stop(): Promise<void>
  serviceName(id: string): string
  addService(
    id: string,
    options: {
      revisions: (string | { name: string; ready?: boolean; message?: string })[]
      traffic?: ApiTarget[]
      annotations?: Record<string, string>
      private?: boolean
    },
  ): unknown
  addRevision(id: string, revision: string, options?: { ready?: boolean; message?: string }): void
  /** Someone else's write: the split, a new generation and etag, settled at once. */
  foreignWrite(id: string, traffic: ApiTarget[]): void
  trafficOf(id: string): ApiTarget[]
  service(id: string): Record<string, unknown> & {
    traffic: ApiTarget[]
    annotations: Record<string, string>
    etag: string
    trafficStatuses: (ApiTarget & { uri?: string })[]
  }
  updates(id: string): RecordedRequest[]
  fault(f: CloudRunFault): void
}
