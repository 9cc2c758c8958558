import * as core from '@actions/core'
import { readContext, writeJobSummary } from '@infra-actions/common'
import { runResolveEnvironment } from './resolve-environment.js'
import { readSettings } from './settings.js'

export async function main(): Promise<void> {
  const settings = readSettings()
  const context = await readContext()
  // Only pushes need the API (which PR did this commit come from?), and only when a template
  // asks for {pr}: the client loads then, and never otherwise.
  const lookupPr = async (sha: string): Promise<number | undefined> => {
    const { apiUnavailableReason, createGitHubClient, explainApiError } = await import('@infra-actions/github/api')
    const skip = apiUnavailableReason(settings.token, context)
    if (skip) {
      core.info(`The pull request of ${sha} was not looked up: ${skip}.`)
      return undefined
    }
    try {
      const octokit = await createGitHubClient(settings.token)
      const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: context.owner,
        repo: context.repo,
        commit_sha: sha,
      })
      return data.find((pr) => pr.merged_at)?.number ?? data[0]?.number
    } catch (error) {
      throw explainApiError(error, { doing: `find the pull request of commit ${sha}`, permission: 'pull-requests: read' })
    }
  }
  const { outputs } = await runResolveEnvironment(settings, {
    context,
    lookupPr,
    writeSummary: writeJobSummary,
    log: { info: core.info, warning: core.warning },
  })
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

/** @github/local-action calls an exported `run()`. */
export { main as run }
