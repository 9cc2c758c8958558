import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getHeapStatistics } from 'node:v8'
import { isMainThread, Worker } from 'node:worker_threads'
import * as core from '@actions/core'
import { ActionError, errorMessage, isActionError } from './errors.js'

export interface RunOptions {
  /**
   * Called with the message of any failure before the step ends, expected or not: an action
   * whose outputs promise a safe value on failure (destroy-gate's `allowed=false`) writes it here.
   */
  onFailure?: (message: string) => void
  /**
   * The bytes of the action's large inputs (result files, a plan), worked out without failing
   * (0 when unsure: the action itself then says what is wrong). From LARGE_INPUT_BYTES on, the
   * action runs on a worker thread with a small young generation (see runOnWorker).
   */
  inputBytes?: () => number
  /** The input's bytes from which the action runs on a worker thread (LARGE_INPUT_BYTES when not given). */
  workerFrom?: number
}

/** From this size of input on, an action runs on a worker thread (INFRA_ACTIONS_WORKER_BYTES overrides it, for tests). */
export const LARGE_INPUT_BYTES = 32 * 1024 * 1024

/**
 * The young generation of the worker that reads large inputs, in MiB. V8 grows it up to
 * ~100 MiB when most of what is allocated survives a while (a report's findings, a plan's
 * changes being built): that was a third of scan-report's peak memory, and the node binary of
 * a runner takes no flags from an action (`--max-semi-space-size`). A worker takes it as a
 * resource limit. Smaller is not better: at 12 MiB plan-comment promoted more short-lived objects
 * and its old generation grew instead (80,000 changes: ~480 MiB at 12, ~320 at 32). Measured in
 * docs/performance.md.
 */
const YOUNG_GENERATION_MB = 32

/**
 * The one place an action's failure is reported. An expected failure (ActionError: a user's
 * mistake, a remote service that failed) becomes one plain `::error::` line; anything else is a
 * bug and says so. The stack is printed only in debug mode (`RUNNER_DEBUG=1`), and the process
 * exits with 1 either way. Rejections and exceptions that escape `main` are caught too.
 */
export async function run(actionName: string, main: () => Promise<void>, options: RunOptions = {}): Promise<void> {
  if (isMainThread && options.inputBytes && (await runOnWorker(actionName, options.inputBytes, options))) return
  const reported: Reported = { done: false }
  const onStray = (error: unknown): void => fail(actionName, error, options, reported)
  process.on('unhandledRejection', onStray)
  process.on('uncaughtException', onStray)
  // A log nobody reads any more (the runner gone, a closed pipe) is not the action's failure:
  // writing on, into the void, lets it finish (a rollback, the outputs) instead of failing at
  // every line, each failure's own line failing again.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') onStray(error)
    })
  try {
    await main()
  } catch (error) {
    fail(actionName, error, options, reported)
  }
}

export function failureMessage(actionName: string, error: unknown): string {
  return isActionError(error)
    ? errorMessage(error)
    : `${actionName} failed unexpectedly: ${errorMessage(error)}. This is a bug in infra-actions; ` +
        'please report it with the step log re-run in debug mode (RUNNER_DEBUG=1).'
}

/** A run's failure is reported once, whatever fails after it (its own error line, for one). */
type Reported = { done: boolean }

function fail(actionName: string, error: unknown, options: RunOptions, reported: Reported = { done: false }): void {
  process.exitCode = 1
  if (reported.done) return
  reported.done = true
  const message = failureMessage(actionName, error)
  try {
    options.onFailure?.(message)
  } catch (hookError) {
    core.error(`Could not record the failure in the step's outputs: ${errorMessage(hookError)}`)
  }
  core.setFailed(message)
  if (core.isDebug() && error instanceof Error && error.stack) core.info(error.stack)
}

/**
 * Runs this action's script again on a worker thread when its inputs are large: the whole action
 * (the same `main`), with its young generation capped, while this thread only waits. Its log
 * lines, outputs and summary are the worker's own (the worker's stdout is this process's); its
 * exit code becomes the step's. false (run here) when the inputs are small, or when the script
 * node runs is not the bundle this code is in (a test runner, a wrapper that imports a bundle).
 */
async function runOnWorker(actionName: string, inputBytes: () => number, options: RunOptions): Promise<boolean> {
  const script = bundleScript()
  if (!script) return false
  const threshold = Number(process.env.INFRA_ACTIONS_WORKER_BYTES || options.workerFrom || LARGE_INPUT_BYTES)
  let bytes: number
  try {
    bytes = inputBytes()
  } catch {
    return false
  }
  if (!(bytes >= threshold)) return false
  core.debug(
    `${(bytes / 1048576).toFixed(1)} MiB of input: the action runs on a worker thread (young generation ${YOUNG_GENERATION_MB} MiB).`,
  )
  // The old generation's limit is a test knob only: the worker otherwise has this process's.
  const heapMb = Number(process.env.INFRA_ACTIONS_WORKER_HEAP_MB) || undefined
  const worker = new Worker(script, {
    argv: process.argv.slice(2),
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, ...(heapMb ? { maxOldGenerationSizeMb: heapMb } : {}) },
  })
  const code = await new Promise<number>((resolve) => {
    // What escapes the worker's own run wrapper fails here: out of memory said as such, anything else (it cannot start) as a bug.
    worker.on('error', (error) => fail(actionName, outOfMemory(actionName, error, bytes, heapMb) ?? error, options))
    worker.on('exit', resolve)
  })
  if (code !== 0) process.exitCode = code
  return true
}

/** A worker that reached the heap's limit: the input is too large for this runner, not a bug. */
function outOfMemory(actionName: string, error: unknown, bytes: number, heapMb: number | undefined): ActionError | undefined {
  if ((error as { code?: unknown }).code !== 'ERR_WORKER_OUT_OF_MEMORY') return undefined
  const limit = heapMb ?? Math.round(getHeapStatistics().heap_size_limit / 1048576)
  return new ActionError(
    `${actionName} ran out of memory with ${(bytes / 1048576).toFixed(1)} MiB of input (the heap of Node.js on this runner holds at most ~${limit} MiB). ` +
      'Split the input into smaller files (several plans or scans), or use a runner with more memory.',
  )
}

/** The file node was started with, when it is the file this code is bundled in; undefined otherwise. */
function bundleScript(): string | undefined {
  try {
    const self = realpathSync(fileURLToPath(import.meta.url))
    const started = process.argv[1]
    return started && /\.m?js$/.test(self) && realpathSync(started) === self ? self : undefined
  } catch {
    return undefined
  }
}
