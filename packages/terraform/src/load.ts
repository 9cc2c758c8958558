import { statSync } from 'node:fs'
import path from 'node:path'
import { ConfigurationError, errorMessage, readRegularFile, type Inputs } from '@infra-actions/common'
import { analyzePlan, type PlanModel } from './model.js'
import { parsePlanText, type ParseOptions } from './parse.js'

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

/** Runs a command and returns its stdout; injected so tests need no Terraform. */
export type ShowCommand = (binary: string, args: string[], cwd: string) => Promise<{ exitCode: number; stdout: string; stderr: string }>

export async function showWithExec(
  binary: string,
  args: string[],
  cwd: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const { getExecOutput } = await import('@actions/exec')
  // silent: the plan JSON holds sensitive values in clear text and must not reach the log.
  return getExecOutput(binary, args, { cwd, silent: true, ignoreReturnCode: true })
}

/** The bytes of the plan JSON (a Buffer: decoding all of it to a string would cost time and memory for sections never read). */
async function readPlanData(source: PlanSource, show: ShowCommand = showWithExec): Promise<{ data: Buffer | string; label: string }> {
  const file = path.resolve(source.workingDirectory, source.path)
  if (source.kind === 'json') {
    const label = `Input '${source.input}' (${source.path})`
    // Synchronous on purpose: an async read holds its chunks too and adds ~50 MB of peak memory.
    return { data: readRegularFile(file, label), label }
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
  let result
  try {
    result = await show(source.binary, ['show', '-json', file], source.workingDirectory)
  } catch (error) {
    throw new ConfigurationError(
      `Could not run '${source.binary} show -json' (input '${source.binaryInput}'): ${errorMessage(error)}. Is Terraform installed (hashicorp/setup-terraform with terraform_wrapper: false)?`,
    )
  }
  if (result.exitCode !== 0) {
    throw new ConfigurationError(
      `'${source.binary} show -json ${source.path}' failed with exit code ${result.exitCode}: ${result.stderr.trim().slice(0, 2000)}`,
    )
  }
  return { data: result.stdout, label: `The output of '${source.binary} show -json ${source.path}'` }
}

export async function loadPlan(source: PlanSource, show?: ShowCommand, options: ParseOptions = {}): Promise<PlanModel> {
  const { data, label } = await readPlanData(source, show)
  const plan = parsePlanText(data, label, options)
  // Give the file's bytes back now rather than at some later collection: everything read from
  // them is a copy, and on a large plan they are ~80 MB on top of the rendering's peak.
  if (typeof data !== 'string') {
    const bytes = data.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
    // Only a buffer of its own (never a pooled one), and only where transfer() exists (Node ≥ 21).
    if (bytes.transfer && data.byteLength === bytes.byteLength) bytes.transfer(0)
  }
  return analyzePlan(plan)
}
