export interface RunResult {
  exitCode: number
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
}): Promise<RunResult>
export function parseFileCommand(text: string): Record<string, string>
export function runnerEnvForEvent(eventName: string, payload: unknown): Record<string, string>
