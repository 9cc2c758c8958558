import { existsSync } from 'node:fs'
import path from 'node:path'
import { Inputs } from '@infra-actions/common'

export const DEFAULT_CONFIG_PATH = '.github/environments.yml'

export interface ResolveSettings {
  /** The rules file, or undefined for the built-in rules (the default path does not exist). */
  configFile: string | undefined
  configLabel: string
  environment: string | undefined
  requireMatch: boolean
  token: string
}

export function readSettings(inputs: Inputs = new Inputs(), workspace = process.env.GITHUB_WORKSPACE || process.cwd()): ResolveSettings {
  const given = inputs.string('config', { default: DEFAULT_CONFIG_PATH })
  const resolved = path.resolve(workspace, given)
  let configFile: string | undefined = resolved
  // Only the default path may be absent (then the built-in rules apply); a path someone wrote must exist.
  if (given === DEFAULT_CONFIG_PATH && !existsSync(resolved)) configFile = undefined
  else inputs.existingPath('config', { base: workspace, kind: 'file' })
  return {
    configFile,
    configLabel: configFile ? given : 'the built-in GitFlow rules',
    environment: inputs.optionalString('environment'),
    requireMatch: inputs.boolean('require-match', false),
    token: inputs.string('github-token'),
  }
}
