import path from 'node:path'
import * as core from '@actions/core'
import { errorMessage, type ActionContext } from '@infra-actions/common'

export interface UploadedArtifact {
  id: number | undefined
  url: string | undefined
}

/**
 * Upload one file as a workflow artifact. Where the runner offers no artifact service (local
 * runs, nektos/act without --artifact-server-path) this warns and returns undefined: a missing
 * artifact must not fail a plan comment.
 */
export async function uploadFileArtifact(
  name: string,
  file: string,
  context: ActionContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UploadedArtifact | undefined> {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    core.warning(
      `The artifact '${name}' was not uploaded: this runner offers no artifact service (ACTIONS_RUNTIME_TOKEN/ACTIONS_RESULTS_URL unset${context.isAct ? '; under act, pass --artifact-server-path' : ''}). The file is at ${file}.`,
    )
    return undefined
  }
  try {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const client = new DefaultArtifactClient()
    const { id } = await client.uploadArtifact(name, [file], path.dirname(file), { retentionDays: 30 })
    const url = id !== undefined && context.runUrl ? `${context.runUrl}/artifacts/${id}` : context.runUrl
    return { id, url }
  } catch (error) {
    core.warning(`The artifact '${name}' could not be uploaded: ${errorMessage(error)}. The file is at ${file}.`)
    return undefined
  }
}
