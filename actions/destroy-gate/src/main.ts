import { apiUnavailableReason, appendSummary, createGitHubClient, errorMessage, readContext } from '@infra-actions/common'
import * as runner from '@infra-actions/common/runner'
import { octokitLabelApi } from './allow-label.js'
import { runDestroyGate } from './destroy-gate.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  let settings
  try {
    settings = await readSettings()
  } catch (error) {
    // A bad input or policy closes the gate: later steps reading `allowed` must see false.
    runner.setOutput('allowed', 'false')
    runner.setOutput('reason', `Cannot apply the destroy policy: ${errorMessage(error)}`)
    throw error
  }
  const context = readContext()
  const skip = apiUnavailableReason(settings.token, context)
  const labels =
    skip || !settings.rules.allowLabel ? undefined : octokitLabelApi(await createGitHubClient(settings.token), context.owner, context.repo)
  const result = await runDestroyGate(settings, {
    context,
    labels,
    apiSkipReason: skip,
    writeSummary: (md) => appendSummary(md),
    log: { info: runner.info, warning: runner.warning, error: runner.error },
  })
  for (const [name, value] of Object.entries(result.outputs)) runner.setOutput(name, value)
  if (result.failure) runner.setFailed(result.failure)
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
