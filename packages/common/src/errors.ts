/**
 * Failures this project expects and explains: shown as one plain `::error::` line, because a
 * stack trace would only distract. Anything else that is thrown is a bug in this project and is
 * reported as one (see run.ts).
 */
export class ActionError extends Error {
  override readonly name: string = 'ActionError'
}

/** A mistake the user can fix: a bad input, a missing file, a plan we refuse to read. */
export class ConfigurationError extends ActionError {
  override readonly name: string = 'ConfigurationError'
}

/** A named input has a value we cannot accept. */
export class InputError extends ConfigurationError {
  override readonly name: string = 'InputError'
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input '${input}' ${problem}`)
  }
}

/**
 * A remote service failed in a way no input can fix (5xx after the retries, a timeout, a
 * network error). The run failed, but not because of a bug here: the message says what was
 * being done and that a re-run may succeed.
 */
export class ServiceError extends ActionError {
  override readonly name: string = 'ServiceError'
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message)
  }
}

export function isActionError(error: unknown): error is ActionError {
  return error instanceof ActionError
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}
