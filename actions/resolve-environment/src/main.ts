import { apiUnavailableReason, appendSummary, createGitHubClient, readContext } from '@infra-actions/common'
import * as runner from '@infra-actions/common/runner'
import { runResolveEnvironment } from './resolve-environment.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = readSettings()
  const context = readContext()
  const canCall = !apiUnavailableReason(settings.token, context)
  // Only pushes need the API (which PR did this commit come from?), and only when a template asks.
  const lookupPr = canCall
    ? async (sha: string): Promise<number | undefined> => {
        const octokit = await createGitHubClient(settings.token)
        const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
          owner: context.owner,
          repo: context.repo,
          commit_sha: sha,
        })
        return data.find((pr) => pr.merged_at)?.number ?? data[0]?.number
      }
    : undefined
  const { outputs } = await runResolveEnvironment(settings, {
    context,
    lookupPr,
    writeSummary: (md) => appendSummary(md),
    log: { info: runner.info, warning: runner.warning },
  })
  for (const [name, value] of Object.entries(outputs)) runner.setOutput(name, value)
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
