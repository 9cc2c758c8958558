import { InputError, Inputs, parseList, quote } from '@infra-actions/common'
import { shortName } from './traffic.js'

/** resolve-environment's `deploy-strategy` values, and the steps each one means. */
export const STRATEGIES = {
  canary: [5, 100],
  'blue-green': [25, 50, 100],
  rolling: [25, 50, 100],
  recreate: [100],
  immediate: [100],
} as const satisfies Record<string, readonly number[]>

export type Strategy = keyof typeof STRATEGIES

export const DEFAULT_RUN_ENDPOINT = 'https://run.googleapis.com'
export const DEFAULT_MONITORING_ENDPOINT = 'https://monitoring.googleapis.com'

/** Every input of cloud-run-traffic, read and validated once. */
export interface CloudRunTrafficSettings {
  service: string
  region: string
  project: string | undefined
  revision: string | undefined
  strategy: Strategy
  /** Percentages for the new revision, strictly increasing, the last 100. */
  steps: number[]
  intervalMs: number
  tag: string
  healthCheckUrl: string | undefined
  healthCheckPath: string
  /** Accepted status codes as inclusive ranges. */
  healthCheckStatus: [number, number][]
  /** 0: no probes. */
  healthCheckAttempts: number
  /** How long one probe attempt waits for an answer. */
  healthCheckTimeoutMs: number
  idToken: string | undefined
  /** A fraction (0.01 for `1%`). */
  maxErrorRate: number | undefined
  maxLatencyP95Ms: number | undefined
  minRequests: number
  rollback: boolean
  dryRun: boolean
  accessToken: string | undefined
  apiEndpoint: string
  monitoringEndpoint: string
}

// Cloud Run names: lowercase letters, digits and hyphens, starting with a letter (DNS labels).
const NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/
/** Cloud Run's limit on a traffic tag and its service's name together. */
const MAX_TAG_AND_SERVICE = 46
const REGION = /^[a-z][-a-z0-9]*[0-9]$/
// Project IDs, domain-scoped ones (`example.com:my-project`), or project numbers.
export const PROJECT = /^(?:[a-z][-a-z0-9.:]{4,61}[a-z0-9]|\d{1,20})$/

export function readSettings(inputs: Inputs = new Inputs()): CloudRunTrafficSettings {
  const service = name(inputs, 'service', NAME, { required: true }) as string
  const region = name(inputs, 'region', REGION, { required: true }) as string
  const project = name(inputs, 'project', PROJECT, {})
  const revisionInput = inputs.optionalString('revision')
  const revision = revisionInput === undefined ? undefined : revisionName(revisionInput, service, region, project)
  const stepsInput = inputs.raw('steps')
  // `steps` overrides the strategy, so a strategy name this action does not know is no error then.
  const strategy = stepsInput
    ? ((inputs.optionalString('strategy') ?? 'canary') as Strategy)
    : inputs.enumeration('strategy', Object.keys(STRATEGIES) as Strategy[], 'canary')
  const steps = stepsInput ? parseSteps(stepsInput) : [...STRATEGIES[strategy]]
  const intervalMs = inputs.duration('interval', 5 * 60_000)
  // Between steps, no bake is no check (one step to 100% has nothing after it to guard); past a
  // day, a timer no longer waits (Node's stop at ~24.8 days) and no job runs that long anyway.
  if ((intervalMs <= 0 && steps.length > 1) || intervalMs > 24 * 3_600_000)
    throw new InputError(
      'interval',
      `must be more than 0 (when there are steps between 0 and 100%) and at most 24h, got ${quote(inputs.raw('interval'))}`,
    )
  const tag = name(inputs, 'tag', NAME, {}) ?? 'canary'
  // The tag URL's host label is `<tag>---<service>-<hash>`: Cloud Run refuses the PATCH (after the
  // revision was deployed) when the two are longer than 46 characters together; say so up front.
  if (tag.length + service.length > MAX_TAG_AND_SERVICE) {
    throw new InputError(
      'tag',
      `is ${quote(tag)}, which with service ${quote(service)} makes ${tag.length + service.length} characters; Cloud Run allows at most ${MAX_TAG_AND_SERVICE} for the two together (they form the tag URL's host name): give a shorter tag`,
    )
  }
  const healthCheckUrl = optionalUrl(inputs, 'health-check-url')
  const healthCheckPath = inputs.string('health-check-path', { default: '/' })
  if (!healthCheckPath.startsWith('/')) throw new InputError('health-check-path', `must start with /, got ${quote(healthCheckPath)}`)
  // 2xx only by default: a redirect (to a login or maintenance page) is not healthy.
  const healthCheckStatus = parseStatusRanges(inputs.string('health-check-status', { default: '200-299' }))
  const healthCheckAttempts = inputs.integer('health-check-attempts', { default: 3, min: 0, max: 20 })
  const healthCheckTimeoutMs = inputs.duration('health-check-timeout', 10_000)
  if (healthCheckTimeoutMs <= 0 || healthCheckTimeoutMs > 5 * 60_000)
    throw new InputError('health-check-timeout', `must be more than 0 and at most 5m, got ${quote(inputs.raw('health-check-timeout'))}`)
  const idToken = inputs.optionalString('id-token')
  const maxErrorRate = inputs.has('max-error-rate') ? inputs.percentage('max-error-rate', 0) / 100 : undefined
  const maxLatencyP95Ms = inputs.has('max-latency-p95') ? inputs.duration('max-latency-p95', 0) : undefined
  const minRequests = inputs.integer('min-requests', { default: 1, min: 0 })
  if ((maxErrorRate !== undefined || maxLatencyP95Ms !== undefined) && intervalMs < minMetricsIntervalMs()) {
    throw new InputError(
      'interval',
      `must be at least ${minMetricsIntervalMs() / 60_000}m when max-error-rate or max-latency-p95 is set, got ${quote(inputs.raw('interval'))}: ` +
        "Cloud Monitoring samples Cloud Run's requests every 60 s and shows them up to 3 minutes later, so a shorter interval would see no requests and roll back",
    )
  }
  return {
    service,
    region,
    project,
    revision,
    strategy,
    steps,
    intervalMs,
    tag,
    healthCheckUrl,
    healthCheckPath,
    healthCheckStatus,
    healthCheckAttempts,
    healthCheckTimeoutMs,
    idToken,
    maxErrorRate,
    maxLatencyP95Ms,
    minRequests,
    rollback: inputs.boolean('rollback', true),
    dryRun: inputs.boolean('dry-run', false),
    accessToken: inputs.optionalString('access-token'),
    apiEndpoint: endpoint(inputs, 'api-endpoint', DEFAULT_RUN_ENDPOINT),
    monitoringEndpoint: endpoint(inputs, 'monitoring-endpoint', DEFAULT_MONITORING_ENDPOINT),
  }
}

