import path from 'node:path'
import { ConfigurationError, Inputs } from '@infra-actions/common'
import { addressGlobProblem, readPlanSource, type PlanSource } from '@infra-actions/terraform'
import type { EnvironmentPolicy } from './policy.js'

/** The rules the gate applies, after inputs and the policy file are merged. */
export interface GateRules {
  maxDestroy: number
  countReplace: boolean
  allowDestroy: boolean
  protected: string[]
  ignore: string[]
  allowLabel: string | undefined
  /** An approving review of the planned commit by a writer lets destroys through. */
  allowReview: boolean
}

export interface DestroyGateSettings {
  source: PlanSource
  rules: GateRules
  environment: string | undefined
  token: string
  prNumber: number | undefined
  /** Where each rule came from, for the log. */
  origin: string
}

export const PLAN_INPUTS = {
  planJson: 'plan-json',
  planFile: 'plan-file',
  terraformBinary: 'terraform-binary',
  workingDirectory: 'working-directory',
}

/** An input's address globs; one that can never match is refused (it would protect nothing, silently). */
function patternsInput(inputs: Inputs, name: 'protected' | 'ignore'): string[] {
  const patterns = inputs.list(name)
  for (const pattern of patterns) {
    const problem = addressGlobProblem(pattern)
    if (problem) throw new ConfigurationError(`Input '${name}': ${problem}.`)
  }
  return patterns
}

/** The YAML parser and the validator load only when there is a policy to read. */
async function policyEntry(file: string, label: string, environment: string | undefined): Promise<EnvironmentPolicy> {
  const { policyFor, readPolicy } = await import('./policy.js')
  return policyFor(readPolicy(file, label), environment, label)
}

/**
 * Explicit inputs win over the policy entry, and both over the defaults (max-destroy 0,
 * count-replace true). `protected` is the union of both lists: leaving the input empty, or
 * setting it in a workflow, never removes a protection the reviewed policy file grants.
 */
export async function readSettings(inputs: Inputs = new Inputs()): Promise<DestroyGateSettings> {
  const source = readPlanSource(inputs, PLAN_INPUTS)
  if (!source) throw new ConfigurationError("One of the inputs 'plan-json' or 'plan-file' is required.")
  const workingDirectory = source.workingDirectory
  const environment = inputs.optionalString('environment')
  const policyInput = inputs.optionalString('policy')
  const entry = policyInput ? await policyEntry(path.resolve(workingDirectory, policyInput), policyInput, environment) : {}
  const inputProtected = patternsInput(inputs, 'protected')
  const rules: GateRules = {
    maxDestroy: inputs.optionalInteger('max-destroy', { min: -1 }) ?? entry['max-destroy'] ?? 0,
    countReplace: inputs.optionalBoolean('count-replace') ?? entry['count-replace'] ?? true,
    allowDestroy: inputs.boolean('allow-destroy', false),
    protected: [...new Set([...inputProtected, ...(entry.protected ?? [])])],
    ignore: inputs.has('ignore') ? patternsInput(inputs, 'ignore') : (entry.ignore ?? []),
    allowLabel: inputs.optionalString('allow-label') ?? entry['allow-label'],
    allowReview: inputs.optionalBoolean('allow-review') ?? entry['allow-review'] ?? false,
  }
  return {
    source,
    rules,
    environment,
    token: inputs.string('github-token'),
    prNumber: inputs.optionalInteger('pr-number', { min: 1 }),
    origin: policyInput
      ? `policy ${policyInput}${environment ? ` (environment '${environment}')` : ' (default entry)'} and inputs`
      : 'inputs',
  }
}
