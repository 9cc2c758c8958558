import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  apiUnavailableReason,
  appendSummary,
  commentApiOnWorker,
  knownCommentAuthor,
  pullRequestNumber,
  readContext,
} from '@infra-actions/common'
import { uploadFileArtifact } from '@infra-actions/common/artifacts'
import * as runner from '@infra-actions/common/runner'
import { runPlanComment } from './plan-comment.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = readSettings()
  const context = readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // The GitHub client loads, and reads the PR's comments, on a worker thread (this same bundle)
  // while this thread reads and renders the plan. No PR to comment on (push, schedule) or
  // comments off: it is never started.
  const pr = settings.commentMode === 'off' ? undefined : pullRequestNumber(context, settings.prNumber)
  const comments =
    skip || pr === undefined
      ? undefined
      : commentApiOnWorker(new URL(import.meta.url), {
          token: settings.token,
          owner: context.owner,
          repo: context.repo,
          author: knownCommentAuthor(settings.token, settings.commentAuthor),
          prefetch: pr,
        })
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