/** Cloud Monitoring's ingestion delay (3 min) and one sample (1 min); a test knob lowers it. */
function minMetricsIntervalMs(): number {
  const knob = process.env.INFRA_ACTIONS_MIN_METRICS_INTERVAL_MS
  return knob !== undefined && knob !== '' ? Number(knob) : 4 * 60_000
}

function name(inputs: Inputs, input: string, pattern: RegExp, options: { required?: boolean }): string | undefined {
  const value = options.required ? inputs.string(input, { required: true }) : inputs.optionalString(input)
  if (value !== undefined && !pattern.test(value)) {
    throw new InputError(input, `must be a Cloud Run ${input} name (lowercase letters, digits and hyphens), got ${quote(value)}`)
  }
  return value
}

/** A revision's short name; a full resource name must belong to the service, in its region and project. */
function revisionName(value: string, service: string, region: string, project: string | undefined): string {
  const full = /^projects\/([^/]+)\/locations\/([^/]+)\/services\/([^/]+)\/revisions\/([^/]+)$/.exec(value)
  if (full && full[3] !== service)
    throw new InputError('revision', `names a revision of service ${quote(full[3] as string)}, not of ${quote(service)}`)
  // A project named by number and by ID cannot be compared here; the revision is addressed under the service anyway.
  const sameKind = (a: string, b: string): boolean => /^\d+$/.test(a) === /^\d+$/.test(b)
  if (full && (full[2] !== region || (project !== undefined && sameKind(full[1] as string, project) && full[1] !== project)))
    throw new InputError(
      'revision',
      `names a revision in ${quote(`${full[1]}/${full[2]}`)}, not in ${quote(`${project ?? '(the project)'}/${region}`)}, where the service is shifted`,
    )
  const short = shortName(value)
  if (!NAME.test(short) || (!full && value.includes('/')))
    throw new InputError('revision', `must be a revision name such as api-00042-xyz, got ${quote(value)}`)
  return short
}

export function parseSteps(value: string): number[] {
  const entries = parseList(value)
  const steps = entries.map((e) => {
    const n = /^\d{1,3}%?$/.test(e) ? Number.parseInt(e, 10) : NaN
    if (!(n >= 1 && n <= 100)) throw new InputError('steps', `must be percentages from 1 to 100, got ${quote(e)}`)
    return n
  })
  for (let i = 1; i < steps.length; i++) {
    if ((steps[i] as number) <= (steps[i - 1] as number))
      throw new InputError('steps', `must be strictly increasing, but ${steps[i]} follows ${steps[i - 1]} in ${quote(value)}`)
  }
  if (steps.at(-1) !== 100) throw new InputError('steps', `must end with 100 (the new revision takes all traffic), got ${quote(value)}`)
  return steps
}

export function parseStatusRanges(value: string): [number, number][] {
  return parseList(value).map((entry) => {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(entry)
    const low = Number(m?.[1])
    const high = m?.[2] ? Number(m[2]) : low
    if (!m || low < 100 || high > 599 || high < low) {
      throw new InputError('health-check-status', `must be status codes or ranges such as 200-299 or 200,204, got ${quote(entry)}`)
    }
    return [low, high]
  })
}

function optionalUrl(inputs: Inputs, input: string): string | undefined {
  const value = inputs.optionalString(input)
  if (value === undefined) return undefined
  // Said without what stands before an `@`: a mistyped URL must not show its password either.
  const bad = (): InputError => new InputError(input, `must be an http(s) URL, got ${quote(value.replace(/\/\/[^/@]*@/, '//…@'))}`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw bad()
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad()
  // Not echoed: the log, the summary and fetch's own errors would show the password.
  if (url.username || url.password)
    throw new InputError(input, 'must not hold credentials (user:password@…): they would be shown in the log and the job summary')
  return value
}

function endpoint(inputs: Inputs, input: string, fallback: string): string {
  return (optionalUrl(inputs, input) ?? fallback).replace(/\/+$/, '')
}
