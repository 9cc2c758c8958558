import { ServiceError, isRecord, nonEmptyString, record } from '@infra-actions/common'
import { callJson, type HttpDeps } from './google-api.js'
import type { ApiTrafficTarget } from './traffic.js'

/** `GoogleCloudRunV2Condition`, the fields read here. */
export interface Condition {
  type?: string
  state?: string
  reason?: string
  revisionReason?: string
  message?: string
}

/** `GoogleCloudRunV2Service`, the fields this action reads. */
export interface Service {
  name: string
  etag?: string
  generation?: string
  observedGeneration?: string
  reconciling?: boolean
  terminalCondition?: Condition
  latestReadyRevision?: string
  latestCreatedRevision?: string
  traffic?: ApiTrafficTarget[]
  trafficStatuses?: (ApiTrafficTarget & { uri?: string })[]
  uri?: string
  annotations?: Record<string, string>
}

/** `GoogleCloudRunV2Revision`, the fields read here. */
export interface Revision {
  name: string
  conditions?: Condition[]
  reconciling?: boolean
  createTime?: string
}

/** `GoogleLongrunningOperation`. */
export interface Operation {
  name?: string
  done?: boolean
  error?: { code?: number; message?: string }
  response?: unknown
}

export interface TrafficUpdate {
  traffic: ApiTrafficTarget[]
  /** The whole annotations map (the mask replaces it), when the state annotation changes. */
  annotations?: Record<string, string>
  /** The etag the update is conditional on (409 ABORTED when the service changed since). */
  etag?: string
}

/** The calls this action makes to the Cloud Run Admin API v2 (an interface, so tests can fake it). */
export interface CloudRunApi {
  getService(name: string, signal?: AbortSignal): Promise<Service>
  /** `PATCH …?updateMask=traffic[,annotations]`: nothing but the split (and our annotation) changes. */
  updateTraffic(name: string, update: TrafficUpdate, options?: { validateOnly?: boolean; signal?: AbortSignal }): Promise<Operation>
  /** `POST {operation}:wait`: returns when it is done or after about `timeoutMs`. */
  waitOperation(name: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation>
  /** `GET …/revisions/{revision}`; undefined when there is no such revision. */
  getRevision(name: string, signal?: AbortSignal): Promise<Revision | undefined>
}

/** The REST client, over `fetch`. `base` is the versioned endpoint (`https://run.googleapis.com/v2`). */
export function restCloudRunApi(http: HttpDeps, base: string): CloudRunApi {
  const url = (name: string): string => `${base}/${name}`
  return {
    async getService(name, signal) {
      return asService(await callJson(http, 'GET', url(name), `read the Cloud Run service ${name}`, { signal }))
    },
    async updateTraffic(name, update, options = {}) {
      const mask = update.annotations ? 'traffic,annotations' : 'traffic'
      const body = {
        traffic: update.traffic,
        ...(update.annotations ? { annotations: update.annotations } : {}),
        ...(update.etag ? { etag: update.etag } : {}),
      }
      const doing = `${options.validateOnly ? 'validate' : 'update'} the traffic of ${name}`
      const query = { updateMask: mask, ...(options.validateOnly ? { validateOnly: 'true' } : {}) }
      // A split is absolute and the etag guards it, so a retried PATCH cannot apply twice.
      return asOperation(await callJson(http, 'PATCH', url(name), doing, { body, query, signal: options.signal }))
    },
    async waitOperation(name, timeoutMs, signal) {
      const seconds = Math.max(1, Math.round(timeoutMs / 1000))
      const body = { timeout: `${seconds}s` }
      return asOperation(
        await callJson(http, 'POST', `${url(name)}:wait`, `wait for the operation ${name}`, {
          body,
          signal,
          timeoutMs: timeoutMs + http.timeoutMs,
        }),
      )
    },
    async getRevision(name, signal) {
      try {
        return asRevision(await callJson(http, 'GET', url(name), `read the revision ${name}`, { signal }))
      } catch (error) {
        if (error instanceof ServiceError && error.status === 404) return undefined
        throw error
      }
    },
  }
}

export function asService(value: unknown): Service {
  const s = record(value)
  const name = nonEmptyString(s?.name)
  if (!s || !name) throw new ServiceError('The Cloud Run API answered with something that is not a service.', undefined)
  const annotations = record(s.annotations)
  return {
    name,
    etag: nonEmptyString(s.etag),
    generation: generation(s.generation),
    observedGeneration: generation(s.observedGeneration),
    reconciling: s.reconciling === true,
    terminalCondition: condition(s.terminalCondition),
    latestReadyRevision: nonEmptyString(s.latestReadyRevision),
    latestCreatedRevision: nonEmptyString(s.latestCreatedRevision),
    traffic: targets(s.traffic),
    trafficStatuses: targets(s.trafficStatuses),
    uri: nonEmptyString(s.uri),
    annotations: annotations
      ? Object.fromEntries(Object.entries(annotations).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : undefined,
  }
}

function asRevision(value: unknown): Revision {
  const r = record(value)
  const name = nonEmptyString(r?.name)
  if (!r || !name) throw new ServiceError('The Cloud Run API answered with something that is not a revision.', undefined)
  return {
    name,
    conditions: Array.isArray(r.conditions) ? r.conditions.map(condition).filter((c): c is Condition => c !== undefined) : undefined,
    reconciling: r.reconciling === true,
    createTime: nonEmptyString(r.createTime),
  }
}

function asOperation(value: unknown): Operation {
  const o = record(value)
  if (!o) throw new ServiceError('The Cloud Run API answered with something that is not an operation.', undefined)
  const error = record(o.error)
  return {
    name: nonEmptyString(o.name),
    done: o.done === true,
    error: error ? { code: typeof error.code === 'number' ? error.code : undefined, message: nonEmptyString(error.message) } : undefined,
    response: o.response,
  }
}

// int64 fields are JSON strings; a number is accepted too.
function generation(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined
}

function condition(value: unknown): Condition | undefined {
  const c = record(value)
  if (!c) return undefined
  return {
    type: nonEmptyString(c.type),
    state: nonEmptyString(c.state),
    reason: nonEmptyString(c.reason),
    revisionReason: nonEmptyString(c.revisionReason),
    message: nonEmptyString(c.message),
  }
}

function targets(value: unknown): (ApiTrafficTarget & { uri?: string })[] | undefined {
  if (!Array.isArray(value)) return undefined
  return value.filter(isRecord).map((t) => ({
    type: nonEmptyString(t.type),
    revision: nonEmptyString(t.revision),
    percent: typeof t.percent === 'number' ? t.percent : undefined,
    tag: nonEmptyString(t.tag),
    uri: nonEmptyString(t.uri),
  }))
}

/** The Ready condition of a revision, and whether it succeeded. */
export function readiness(revision: Revision): { ready: boolean; why: string } {
  const ready = revision.conditions?.find((c) => c.type === 'Ready')
  if (ready?.state === 'CONDITION_SUCCEEDED') return { ready: true, why: '' }
  const why = [ready?.state, ready?.reason ?? ready?.revisionReason, ready?.message].filter(Boolean).join(': ')
  return { ready: false, why: why || 'it has no Ready condition' }
}
