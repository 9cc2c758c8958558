import { spawn } from 'node:child_process'
import { closeSync, openSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { ConfigurationError, errorMessage, makeDirectory, openRegularFile, type Inputs } from '@infra-actions/common'
import { fileSource, type ByteSource } from '@infra-actions/common/json-stream'
import { PlanBuilder, type BuildOptions, type PlanModel } from './model.js'
import { readPlanDocument, type ParseOptions } from './parse.js'

/** Where a plan comes from, with the caller's input names for messages. */
export type PlanSource =
  | { kind: 'json'; path: string; input: string; workingDirectory: string }
  | { kind: 'file'; path: string; input: string; binary: string; binaryInput: string; workingDirectory: string }

/** The caller's names for the plan inputs. */
export interface PlanInputNames {
  /** `terraform show -json` output. */
  planJson: string
  /** A binary plan file, shown with the binary. */
  planFile: string
  terraformBinary: string
  workingDirectory: string
}

/** The plan inputs, read the same way by every action that reads a plan; undefined when neither is given. */
export function readPlanSource(inputs: Inputs, names: PlanInputNames): PlanSource | undefined {
  const json = inputs.optionalString(names.planJson)
  const file = inputs.optionalString(names.planFile)
  const binary = inputs.string(names.terraformBinary, { default: 'terraform' })
  const workingDirectory = inputs.string(names.workingDirectory, { default: '.' })
  if (json && file) throw new ConfigurationError(`Inputs '${names.planJson}' and '${names.planFile}' were both given; give one.`)
  if (json) return { kind: 'json', path: json, input: names.planJson, workingDirectory }
  if (file) return { kind: 'file', path: file, input: names.planFile, binary, binaryInput: names.terraformBinary, workingDirectory }
  return undefined
}

/**
 * About how many bytes of plan JSON the plan inputs will be read from, for run()'s choice of a
 * worker thread: the file's size for `plan-json`; for a binary plan, whose JSON is made later by
 * `terraform show`, eight times the (zip) file's size, a low guess. 0 when nothing is there yet.
 */
export function planInputBytes(inputs: Inputs, names: PlanInputNames): number {
  const source = readPlanSource(inputs, names)
  if (!source) return 0
  const size = statSync(path.resolve(source.workingDirectory, source.path)).size
  return source.kind === 'json' ? size : size * 8
}

/**
 * Runs a command with its standard output going to `stdoutFile`; injected so tests need no
 * Terraform. The output goes straight to the file: a plan's JSON can be larger than any string.
 */
export type ShowCommand = (binary: string, args: string[], cwd: string, stdoutFile: string) => Promise<ShowResult>

/** How the command ended: its exit code, or the signal that killed it (the exit code is then 1). */
export interface ShowResult {
  exitCode: number
  signal?: string
  stderr: string
}

export function showToFile(binary: string, args: string[], cwd: string, stdoutFile: string): Promise<ShowResult> {
  // 0600: the plan JSON holds sensitive values in clear text; it never reaches the log either.
  const fd = openSync(stdoutFile, 'w', 0o600)
  return new Promise<ShowResult>((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', fd, 'pipe'] })
    let stderr = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (d: string) => {
      if (stderr.length < 1 << 16) stderr += d
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ exitCode: code ?? 1, ...(signal ? { signal } : {}), stderr }))
  }).finally(() => closeSync(fd))
}

export interface LoadOptions extends ParseOptions, BuildOptions {
  /** Where `terraform show -json`'s output is written and read back (RUNNER_TEMP by default). */
  tempDir?: string
}

/** The plan's bytes as a source read in chunks, and what to remove once it is read. */
async function openPlan(
  source: PlanSource,
  show: ShowCommand,
  tempDir: string,
): Promise<{ bytes: ByteSource; label: string; done: () => void }> {
  const file = path.resolve(source.workingDirectory, source.path)
  if (source.kind === 'json') {
    const label = `Input '${source.input}' (${source.path})`
    return { bytes: fileSource(openRegularFile(file, label), label), label, done: () => undefined }
  }
  // Checked here so a missing file is not reported as Terraform's own, longer error, and a FIFO
  // never reaches a binary that would wait on it.
  let stat
  try {
    stat = statSync(file)
  } catch {
    throw new ConfigurationError(
      `Input '${source.input}' names a file that does not exist: ${source.path} (looked in ${source.workingDirectory})`,
    )
  }
  if (!stat.isFile())
    throw new ConfigurationError(`Input '${source.input}' (${source.path}) is not a regular file; give the saved plan's path.`)
  // A RUNNER_TEMP that is not a directory is said as such, not as Terraform failing to run.
  makeDirectory(tempDir, "The runner's temporary directory (RUNNER_TEMP)")
  const out = path.join(tempDir, `plan-${randomBytes(8).toString('hex')}.json`)
  const done = (): void => {
    try {
      rmSync(out, { force: true })
    } catch {
      // Nothing to remove where nothing could be made: the error that matters is the one being thrown.
    }
  }
  let result
  try {
    result = await show(source.binary, ['show', '-json', file], source.workingDirectory, out)
  } catch (error) {
    done()
    throw new ConfigurationError(
      `Could not run '${source.binary} show -json' (input '${source.binaryInput}'): ${errorMessage(error)}. Is Terraform installed (hashicorp/setup-terraform with terraform_wrapper: false)?`,
    )
  }
  if (result.exitCode !== 0) {
    done()
    // Terraform colours its diagnostics even with -json: escape codes are noise in an annotation.
    const stderr = result.stderr.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trim()
    throw new ConfigurationError(
      `Input '${source.input}' (${source.path}): '${source.binary} show -json ${source.path}' ${result.signal ? `was killed by ${result.signal}` : `failed with exit code ${result.exitCode}`}: ${stderr.slice(0, 2000) || '(nothing on stderr)'}`,
    )
  }
  const label = `The output of '${source.binary} show -json ${source.path}' (input '${source.input}')`
  return { bytes: fileSource(openRegularFile(out, label), label), label, done }
}

/**
 * Opens the plan (running `terraform show -json` into a file under `tempDir` for a plan file),
 * hands its bytes to `read`, and closes (and removes) what it opened.
 */
export async function withPlanBytes<T>(
  source: PlanSource,
  read: (bytes: ByteSource, label: string) => T,
  options: { show?: ShowCommand; tempDir?: string } = {},
): Promise<T> {
  const { bytes, label, done } = await openPlan(
    source,
    options.show ?? showToFile,
    options.tempDir ?? (process.env.RUNNER_TEMP || tmpdir()),
  )
  try {
    return read(bytes, label)
  } finally {
    bytes.close()
    done()
  }
}

/**
 * Reads the plan as a stream (a chunk at a time; see read-plan.ts) into the model: memory follows
 * the changes, not the file. With `attributeValues: false` no attribute value is ever built.
 */
export async function loadPlan(source: PlanSource, show: ShowCommand = showToFile, options: LoadOptions = {}): Promise<PlanModel> {
  return withPlanBytes(
    source,
    (bytes, label) => {
      const builder = new PlanBuilder(options)
      return builder.finish(readPlanDocument(bytes, label, builder, options))
    },
    { show, tempDir: options.tempDir },
  )
}
