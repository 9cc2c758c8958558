import * as core from './runner.js'
import { errorMessage, isConfigurationError } from './errors.js'

/**
 * The one place an action's failure is reported. A user's mistake (ConfigurationError) becomes one
 * plain `::error::` line; anything else is a bug and says so. The stack is printed only when the
 * run is in debug mode (`RUNNER_DEBUG=1`, or the `ACTIONS_STEP_DEBUG` secret), and the process
 * exits with 1 either way. Rejections that escape `main` are caught too.
 */
export async function run(actionName: string, main: () => Promise<void>): Promise<void> {
  const onStray = (error: unknown): void => fail(actionName, error)
  process.on('unhandledRejection', onStray)
  process.on('uncaughtException', onStray)
  try {
    await main()
  } catch (error) {
    fail(actionName, error)
  }
}

export function fail(actionName: string, error: unknown): void {
  const message = isConfigurationError(error)
    ? errorMessage(error)
    : `${actionName} failed unexpectedly: ${errorMessage(error)}. This is a bug in infra-actions; ` +
      'please report it with the step log re-run in debug mode (RUNNER_DEBUG=1).'
  core.error(message)
  if (isDebug() && error instanceof Error && error.stack) core.info(error.stack)
  process.exitCode = 1
}

export function isDebug(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true'
}
