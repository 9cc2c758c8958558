import * as core from '@actions/core'
import { pullRequestNumber, readContext, writeJobSummary } from '@infra-actions/common'
import { apiUnavailableReason, createGitHubClient, knownCommentAuthor, octokitCommentApi } from '@infra-actions/github'
import { runScanReport } from './scan-report.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = await readSettings()
  const context = await readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // The client starts loading now and is awaited at the first call, after the results are read.
  // No PR to comment on (push, schedule) or comments off: it is never loaded.
  const pr = settings.commentMode === 'off' ? undefined : pullRequestNumber(context, settings.prNumber)
  const comments =
    skip || pr === undefined
      ? undefined
      : octokitCommentApi(createGitHubClient(settings.token), context.owner, context.repo, {
          author: knownCommentAuthor(settings.token, settings.commentAuthor),
        })
  const result = await runScanReport(settings, {
    context,
    comments,
    apiSkipReason: skip,
    writeSummary: writeJobSummary,
    annotate: ({ level, message, ...properties }) => core[level](message, properties),
    log: { info: core.info, warning: core.warning },
  })
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
  if (result.failure) core.setFailed(result.failure)
  if (result.error) throw result.error
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
