import * as core from '@actions/core'
import { readContext, writeJobSummary } from '@infra-actions/common'
import { apiUnavailableReason, createGitHubClient } from '@infra-actions/github/api'
import { octokitApprovalApi } from './approvals.js'
import { runDestroyGate } from './destroy-gate.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = await readSettings()
  const context = await readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // Octokit loads only when an approval may have to be checked.
  const wanted = settings.rules.allowLabel || settings.rules.allowReview
  const approvals = skip || !wanted ? undefined : octokitApprovalApi(await createGitHubClient(settings.token), context.owner, context.repo)
  const result = await runDestroyGate(settings, {
    context,
    approvals,
    apiSkipReason: skip,
    writeSummary: writeJobSummary,
    log: { info: core.info, warning: core.warning, error: core.error },
  })
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
  if (result.failure) core.setFailed(result.failure)
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
