import { randomUUID } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import { EOL } from 'node:os'

/**
 * The runner's workflow-command and file-command protocol, as @actions/core speaks it
 * (toolkit packages/core: command.ts, file-command.ts), in the few functions our actions use.
 *
 * Why not import @actions/core: its entry statically imports @actions/http-client and undici
 * (for OIDC tokens we never request), which costs every job ~100 ms of module loading before
 * the action does anything. The format below is pinned by a test that compares it with
 * @actions/core's own output for hostile strings (test/runner-protocol.test.ts).
 */
type Properties = Record<string, string | number | undefined>

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

export function issueCommand(command: string, properties: Properties, message: string): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',')
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`)
}

export const info = (message: string): void => {
  process.stdout.write(message + EOL)
}
export const debug = (message: string): void => issueCommand('debug', {}, message)
export const warning = (message: string, properties: Properties = {}): void => issueCommand('warning', properties, message)
export const error = (message: string, properties: Properties = {}): void => issueCommand('error', properties, message)
export const notice = (message: string, properties: Properties = {}): void => issueCommand('notice', properties, message)

/** Masks a value in every later log line of the job. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret)
}

export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

function fileCommand(envName: string, key: string, value: string): boolean {
  const file = process.env[envName]
  if (!file) return false
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (key.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: the value of '${key}' contains the delimiter ${delimiter}`)
  appendFileSync(file, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8')
  return true
}

export function setOutput(name: string, value: string): void {
  if (!fileCommand('GITHUB_OUTPUT', name, value)) {
    process.stdout.write(EOL)
    issueCommand('set-output', { name }, value)
  }
}
