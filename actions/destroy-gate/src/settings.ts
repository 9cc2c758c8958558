import path from 'node:path'
import { Inputs, type PlanSource } from '@infra-actions/common'

/** The rules the gate applies, after inputs and the policy file are merged. */
export interface GateRules {
  maxDestroy: number
  countReplace: boolean
  allowDestroy: boolean
  protected: string[]
  ignore: string[]
  allowLabel: string | undefined
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

/**
 * Explicit inputs win over the policy entry, and both over the defaults (max-destroy 0,
 * count-replace true). `protected` is the union of both lists: leaving the input empty, or
 * setting it in a workflow, never removes a protection the reviewed policy file grants.
 */
export async function readSettings(inputs: Inputs = new Inputs()): Promise<DestroyGateSettings> {
  const workingDirectory = inputs.string('working-directory', { default: '.' })
  const environment = inputs.optionalString('environment')
  const policyInput = inputs.optionalString('policy')
  // The YAML parser and the validator load only when there is a policy to read.
  const { policyFor, readPolicy } = policyInput ? await import('./policy.js') : { policyFor: undefined, readPolicy: undefined }
  const entry = policyInput && policyFor && readPolicy ? policyFor(readPolicy(path.resolve(workingDirectory, policyInput), policyInput), environment, policyInput) : {}
  const inputProtected = inputs.list('protected')
  const rules: GateRules = {
    maxDestroy: inputs.optionalInteger('max-destroy', { min: -1 }) ?? entry['max-destroy'] ?? 0,
    countReplace: inputs.optionalBoolean('count-replace') ?? entry['count-replace'] ?? true,
    allowDestroy: inputs.boolean('allow-destroy', false),
    protected: [...new Set([...inputProtected, ...(entry.protected ?? [])])],
    ignore: inputs.has('ignore') ? inputs.list('ignore') : (entry.ignore ?? []),
    allowLabel: inputs.optionalString('allow-label') ?? entry['allow-label'],
  }
  return {
    source: {
      planJson: inputs.optionalString('plan-json'),
      planFile: inputs.optionalString('plan-file'),
      terraformBinary: inputs.string('terraform-binary', { default: 'terraform' }),
      workingDirectory,
    },
    rules,
    environment,
    token: inputs.string('github-token'),
    prNumber: inputs.optionalInteger('pr-number', { min: 1 }),
    origin: policyInput ? `policy ${policyInput}${environment ? ` (environment '${environment}')` : ' (default entry)'} and inputs` : 'inputs',
  }
}
