export interface RunResult {
  /** The first phase's non-zero exit code, else 0. */
  exitCode: number
  /** Each phase's exit code (128 when killed by a signal). */
  codes: { pre?: number; main?: number; post?: number }
  /** When `interrupt` matched (ms since the epoch). */
  interruptedAt: number | undefined
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  tmp: string
}
export function runAction(options: {
  action: string
  inputs?: Record<string, string>
  event?: string
  eventName?: string
  env?: Record<string, string>
  apiUrl?: string
  token?: string
  cwd?: string
  distDir?: string
  interrupt?: { when: RegExp; signals?: [NodeJS.Signals, number][]; post?: boolean; before?: () => void }
  echo?: boolean
}): Promise<RunResult>
export const RUNNER_CANCEL: [NodeJS.Signals, number][]
export function parseFileCommand(text: string): Record<string, string>
export function runnerEnvForEvent(eventName: string, payload: unknown): Record<string, string>
