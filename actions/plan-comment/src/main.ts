import { tmpdir } from 'node:os'
import path from 'node:path'
import { apiUnavailableReason, appendSummary, createGitHubClient, knownCommentAuthor, octokitCommentApi, pullRequestNumber, readContext } from '@infra-actions/common'
import { uploadFileArtifact } from '@infra-actions/common/artifacts'
import * as runner from '@infra-actions/common/runner'
import { runPlanComment } from './plan-comment.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = readSettings()
  const context = readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // Loaded before the plan is read: the HTTP stack then sits in a small heap, not on top of the
  // peak (it added ~40 MB to the peak RSS of a 10,000-resource plan when loaded after).
  // No PR to comment on (push, schedule) or comments off: the API client is never loaded.
  const wantsComment = settings.commentMode !== 'off' && pullRequestNumber(context, settings.prNumber) !== undefined
  const comments = skip || !wantsComment ? undefined : octokitCommentApi(await createGitHubClient(settings.token), context.owner, context.repo, { author: knownCommentAuthor(settings.token, settings.commentAuthor) })
  const result = await runPlanComment(settings, {
    context,
    comments,
    apiSkipReason: skip,
    writeSummary: (md) => appendSummary(md),
    uploadArtifact: (name, file) => uploadFileArtifact(name, file, context),
    log: { info: runner.info, warning: runner.warning },
    outputDir: path.join(process.env.RUNNER_TEMP || tmpdir(), 'infra-actions'),
  })
  for (const [name, value] of Object.entries(result.outputs)) runner.setOutput(name, value)
  if (result.failure) runner.setFailed(result.failure)
  if (result.error) throw result.error
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
