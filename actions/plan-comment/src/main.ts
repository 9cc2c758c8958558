import { tmpdir } from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { pullRequestNumber, readContext, writeJobSummary } from '@infra-actions/common'
import { apiUnavailableReason, createGitHubClient, knownCommentAuthor, octokitCommentApi, octokitIssueApi } from '@infra-actions/github'
import { uploadFileArtifact } from '@infra-actions/github/artifacts'
import { runPlanComment } from './plan-comment.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = readSettings()
  const context = await readContext()
  const skip = apiUnavailableReason(settings.token, context)
  // The client starts loading now and is awaited at the first call, after the plan is read and
  // rendered. No PR to comment on (push, schedule) or comments off: it is never loaded.
  const pr = settings.commentMode === 'off' ? undefined : pullRequestNumber(context, settings.prNumber)
  const client = skip || (pr === undefined && !settings.driftIssue) ? undefined : createGitHubClient(settings.token)
  const author = knownCommentAuthor(settings.token, settings.commentAuthor)
  const comments = client && pr !== undefined ? octokitCommentApi(client, context.owner, context.repo, { author }) : undefined
  const issues = client && settings.driftIssue ? octokitIssueApi(client, context.owner, context.repo, { author }) : undefined
  const result = await runPlanComment(settings, {
    context,
    comments,
    issues,
    apiSkipReason: skip,
    writeSummary: writeJobSummary,
    uploadArtifact: (name, file) => uploadFileArtifact(name, file, context),
    log: { info: core.info, warning: core.warning },
    outputDir: path.join(process.env.RUNNER_TEMP || tmpdir(), 'infra-actions'),
  })
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value)
  if (result.failure) core.setFailed(result.failure)
  if (result.error) throw result.error
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
