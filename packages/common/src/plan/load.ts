import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ConfigurationError, errorMessage } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { analyzePlan, type PlanModel } from './model.js'
import { parsePlanText } from './parse.js'

/** Where a plan comes from: the inputs plan-comment and destroy-gate share. */
export interface PlanSource {
  /** Path of `terraform show -json` output. */
  planJson: string | undefined
  /** Path of a binary plan file, shown with `<terraformBinary> show -json`. */
  planFile: string | undefined
  terraformBinary: string
  workingDirectory: string
}

/** The plan inputs plan-comment and destroy-gate share, read the same way in both. */
export function readPlanSource(inputs: Inputs): PlanSource {
  return {
    planJson: inputs.optionalString('plan-json'),
    planFile: inputs.optionalString('plan-file'),
    terraformBinary: inputs.string('terraform-binary', { default: 'terraform' }),
    workingDirectory: inputs.string('working-directory', { default: '.' }),
  }
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
  if (source.planJson && source.planFile) {
    throw new ConfigurationError("Inputs 'plan-json' and 'plan-file' were both given; give one.")
  }
  if (source.planJson) {
    const file = path.resolve(source.workingDirectory, source.planJson)
    try {
      if (statSync(file).isDirectory()) throw new ConfigurationError(`Input 'plan-json' names a directory, not a file: ${source.planJson}`)
      // Synchronous on purpose: an async read holds its chunks too and adds ~50 MB of peak memory.
      return { data: readFileSync(file), label: `Input 'plan-json' (${source.planJson})` }
    } catch (error) {
      if (error instanceof ConfigurationError) throw error
      throw new ConfigurationError(`Input 'plan-json' names a file that cannot be read: ${source.planJson} (${errorMessage(error)})`)
    }
  }
  if (source.planFile) {
    const file = path.resolve(source.workingDirectory, source.planFile)
    try {
      statSync(file)
    } catch {
      throw new ConfigurationError(
        `Input 'plan-file' names a file that does not exist: ${source.planFile} (looked in ${source.workingDirectory})`,
      )
    }
    let result
    try {
      result = await show(source.terraformBinary, ['show', '-json', file], source.workingDirectory)
    } catch (error) {
      throw new ConfigurationError(
        `Could not run '${source.terraformBinary} show -json' (input 'terraform-binary'): ${errorMessage(error)}. Is Terraform installed (hashicorp/setup-terraform with terraform_wrapper: false)?`,
      )
    }
    if (result.exitCode !== 0) {
      throw new ConfigurationError(
        `'${source.terraformBinary} show -json ${source.planFile}' failed with exit code ${result.exitCode}: ${result.stderr.trim().slice(0, 2000)}`,
      )
    }
    return { data: result.stdout, label: `The output of '${source.terraformBinary} show -json ${source.planFile}'` }
  }
  throw new ConfigurationError("One of the inputs 'plan-json' or 'plan-file' is required.")
}

export async function loadPlan(source: PlanSource, show?: ShowCommand): Promise<PlanModel> {
  const { data, label } = await readPlanData(source, show)
  const plan = parsePlanText(data, label)
  // Give the file's bytes back now rather than at some later collection: everything read from
  // them is a copy, and on a large plan they are ~80 MB on top of the rendering's peak.
  if (typeof data !== 'string') {
    const bytes = data.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
    // Only a buffer of its own (never a pooled one), and only where transfer() exists (Node ≥ 21).
    if (bytes.transfer && data.byteLength === bytes.byteLength) bytes.transfer(0)
  }
  return analyzePlan(plan)
}
