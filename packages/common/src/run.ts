import * as core from '@actions/core'
import { errorMessage, isActionError } from './errors.js'

export interface RunOptions {
  /**
   * Called with the message of any failure before the step ends, expected or not: an action
   * whose outputs promise a safe value on failure (destroy-gate's `allowed=false`) writes it here.
   */
  onFailure?: (message: string) => void
}

/**
 * The one place an action's failure is reported. An expected failure (ActionError: a user's
 * mistake, a remote service that failed) becomes one plain `::error::` line; anything else is a
 * bug and says so. The stack is printed only in debug mode (`RUNNER_DEBUG=1`), and the process
 * exits with 1 either way. Rejections and exceptions that escape `main` are caught too.
 */
export async function run(actionName: string, main: () => Promise<void>, options: RunOptions = {}): Promise<void> {
  const onStray = (error: unknown): void => fail(actionName, error, options)
  process.on('unhandledRejection', onStray)
  process.on('uncaughtException', onStray)
  try {
    await main()
  } catch (error) {
    fail(actionName, error, options)
  }
}

export function failureMessage(actionName: string, error: unknown): string {
  return isActionError(error)
    ? errorMessage(error)
    : `${actionName} failed unexpectedly: ${errorMessage(error)}. This is a bug in infra-actions; ` +
        'please report it with the step log re-run in debug mode (RUNNER_DEBUG=1).'
}

function fail(actionName: string, error: unknown, options: RunOptions): void {
  const message = failureMessage(actionName, error)
  try {
    options.onFailure?.(message)
  } catch (hookError) {
    core.error(`Could not record the failure in the step's outputs: ${errorMessage(hookError)}`)
  }
  core.setFailed(message)
  if (core.isDebug() && error instanceof Error && error.stack) core.info(error.stack)
}
