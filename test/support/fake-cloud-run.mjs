// A local stand-in for the Google APIs cloud-run-traffic calls, on 127.0.0.1, written from the
// Cloud Run Admin API v2 discovery document in the corpus (test/corpus/cloud-run/run-v2-discovery.json):
// its method paths, query parameters, field names, enums and output-only fields are read from
// there. Services, revisions and long-running operations, with:
// - etags that change on every update, a body etag that does not match → 409 ABORTED (AIP-154);
// - updateMask (a field outside the schema or output-only → 400; no mask replaces the service);
// - validation of the traffic list (types, revisions that exist and are ready, integer percents
//   that sum to 100, tags unique and well-formed) and of annotations (reserved prefixes) with
//   Google's error bodies ({"error":{"code","message","status","details":[BadRequest]}});
// - validateOnly (validated, nothing persisted), unknown query parameters and body fields → 400;
// - operations that take a moment (`reconcileMs`): the service is `reconciling` until then,
//   `trafficStatuses` and `observedGeneration` follow when it settles; operations.get and :wait;
// - fault injection: any status (409, 429, 503, …) or a hang, before or after the request applies.
// Also: Cloud Monitoring v3 timeSeries.list over simulated traffic (request_count by
// response_code_class, request_latencies as distributions), IAM Credentials generateIdToken /
// generateAccessToken, an STS token endpoint (for Workload Identity Federation credentials), and
// the services themselves: tag URLs are http://127.0.0.1:<port>/_run/<tag>---<service>, whose
// answers a test chooses per revision and percent (private services want a minted ID token).
import http from 'node:http'
import { createHash, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { URLSearchParams, fileURLToPath } from 'node:url'
import { takeFault } from './faults.mjs'

const DISCOVERY = JSON.parse(readFileSync(fileURLToPath(new URL('../corpus/cloud-run/run-v2-discovery.json', import.meta.url)), 'utf8'))
const LOCATIONS = DISCOVERY.resources.projects.resources.locations.resources
const SCHEMAS = DISCOVERY.schemas
const SERVICE_FIELDS = SCHEMAS.GoogleCloudRunV2Service.properties
const TARGET_FIELDS = SCHEMAS.GoogleCloudRunV2TrafficTarget.properties
const TARGET_TYPES = TARGET_FIELDS.type.enum
const [, LATEST, REVISION] = TARGET_TYPES
const GLOBAL_PARAMETERS = Object.keys(DISCOVERY.parameters)
const RESERVED_PREFIXES = ['run.googleapis.com/', 'cloud.googleapis.com/', 'serving.knative.dev/', 'autoscaling.knative.dev/']
const TAG = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/

/** The query parameters a discovery method accepts (its own and the global ones). */
const parametersOf = (method) => [
  ...GLOBAL_PARAMETERS,
  ...Object.entries(method.parameters ?? {})
    .filter(([, p]) => p.location === 'query')
    .map(([n]) => n),
]
const METHODS = {
  getService: LOCATIONS.services.methods.get,
  patchService: LOCATIONS.services.methods.patch,
  getOperation: LOCATIONS.operations.methods.get,
  waitOperation: LOCATIONS.operations.methods.wait,
  getRevision: LOCATIONS.services.resources.revisions.methods.get,
  listRevisions: LOCATIONS.services.resources.revisions.methods.list,
}

const RPC = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}
const RPC_CODES = { INVALID_ARGUMENT: 3, FAILED_PRECONDITION: 9, ABORTED: 10, NOT_FOUND: 5, PERMISSION_DENIED: 7, UNAVAILABLE: 14 }
const DEFAULT_MESSAGES = {
  409: 'The operation was aborted: the resource was modified concurrently. Please retry.',
  429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per region' of service 'run.googleapis.com'.",
  500: 'Internal error encountered.',
  503: 'The service is currently unavailable.',
  504: 'The request timed out.',
}

/** Google's error body. `violations`: [field, description] pairs as a google.rpc.BadRequest. */
export function googleError(code, message, status = RPC[code] ?? 'UNKNOWN', violations = []) {
  const details = violations.length
    ? [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: violations.map(([field, description]) => ({ field, description })),
        },
      ]
    : []
  return { error: { code, message, status, ...(details.length ? { details } : {}) } }
}

