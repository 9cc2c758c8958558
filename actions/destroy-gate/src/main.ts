import * as core from '@actions/core'
import { readContext, writeJobSummary } from '@infra-actions/common'
import { apiUnavailableReason, createGitHubClient } from '@infra-actions/github/api'
import { octokitLabelApi } from './allow-label.js'
import { runDestroyGate } from './destroy-gate.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = await readSettings()
  const context = await readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // Octokit loads only when an allow-label has to be checked.
  const labels =
    skip || !settings.rules.allowLabel ? undefined : octokitLabelApi(await createGitHubClient(settings.token), context.owner, context.repo)
  const result = await runDestroyGate(settings, {
    context,
    labels,
    apiSkipReason: skip,
    writeSummary: writeJobSummary,
    log: { info: core.info, warning: core.warning, error: core.error },
  })
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
  if (result.failure) core.setFailed(result.failure)
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
