/**
 * A mistake the user can fix (a bad input, a missing file, a plan we refuse to read).
 * Shown as one plain `::error::` line; a stack trace would only distract.
 * Anything else that is thrown is a bug in this project and is reported with context.
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError'
}

/** A named input has a value we cannot accept. */
export class InputError extends ConfigurationError {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`Input '${input}' ${problem}`)
  }
}

export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError
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
