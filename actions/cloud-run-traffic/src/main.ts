import * as core from '@actions/core'
import { readContext, runnerFetch, writeJobSummary } from '@infra-actions/common'
import { apiBase, generateIdToken, loadCredentials, projectFrom, type GoogleCredentials } from './auth.js'
import { restCloudRunApi } from './cloud-run.js'
import { Rollout, SAVED, type Log } from './cloud-run-traffic.js'
import { sleep, type HttpDeps } from './google-api.js'
import { metricsWanted } from './judge.js'
import { restMetricsApi } from './monitoring.js'
import { parseSaved, restoreUnfinished } from './restore.js'
import { DEFAULT_MONITORING_ENDPOINT, DEFAULT_RUN_ENDPOINT, readSettings, type CloudRunTrafficSettings } from './settings.js'

let outputsWritten = false

/** Whether main wrote the outputs (the failure hook writes `result` otherwise). */
export const wroteOutputs = (): boolean => outputsWritten

// Test knobs (docs/architecture.md): every wait's base and each request's timeout.
const retryBaseMs = (): number => Number(process.env.INFRA_ACTIONS_RETRY_BASE_MS) || 1000
const timeoutMs = (): number => Number(process.env.INFRA_ACTIONS_REQUEST_TIMEOUT_MS) || 30_000

const log: Log = {
  info: core.info,
  warning: core.warning,
  debug: core.debug,
  group: (name, fn) => core.group(name, fn),
}

interface Clients {
  settings: CloudRunTrafficSettings
  credentials: GoogleCredentials
  project: string
  http: HttpDeps
  runBase: string
}

/** Settings, credentials (every token masked), the project, and the HTTP layer. */
async function connect(): Promise<Clients> {
  const settings = readSettings()
  if (settings.idToken) core.setSecret(settings.idToken)
  const credentials = await loadCredentials(settings.accessToken, process.env, (value) => core.setSecret(value))
  const project = projectFrom(settings.project, process.env, credentials)
  // Through the runner's proxy when one is set: API calls, token minting and probes alike.
  const fetch = await runnerFetch()
  const http: HttpDeps = { fetch, sleep, token: credentials.token, retryBaseMs: retryBaseMs(), timeoutMs: timeoutMs(), debug: core.debug }
  const runBase = apiBase(settings.apiEndpoint, DEFAULT_RUN_ENDPOINT, process.env.GHA_ENDPOINT_OVERRIDE_run, 'v2')
  return { settings, credentials, project, http, runBase }
}

export async function main(): Promise<void> {
  const { settings, credentials, project, http, runBase } = await connect()
  const context = await readContext()
  const limits = { maxErrorRate: settings.maxErrorRate, maxLatencyP95Ms: settings.maxLatencyP95Ms, minRequests: settings.minRequests }
  const monitoringBase = apiBase(
    settings.monitoringEndpoint,
    DEFAULT_MONITORING_ENDPOINT,
    process.env.GHA_ENDPOINT_OVERRIDE_monitoring,
    'v3',
  )
  const iamBase = apiBase(
    'https://iamcredentials.googleapis.com',
    'https://iamcredentials.googleapis.com',
    process.env.GHA_ENDPOINT_OVERRIDE_iamcredentials,
    'v1',
  )
  const serviceAccount = credentials.serviceAccount
  core.debug(`Credentials: ${credentials.source}${serviceAccount ? ` (${serviceAccount})` : ''}; project ${project}.`)
  const rollout = new Rollout(settings, {
    api: restCloudRunApi(http, runBase),
    metrics: metricsWanted(limits) ? restMetricsApi(http, monitoringBase) : undefined,
    fetch: http.fetch,
    mintIdToken: serviceAccount
      ? async (audience) => {
          const token = await generateIdToken(http, iamBase, serviceAccount, audience)
          core.setSecret(token)
          return token
        }
      : undefined,
    now: Date.now,
    sleep,
    retryBaseMs: http.retryBaseMs,
    log,
    saveState: (name, value) => core.saveState(name, value),
    writeSummary: writeJobSummary,
    project,
    run: { id: context.runId, url: context.runUrl },
  })
  // The runner cancels with SIGINT, then SIGTERM 7.5 s later, then kills 2.5 s after that.
  const onSignal = (signal: NodeJS.Signals): void => {
    rollout.cancel(signal)
    // An update still in flight must not keep the process past the kill: the post step takes over.
    if (signal === 'SIGTERM') setTimeout(() => process.exit(), 2000).unref()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const result = await rollout.run()
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
  outputsWritten = true
  // One ::error:: line: the failure already says what happened (and "a bug in this action" when
  // it was one); the stack goes to the debug log.
  if (result.failure) core.setFailed(result.failure)
  if (result.error) {
    core.debug(result.error instanceof Error ? (result.error.stack ?? String(result.error)) : String(result.error))
    if (!result.failure) throw result.error
  }
}

/**
 * The post step (`post-if: always()`): when the main step saved a rollout and did not finish it
 * (cancelled, killed, a rollback that failed), restore the starting split.
 */
export async function post(): Promise<void> {
  const saved = parseSaved(core.getState(SAVED.rollout))
  const finished = core.getState(SAVED.finished)
  if (!saved) return core.info('No traffic was changed; nothing to restore.')
  if (finished) return core.info(`The rollout ended (${finished}); nothing to restore.`)
  const { settings, http, runBase } = await connect()
  if (!settings.rollback)
    return core.warning(`The rollout of ${saved.revision} did not finish; rollback is false, so the split is left as it is.`)
  await restoreUnfinished(saved, {
    api: restCloudRunApi(http, runBase),
    now: Date.now,
    sleep,
    debug: core.debug,
    retryBaseMs: http.retryBaseMs,
    info: core.info,
    warning: core.warning,
  })
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