class ApiError extends Error {
  constructor(code, message, status, violations) {
    super(message)
    this.body = googleError(code, message, status, violations)
    this.code = code
  }
}

const now = () => new Date().toISOString()

export class FakeCloudRun {
  constructor(options = {}) {
    this.project = options.project ?? 'acme-prod'
    this.projectNumber = options.projectNumber ?? '123456789012'
    this.region = options.region ?? 'europe-west1'
    /** How long an update takes to settle (its operation and the reconciliation), in ms. */
    this.reconcileMs = options.reconcileMs ?? 150
    /** Requests per second each service receives, split by its served traffic (for the metrics). */
    this.rps = options.rps ?? 200
    /** Access tokens refused with 403, and the permission named. */
    this.deniedTokens = new Map()
    /** Revision name → { errorRate, latencyMs } of its simulated traffic. */
    this.profiles = new Map()
    /** (revision, { percent, path, service }) → status (or { status, delayMs }) of a request to a tag URL. */
    this.health = () => 200
    this.services = new Map() // full name → service state
    this.operations = new Map() // full name → operation
    this.idTokens = new Map() // token → audience
    this.accessTokens = new Set() // tokens handed out by the STS / IAM stand-ins
    this.faults = []
    this.requests = []
    this.failNextOperation = undefined
    /** Called once with the service id before the next PATCH is handled (then cleared). */
    this.beforePatch = undefined
    this.server = http.createServer((req, res) => this.handle(req, res))
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${this.server.address().port}`
    return this
  }

  async stop() {
    for (const s of this.services.values()) for (const t of s.timers) clearTimeout(t)
    this.server.closeAllConnections?.()
    await new Promise((resolve) => this.server.close(resolve))
  }

  /** `projects/<project>/locations/<region>/services/<id>`. */
  serviceName(id) {
    return `projects/${this.project}/locations/${this.region}/services/${id}`
  }

  /**
   * Seeds a service. `revisions`: short names (oldest first) or { name, ready, message };
   * `traffic`: targets as the API takes them (default: 100% to the last ready revision, pinned).
   */
  addService(id, { revisions, traffic, annotations = {}, private: isPrivate = false } = {}) {
    const name = this.serviceName(id)
    const created = Date.now()
    const revs = new Map()
    revisions.forEach((r, i) => {
      const spec = typeof r === 'string' ? { name: r } : r
      revs.set(spec.name, {
        name: `${name}/revisions/${spec.name}`,
        uid: randomUUID(),
        generation: '1',
        createTime: new Date(created - (revisions.length - i) * 60_000).toISOString(),
        ready: spec.ready ?? true,
        message: spec.message,
      })
    })
    const latestReady = [...revs.values()].filter((r) => r.ready).at(-1)
    const service = {
      id,
      name,
      uid: randomUUID(),
      generation: 1,
      observedGeneration: 1,
      etag: '',
      reconciling: false,
      failed: undefined,
      createTime: new Date(created - 3_600_000).toISOString(),
      updateTime: new Date(created).toISOString(),
      annotations: { ...annotations },
      labels: {},
      template: { containers: [{ image: `europe-docker.pkg.dev/${this.project}/app/${id}:latest` }] },
      traffic: traffic ?? [{ type: REVISION, revision: latestReady ? short(latestReady.name) : undefined, percent: 100 }],
      trafficStatuses: [],
      revisions: revs,
      private: isPrivate,
      history: [],
      timers: new Set(),
    }
    service.etag = etagOf(service)
    this.services.set(name, service)
    this.settle(service)
    return service
  }

  /** Adds a revision to a service (a deploy with no traffic). */
  addRevision(id, revision, { ready = true, message } = {}) {
    const s = this.services.get(this.serviceName(id))
    s.revisions.set(revision, {
      name: `${s.name}/revisions/${revision}`,
      uid: randomUUID(),
      generation: '1',
      createTime: now(),
      ready,
      message,
    })
  }

  /**
   * Someone else's write, as the API would make it: the split and a new generation and etag, and
   * the service settled on it (no operation to wait for).
   */
  foreignWrite(id, traffic) {
    const service = this.services.get(this.serviceName(id))
    service.traffic = this.validTraffic(service, traffic)
    service.generation++
    service.updateTime = now()
    service.etag = etagOf(service)
    this.settle(service)
  }

  /** The split a service is configured with, as the API returns it. */
  trafficOf(id) {
    return this.services.get(this.serviceName(id)).traffic
  }

  /** The service resource as the API returns it. */
  service(id) {
    return this.render(this.services.get(this.serviceName(id)))
  }

  /** Requests that changed something (PATCH without validateOnly) to a service. */
  updates(id) {
    const path = `/v2/${this.serviceName(id)}`
    return this.requests.filter((r) => r.method === 'PATCH' && r.path === path && r.query.validateOnly !== 'true' && r.status === 200)
  }

  fault(f) {
    this.faults.push({ times: 1, ...f })
  }

  async handle(req, res) {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const raw = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url, this.url)
    const record = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw ? safeJson(raw) : undefined,
      raw,
      headers: req.headers,
      at: Date.now(),
      status: undefined,
    }
    this.requests.push(record)
    const fault = url.pathname.startsWith('/_run/') ? undefined : takeFault(this.faults, req.method, url.pathname)
    const send = (status, body, headers = {}) => {
      record.status = status
      if (res.writableEnded || res.destroyed) return
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers })
      res.end(body === undefined ? '' : JSON.stringify(body))
    }
    const sendFault = () => {
      const answer = () => {
        const status = fault.status ?? 503
        send(status, fault.body ?? googleError(status, DEFAULT_MESSAGES[status] ?? `HTTP ${status}`), fault.headers)
      }
      if (fault.hangMs) setTimeout(answer, fault.hangMs)
      else answer()
    }
    if (fault && !fault.after) return sendFault()
    try {
      const [status, body, headers] = await this.route(req, url, raw, record)
      if (fault?.after) return sendFault()
      send(status, body, headers)
    } catch (error) {
      if (error instanceof ApiError) return fault?.after ? sendFault() : send(error.code, error.body)
      send(500, googleError(500, String(error?.stack ?? error)))
    }
  }

  async route(req, url, raw, record) {
    const path = url.pathname
    const method = req.method
    if (path.startsWith('/_run/')) return this.serve(req, url)
    if (method === 'POST' && path === '/v1/token') return this.sts(raw)
    this.authorize(req, method === 'PATCH' ? 'run.services.update' : 'run.services.get')
    let m
    if ((m = /^\/v1\/projects\/-\/serviceAccounts\/([^/]+):(generateIdToken|generateAccessToken)$/.exec(path)) && method === 'POST') {
      return this.iam(decodeURIComponent(m[1]), m[2], record.body ?? {})
    }
    if ((m = /^\/v3\/projects\/([^/]+)\/timeSeries$/.exec(path)) && method === 'GET') return this.timeSeries(m[1], url.searchParams)
    if (!path.startsWith('/v2/')) throw new ApiError(404, `The requested URL ${path} was not found on this server.`, 'NOT_FOUND')
    const name = decodeURIComponent(path.slice('/v2/'.length))
    if ((m = /^(projects\/[^/]+\/locations\/[^/]+\/services\/[^/]+)$/.exec(name))) {
      if (method === 'GET') return this.checked(METHODS.getService, url, () => [200, this.render(this.find(m[1]))])
      if (method === 'PATCH') return this.checked(METHODS.patchService, url, () => this.patch(m[1], url.searchParams, raw))
    }
    if ((m = /^(projects\/[^/]+\/locations\/[^/]+\/services\/[^/]+)\/revisions$/.exec(name)) && method === 'GET') {
      return this.checked(METHODS.listRevisions, url, () => this.listRevisions(m[1], url.searchParams))
    }
    if ((m = /^(projects\/[^/]+\/locations\/[^/]+\/services\/[^/]+)\/revisions\/([^/]+)$/.exec(name)) && method === 'GET') {
      return this.checked(METHODS.getRevision, url, () => {
        const revision = this.find(m[1]).revisions.get(m[2])
        if (!revision) throw new ApiError(404, `Revision named '${m[2]}' does not exist.`, 'NOT_FOUND')
        return [200, renderRevision(revision)]
      })
    }
    if ((m = /^(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/:]+)(:wait)?$/.exec(name))) {
      const op = this.operations.get(m[1])
      if (!m[2] && method === 'GET')
        return this.checked(METHODS.getOperation, url, () => [200, this.renderOperation(this.opOr404(op, m[1]))])
      if (m[2] && method === 'POST') return this.checked(METHODS.waitOperation, url, () => this.wait(this.opOr404(op, m[1]), raw))
    }
    throw new ApiError(404, `Method not found: ${method} ${path}`, 'NOT_FOUND')
  }

  /** Unknown query parameters are refused, as Google's front end does. */
  checked(method, url, fn) {
    const known = parametersOf(method)
    for (const key of url.searchParams.keys()) {
      if (!known.includes(key))
        throw new ApiError(
          400,
          `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. Field '${key}' could not be found in request message.`,
        )
    }
    return fn()
  }

  authorize(req, permission) {
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')
    if (!token) {
      throw new ApiError(
        401,
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      )
    }
    if (this.deniedTokens.has(token)) {
      throw new ApiError(403, `Permission '${this.deniedTokens.get(token) || permission}' denied on resource (or it may not exist).`)
    }
  }

  find(name) {
    const [, project] = /^projects\/([^/]+)/.exec(name)
    const canonical = project === this.projectNumber ? name.replace(`projects/${project}`, `projects/${this.project}`) : name
    const service = this.services.get(canonical)
    if (!service) {
      const [, p, l, s] = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)$/.exec(name)
      throw new ApiError(404, `Resource '${s}' of kind 'SERVICE' in region '${l}' in project '${p}' does not exist.`)
    }
    return service
  }

  opOr404(op, name) {
    if (!op) throw new ApiError(404, `Operation '${name}' not found.`)
    return op
  }

  patch(name, query, raw) {
    const service = this.find(name)
    const hook = this.beforePatch
    this.beforePatch = undefined
    hook?.(service.id)
    const body = safeJson(raw)
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new ApiError(400, 'Invalid JSON payload received. Expected an object.')
    for (const key of Object.keys(body)) {
      if (!(key in SERVICE_FIELDS))
        throw new ApiError(400, `Invalid JSON payload received. Unknown name "${key}" at 'service': Cannot find field.`)
    }
    const mask = query.get('updateMask')
    // No mask: the request replaces the service (and a missing template is an error).
    const fields = mask ? mask.split(',').map((f) => f.trim()) : Object.keys(SERVICE_FIELDS).filter((f) => !SERVICE_FIELDS[f].readOnly)
    for (const f of fields) {
      if (!(f in SERVICE_FIELDS) || SERVICE_FIELDS[f].readOnly) {
        throw new ApiError(400, `Invalid update mask: field '${f}' does not exist or is output only.`, 'INVALID_ARGUMENT', [
          ['update_mask', `Unknown field '${f}'`],
        ])
      }
    }
    if (!mask && !body.template)
      throw new ApiError(400, 'service.template is required.', 'INVALID_ARGUMENT', [['service.template', 'Required field']])
    if (body.etag !== undefined && body.etag !== service.etag) {
      throw new ApiError(
        409,
        `The etag ${body.etag} of the request does not match the current etag ${service.etag} of the service.`,
        'ABORTED',
      )
    }
    const next = { traffic: service.traffic, annotations: service.annotations, template: service.template, labels: service.labels }
    if (fields.includes('traffic')) next.traffic = this.validTraffic(service, body.traffic ?? [])
    if (fields.includes('annotations')) next.annotations = validAnnotations(body.annotations ?? {})
    if (fields.includes('labels')) next.labels = body.labels ?? {}
    if (fields.includes('template')) next.template = body.template
    if (query.get('validateOnly') === 'true') {
      const preview = this.render({ ...service, ...next })
      return [
        200,
        {
          name: `projects/${this.project}/locations/${this.region}/operations/${randomUUID()}`,
          done: true,
          metadata: typed(preview),
          response: typed(preview),
        },
      ]
    }
    Object.assign(service, next)
    service.generation++
    service.reconciling = true
    service.failed = undefined
    service.updateTime = now()
    service.etag = etagOf(service)
    const op = {
      name: `projects/${this.project}/locations/${this.region}/operations/${randomUUID()}`,
      done: false,
      service,
      generation: service.generation,
    }
    this.operations.set(op.name, op)
    const fail = this.failNextOperation
    this.failNextOperation = undefined
    const timer = setTimeout(() => {
      service.timers.delete(timer)
      op.done = true
      if (fail) {
        op.error = { code: RPC_CODES.FAILED_PRECONDITION, message: fail, details: [] }
        if (service.generation === op.generation) {
          service.reconciling = false
          service.failed = fail
        }
        return
      }
      if (service.generation === op.generation) this.settle(service)
      op.response = typed(this.render(service))
    }, this.reconcileMs)
    service.timers.add(timer)
    return [200, this.renderOperation(op)]
  }

  validTraffic(service, traffic) {
    if (!Array.isArray(traffic)) throw new ApiError(400, "Invalid value at 'service.traffic': expected a list.")
    const tags = new Set()
    let sum = 0
    const out = traffic.map((t, i) => {
      const at = `service.traffic[${i}]`
      if (!t || typeof t !== 'object') throw new ApiError(400, `Invalid value at '${at}'.`)
      for (const key of Object.keys(t)) {
        if (!(key in TARGET_FIELDS))
          throw new ApiError(400, `Invalid JSON payload received. Unknown name "${key}" at '${at}': Cannot find field.`)
      }
      const type = t.type ?? TARGET_TYPES[0]
      if (!TARGET_TYPES.includes(type)) {
        throw new ApiError(
          400,
          `Invalid value at '${at}.type' (type.googleapis.com/google.cloud.run.v2.TrafficTargetAllocationType), "${type}"`,
          'INVALID_ARGUMENT',
          [[`${at}.type`, `Invalid value "${type}"`]],
        )
      }
      if (type === TARGET_TYPES[0])
        throw new ApiError(400, `${at}.type must be set.`, 'INVALID_ARGUMENT', [[`${at}.type`, 'must be LATEST or REVISION']])
      const percent = t.percent ?? 0
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
        throw new ApiError(400, `Invalid value at '${at}.percent' (TYPE_INT32), ${JSON.stringify(percent)}`, 'INVALID_ARGUMENT', [
          [`${at}.percent`, 'must be an integer from 0 to 100'],
        ])
      }
      if (type === LATEST && t.revision)
        throw new ApiError(400, `${at}: a LATEST target cannot name a revision.`, 'INVALID_ARGUMENT', [
          [`${at}.revision`, 'must be empty for LATEST'],
        ])
      if (type === REVISION) {
        const revision = service.revisions.get(t.revision ?? '')
        if (!revision)
          throw new ApiError(400, `Revision named '${t.revision ?? ''}' does not exist.`, 'INVALID_ARGUMENT', [
            [`${at}.revision`, 'no such revision'],
          ])
        if (!revision.ready && percent > 0) {
          throw new ApiError(400, `Revision '${t.revision}' is not ready and cannot serve traffic.`, 'FAILED_PRECONDITION', [
            [`${at}.revision`, 'not ready'],
          ])
        }
      }
      if (t.tag !== undefined && t.tag !== '') {
        if (!TAG.test(t.tag))
          throw new ApiError(400, `Invalid tag '${t.tag}': tags are lowercase letters, digits and hyphens.`, 'INVALID_ARGUMENT', [
            [`${at}.tag`, 'invalid'],
          ])
        if (tags.has(t.tag))
          throw new ApiError(400, `Tag '${t.tag}' is used by more than one traffic target.`, 'INVALID_ARGUMENT', [
            [`${at}.tag`, 'duplicate'],
          ])
        tags.add(t.tag)
      }
      sum += percent
      return { type, ...(t.revision ? { revision: t.revision } : {}), percent, ...(t.tag ? { tag: t.tag } : {}) }
    })
    if (out.length > 0 && sum !== 100) {
      throw new ApiError(400, `Traffic percentages must sum to 100, but they sum to ${sum}.`, 'INVALID_ARGUMENT', [
        ['service.traffic', `sum is ${sum}`],
      ])
    }
    return out
  }

  /** The update is served: statuses, observed generation, and the history the metrics read. */
  settle(service) {
    service.reconciling = false
    service.observedGeneration = service.generation
    const latest = this.latestReady(service)
    const traffic = service.traffic.length ? service.traffic : [{ type: LATEST, percent: 100 }]
    service.trafficStatuses = traffic.map((t) => ({ ...t, ...(t.type === LATEST ? { revision: latest } : {}) }))
    service.history.push({ at: Date.now(), split: service.trafficStatuses.map((t) => ({ revision: t.revision, percent: t.percent })) })
  }

  latestReady(service) {
    const ready = [...service.revisions.values()].filter((r) => r.ready).sort((a, b) => a.createTime.localeCompare(b.createTime))
    return ready.length ? short(ready.at(-1).name) : undefined
  }

  render(s) {
    const latestReady = this.latestReady(s)
    const created = [...s.revisions.values()].sort((a, b) => a.createTime.localeCompare(b.createTime)).at(-1)
    const ready = s.failed
      ? { type: 'Ready', state: 'CONDITION_FAILED', reason: 'REVISION_FAILED', message: s.failed, lastTransitionTime: s.updateTime }
      : { type: 'Ready', state: s.reconciling ? 'CONDITION_RECONCILING' : 'CONDITION_SUCCEEDED', lastTransitionTime: s.updateTime }
    return {
      name: s.name,
      uid: s.uid,
      generation: String(s.generation),
      labels: s.labels,
      annotations: s.annotations,
      createTime: s.createTime,
      updateTime: s.updateTime,
      creator: 'deployer@acme-prod.iam.gserviceaccount.com',
      lastModifier: 'deployer@acme-prod.iam.gserviceaccount.com',
      ingress: 'INGRESS_TRAFFIC_ALL',
      launchStage: 'GA',
      template: s.template,
      traffic: s.traffic,
      observedGeneration: String(s.observedGeneration),
      terminalCondition: ready,
      conditions: [{ type: 'RoutesReady', state: ready.state, lastTransitionTime: s.updateTime }],
      latestReadyRevision: latestReady ? `${s.name}/revisions/${latestReady}` : undefined,
      latestCreatedRevision: created?.name,
      trafficStatuses: s.trafficStatuses.map((t) => (t.tag ? { ...t, uri: `${this.url}/_run/${t.tag}---${s.id}` } : t)),
      uri: `${this.url}/_run/${s.id}`,
      reconciling: s.reconciling,
      etag: s.etag,
    }
  }

  renderOperation(op) {
    const base = { name: op.name, metadata: typed(this.render(op.service)), done: op.done }
    if (!op.done) return base
    return op.error ? { ...base, error: op.error } : { ...base, response: op.response ?? typed(this.render(op.service)) }
  }

  async wait(op, raw) {
    const body = safeJson(raw) ?? {}
    const m = /^(\d+(?:\.\d+)?)s$/.exec(body.timeout ?? '')
    const until = Date.now() + Math.min(m ? Number(m[1]) * 1000 : 30_000, 30_000)
    while (!op.done && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    return [200, this.renderOperation(op)]
  }

  listRevisions(name, params) {
    const service = this.find(name)
    const all = [...service.revisions.values()].sort((a, b) => b.createTime.localeCompare(a.createTime))
    const size = Math.min(Number(params.get('pageSize')) || 20, 100)
    const offset = params.get('pageToken') ? Number(Buffer.from(params.get('pageToken'), 'base64url').toString()) : 0
    const page = all.slice(offset, offset + size)
    const next = offset + size < all.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined
    return [200, { revisions: page.map(renderRevision), ...(next ? { nextPageToken: next } : {}) }]
  }

  iam(email, kind, body) {
    if (kind === 'generateIdToken') {
      if (!body.audience) throw new ApiError(400, 'audience is required.', 'INVALID_ARGUMENT', [['audience', 'Required']])
      const token = fakeJwt({ iss: 'https://accounts.google.com', aud: body.audience, email, sub: email })
      this.idTokens.set(token, body.audience)
      return [200, { token }]
    }
    const accessToken = `ya29.fake-impersonated-${randomUUID()}`
    this.accessTokens.add(accessToken)
    return [200, { accessToken, expireTime: new Date(Date.now() + 3_600_000).toISOString() }]
  }

  sts(raw) {
    const form = new URLSearchParams(raw)
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || !form.get('subject_token')) {
      return [400, { error: 'invalid_request', error_description: 'grant_type and subject_token are required' }]
    }
    const token = `ya29.fake-federated-${randomUUID()}`
    this.accessTokens.add(token)
    return [
      200,
      { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3599 },
    ]
  }

  /** A request to a service or tag URL: the test's `health` answers for the revision it reaches. */
  async serve(req, url) {
    const [, target, ...rest] = url.pathname.split('/').slice(1)
    const [tag, id] = target.includes('---') ? target.split('---') : [undefined, target]
    const service = this.services.get(this.serviceName(id))
    if (!service) return [404, { error: 'no such service' }]
    if (service.private) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '')
      if (!token) return [403, { error: 'Forbidden: your client does not have permission to get URL' }]
      // Cloud Run accepts ID tokens for the service's run.app URL (or configured custom audiences).
      if (this.idTokens.get(token) !== `${this.url}/_run/${id}`) return [401, { error: 'The access token could not be verified' }]
    }
    const status = tag ? service.trafficStatuses.find((t) => t.tag === tag) : undefined
    if (tag && !status) return [404, { error: 'no such tag' }]
    const revision = status?.revision ?? service.trafficStatuses.find((t) => t.percent > 0)?.revision
    const percent = service.trafficStatuses.filter((t) => t.revision === revision).reduce((n, t) => n + t.percent, 0)
    const answer = this.health(revision, { percent, path: `/${rest.join('/')}`, service: id })
    const { status: code, delayMs = 0 } = typeof answer === 'number' ? { status: answer } : answer
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs))
    return [code, { revision, status: code }]
  }

  /** Requests a revision served in [start, end], from the served history and `rps`. */
  servedRequests(service, revision, start, end) {
    let total = 0
    service.history.forEach((h, i) => {
      const from = Math.max(h.at, start)
      const to = Math.min(service.history[i + 1]?.at ?? Date.now(), end)
      if (to <= from) return
      const share = h.split.filter((t) => t.revision === revision).reduce((n, t) => n + t.percent, 0)
      total += ((to - from) / 1000) * this.rps * (share / 100)
    })
    return Math.floor(total)
  }

  timeSeries(project, params) {
    if (project !== this.project && project !== this.projectNumber) {
      throw new ApiError(403, `Permission monitoring.timeSeries.list denied (or the resource may not exist).`)
    }
    if (!params.get('view')) throw new ApiError(400, 'Field view is required.', 'INVALID_ARGUMENT', [['view', 'Required']])
    const filter = parseFilter(params.get('filter') ?? '')
    const start = Date.parse(params.get('interval.startTime') ?? '')
    const end = Date.parse(params.get('interval.endTime') ?? '')
    if (!Number.isFinite(end))
      throw new ApiError(400, 'interval.endTime is required.', 'INVALID_ARGUMENT', [['interval.endTime', 'Required']])
    if (
      !/^\d+s$/.test(params.get('aggregation.alignmentPeriod') ?? '') ||
      Number.parseInt(params.get('aggregation.alignmentPeriod')) < 60
    ) {
      throw new ApiError(400, 'The alignment period must be at least 60 seconds.', 'INVALID_ARGUMENT', [
        ['aggregation.alignmentPeriod', 'at least 60s'],
      ])
    }
    const type = filter['metric.type']
    if (filter['resource.type'] !== 'cloud_run_revision') return [200, {}]
    const service = this.services.get(this.serviceName(filter['resource.labels.service_name']))
    const revision = filter['resource.labels.revision_name']
    if (!service || !revision || filter['resource.labels.location'] !== this.region) return [200, {}]
    const requests = this.servedRequests(service, revision, start, end)
    if (requests === 0) return [200, {}]
    const profile = { errorRate: 0.002, latencyMs: 120, ...this.profiles.get(revision) }
    const interval = { startTime: new Date(start).toISOString(), endTime: new Date(end).toISOString() }
    const resource = {
      type: 'cloud_run_revision',
      labels: { project_id: this.project, service_name: service.id, revision_name: revision, location: this.region },
    }
    if (type === 'run.googleapis.com/request_count') {
      if (params.get('aggregation.groupByFields') !== 'metric.labels.response_code_class') {
        throw new ApiError(400, 'This fake groups request_count by metric.labels.response_code_class only.')
      }
      const errors = Math.round(requests * profile.errorRate)
      const series = [
        ['2xx', requests - errors],
        ['5xx', errors],
      ]
        .filter(([, n]) => n > 0)
        .map(([cls, n]) => ({
          metric: { type, labels: { response_code_class: cls } },
          resource,
          metricKind: 'DELTA',
          valueType: 'INT64',
          points: [{ interval, value: { int64Value: String(n) } }],
        }))
      return [200, { timeSeries: series, unit: '1' }]
    }
    if (type === 'run.googleapis.com/request_latencies') {
      return [
        200,
        {
          timeSeries: [
            {
              metric: { type },
              resource,
              metricKind: 'DELTA',
              valueType: 'DISTRIBUTION',
              points: [{ interval, value: { distributionValue: distribution(requests, profile.latencyMs) } }],
            },
          ],
          unit: 'ms',
        },
      ]
    }
    return [200, {}]
  }
}

/** `a = "x" AND b = "y"`: the filter grammar this stand-in understands; anything else is a 400. */
export function parseFilter(filter) {
  const out = {}
  for (const clause of filter.split(/\s+AND\s+/)) {
    const m = /^\s*([a-z_.]+)\s*=\s*"([^"]*)"\s*$/.exec(clause)
    if (!m) throw new ApiError(400, `Could not parse filter "${filter}".`, 'INVALID_ARGUMENT', [['filter', 'unparseable']])
    out[m[1]] = m[2]
  }
  if (!out['metric.type']) throw new ApiError(400, 'The filter must name a metric.type.', 'INVALID_ARGUMENT', [['filter', 'metric.type']])
  return out
}

// Cloud Run's latency distributions use exponential buckets; 80% of requests at half the
// profile's latency, 16% at it and 4% at 1.5 times it put the 95th percentile at it.
const BUCKETS = { numFiniteBuckets: 64, growthFactor: 1.2, scale: 1 }
function distribution(count, latencyMs) {
  const counts = new Array(BUCKETS.numFiniteBuckets + 2).fill(0)
  const bucket = (ms) =>
    Math.min(BUCKETS.numFiniteBuckets + 1, Math.floor(Math.log(ms / BUCKETS.scale) / Math.log(BUCKETS.growthFactor)) + 1)
  const slow = Math.round(count * 0.04)
  const typical = Math.round(count * 0.16)
  counts[bucket(latencyMs * 0.5)] += count - slow - typical
  counts[bucket(latencyMs)] += typical
  counts[bucket(latencyMs * 1.5)] += slow
  while (counts.length && counts.at(-1) === 0) counts.pop()
  return {
    count: String(count),
    mean: latencyMs * 0.5 * 0.8 + latencyMs * 0.16 + latencyMs * 1.5 * 0.04,
    bucketOptions: { exponentialBuckets: BUCKETS },
    bucketCounts: counts.map(String),
  }
}

function validAnnotations(annotations) {
  if (typeof annotations !== 'object' || Array.isArray(annotations)) throw new ApiError(400, "Invalid value at 'service.annotations'.")
  for (const [key, value] of Object.entries(annotations)) {
    if (RESERVED_PREFIXES.some((p) => key.startsWith(p))) {
      throw new ApiError(400, `Annotation '${key}' is not supported: the ${key.split('/')[0]} namespace is reserved.`, 'INVALID_ARGUMENT', [
        ['service.annotations', `reserved key ${key}`],
      ])
    }
    if (typeof value !== 'string') throw new ApiError(400, `Invalid value at 'service.annotations[${key}]': expected a string.`)
  }
  return { ...annotations }
}

function renderRevision(r) {
  return {
    name: r.name,
    uid: r.uid,
    generation: r.generation,
    createTime: r.createTime,
    updateTime: r.createTime,
    launchStage: 'GA',
    service: r.name.replace(/\/revisions\/.*$/, ''),
    reconciling: false,
    observedGeneration: r.generation,
    conditions: [
      r.ready
        ? { type: 'Ready', state: 'CONDITION_SUCCEEDED', lastTransitionTime: r.createTime }
        : {
            type: 'Ready',
            state: 'CONDITION_FAILED',
            reason: 'CONTAINER_MISSING',
            message: r.message ?? 'Image not found.',
            lastTransitionTime: r.createTime,
          },
    ],
    etag: `"${createHash('sha1').update(r.name).digest('base64url').slice(0, 12)}"`,
  }
}

function etagOf(service) {
  const text = JSON.stringify([service.generation, service.traffic, service.annotations, service.labels, service.template])
  return `"${createHash('sha1').update(text).digest('base64url').slice(0, 16)}"`
}

const typed = (service) => ({ '@type': 'type.googleapis.com/google.cloud.run.v2.Service', ...service })
const short = (name) => name.slice(name.lastIndexOf('/') + 1)

function fakeJwt(claims) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ ...claims, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 })}.${randomUUID().replace(/-/g, '')}`
}

function safeJson(text) {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
