import { readFileSync } from 'node:fs'
import { ConfigurationError, ServiceError, errorMessage, isRecord, nonEmptyString, quote } from '@infra-actions/common'
import { PROJECT } from './settings.js'
import { callJson, type HttpDeps } from './google-api.js'

export const SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

/** Where the access tokens come from, and what the credentials say about themselves. */
export interface GoogleCredentials {
  token: () => Promise<string>
  /** The service account the credentials act as, when they name one (for minting ID tokens). */
  serviceAccount: string | undefined
  /** `project_id` of the credentials file, when it has one. */
  projectId: string | undefined
  /** `access-token`, or the kind of Application Default Credentials. */
  source: string
}

/**
 * The `access-token` input, or Application Default Credentials through google-auth-library
 * (loaded only then): the file google-github-actions/auth writes, Workload Identity Federation
 * included. Every token is handed to `secret` (masked in the log) before it is used. The project
 * is never asked of the Resource Manager API; only the credentials file is read for it.
 */
export async function loadCredentials(
  accessToken: string | undefined,
  env: NodeJS.ProcessEnv,
  secret: (value: string) => void,
): Promise<GoogleCredentials> {
  const file = credentialsFile(env.GOOGLE_APPLICATION_CREDENTIALS)
  if (accessToken) {
    secret(accessToken)
    return { token: async () => accessToken, serviceAccount: file.serviceAccount, projectId: file.projectId, source: 'access-token' }
  }
  const { GoogleAuth } = await import('google-auth-library')
  const auth = new GoogleAuth({ scopes: [SCOPE] })
  let client
  try {
    client = await auth.getClient()
  } catch (error) {
    throw new ConfigurationError(
      `No Google credentials: give 'access-token', or run google-github-actions/auth before this step (Application Default Credentials: ${errorMessage(error)})`,
    )
  }
  let first = true
  return {
    token: async () => {
      let token: string | null | undefined
      try {
        token = (await client.getAccessToken()).token
      } catch (error) {
        const message = `Could not get an access token from Application Default Credentials: ${errorMessage(error)}`
        // The first failure is a setup problem; a later one (a refresh) is the service's.
        throw first ? new ConfigurationError(message) : new ServiceError(message, undefined)
      }
      if (!token) throw new ConfigurationError('Application Default Credentials gave no access token.')
      first = false
      secret(token)
      return token
    },
    serviceAccount: file.serviceAccount,
    projectId: file.projectId,
    source: file.type ? `Application Default Credentials (${file.type})` : 'Application Default Credentials',
  }
}

/** What a credentials file says: its type, project and service account. Unreadable: nothing. */
export function credentialsFile(path: string | undefined): { type?: string; projectId?: string; serviceAccount?: string } {
  if (!path) return {}
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return {}
  }
  if (!isRecord(json)) return {}
  const impersonated = /\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(nonEmptyString(json.service_account_impersonation_url) ?? '')
  return {
    type: nonEmptyString(json.type),
    projectId: nonEmptyString(json.project_id),
    serviceAccount: impersonated ? decodeURIComponent(impersonated[1] as string) : nonEmptyString(json.client_email),
  }
}

/** The project: the input, the variables gcloud and google-github-actions/auth set, the credentials file. */
export function projectFrom(input: string | undefined, env: NodeJS.ProcessEnv, credentials: { projectId?: string }): string {
  const variable = ['GOOGLE_CLOUD_PROJECT', 'CLOUDSDK_CORE_PROJECT', 'GCLOUD_PROJECT', 'GCP_PROJECT'].find((v) => env[v])
  const [project, from] =
    input !== undefined
      ? [input, "input 'project'"]
      : variable
        ? [env[variable] as string, `the variable ${variable}`]
        : [credentials.projectId, "the credentials' project_id"]
  if (!project) {
    throw new ConfigurationError(
      "Input 'project' is required: no GOOGLE_CLOUD_PROJECT or CLOUDSDK_CORE_PROJECT is set and the credentials name no project.",
    )
  }
  // It goes into the API's paths: checked wherever it came from, as the input is.
  if (!PROJECT.test(project))
    throw new ConfigurationError(`The project from ${from} is not a project ID or number: ${quote(project)}. Set input 'project'.`)
  return project
}

/** IAM Credentials `generateIdToken` for `serviceAccount`; `base` is the versioned endpoint (`…/v1`). */
export async function generateIdToken(http: HttpDeps, base: string, serviceAccount: string, audience: string): Promise<string> {
  const answer = await callJson(
    http,
    'POST',
    `${base}/projects/-/serviceAccounts/${encodeURIComponent(serviceAccount)}:generateIdToken`,
    `mint an ID token for ${audience} as ${serviceAccount}`,
    { body: { audience, includeEmail: true }, retries: 2 },
  )
  const token = isRecord(answer) ? nonEmptyString(answer.token) : undefined
  if (!token) throw new ConfigurationError(`The IAM Credentials API gave no ID token for ${serviceAccount}.`)
  return token
}

/**
 * An API's versioned base URL: the input when it differs from the default, else Google's
 * `GHA_ENDPOINT_OVERRIDE_<key>` variable, else the default; `/v2` (or `version`) added unless the
 * URL already ends with a version.
 */
export function apiBase(input: string, fallback: string, override: string | undefined, version: string): string {
  const chosen = (input !== fallback ? input : override || fallback).replace(/\/+$/, '')
  return /\/v\d+[a-z0-9]*$/.test(chosen) ? chosen : `${chosen}/${version}`
}
