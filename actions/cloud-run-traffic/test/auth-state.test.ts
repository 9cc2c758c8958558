import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { apiBase, credentialsFile, projectFrom } from '../src/auth.js'
import { errorBody } from '../src/google-api.js'
import { STATE_ANNOTATION, decodeState, encodeState, withState } from '../src/state.js'

describe('endpoints', () => {
  it('input, then GHA_ENDPOINT_OVERRIDE_*, then the default; the version added when missing', () => {
    const d = 'https://run.googleapis.com'
    expect(apiBase(d, d, undefined, 'v2')).toBe('https://run.googleapis.com/v2')
    expect(apiBase(d, d, 'https://run.example/v2/', 'v2')).toBe('https://run.example/v2')
    expect(apiBase('http://127.0.0.1:9/', d, 'https://run.example', 'v2')).toBe('http://127.0.0.1:9/v2')
  })
})

describe('project and credentials', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'creds-'))
  const file = (json: unknown) => {
    const f = path.join(dir, `${Math.random()}.json`)
    writeFileSync(f, JSON.stringify(json))
    return f
  }

  it('reads the service account and project of a key file, and of a Workload Identity Federation file', () => {
    expect(credentialsFile(file({ type: 'service_account', project_id: 'p1', client_email: 'sa@p1.iam.gserviceaccount.com' }))).toEqual({
      type: 'service_account',
      projectId: 'p1',
      serviceAccount: 'sa@p1.iam.gserviceaccount.com',
    })
    const wif = file({
      type: 'external_account',
      service_account_impersonation_url:
        'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/d%40p.iam.gserviceaccount.com:generateAccessToken',
    })
    expect(credentialsFile(wif)).toMatchObject({
      type: 'external_account',
      serviceAccount: 'd@p.iam.gserviceaccount.com',
      projectId: undefined,
    })
    expect(credentialsFile(path.join(dir, 'missing.json'))).toEqual({})
  })

  it('takes the project from the input, the environment, then the credentials; never asks an API', () => {
    expect(projectFrom('acme-input', { GOOGLE_CLOUD_PROJECT: 'acme-env' }, {})).toBe('acme-input')
    expect(projectFrom(undefined, { CLOUDSDK_CORE_PROJECT: 'acme-sdk' }, { projectId: 'acme-file' })).toBe('acme-sdk')
    expect(projectFrom(undefined, {}, { projectId: 'acme-file' })).toBe('acme-file')
    expect(projectFrom(undefined, {}, { projectId: '123456789012' })).toBe('123456789012')
    expect(() => projectFrom(undefined, {}, {})).toThrow("Input 'project' is required")
  })

  it('refuses a project from the environment or the credentials that is not a project ID: it goes into the API paths', () => {
    expect(() =>
      projectFrom(undefined, { GOOGLE_CLOUD_PROJECT: 'acme-prod/locations/europe-west1/services/victim?quotaUser=' }, {}),
    ).toThrow(/The project from the variable GOOGLE_CLOUD_PROJECT is not a project ID or number: .*victim.*Set input 'project'/)
    expect(() => projectFrom(undefined, {}, { projectId: '../other' })).toThrow(/from the credentials' project_id is not a project ID/)
  })
})

describe('the state annotation', () => {
  const state = {
    v: 1 as const,
    revision: 'new',
    tag: 'canary',
    start: [{ revision: 'old', percent: 100 }],
    percent: 25,
    run: '7',
    at: 'now',
  }

  it('round-trips, and ignores what this version did not write', () => {
    expect(decodeState(encodeState(state))).toEqual(state)
    for (const bad of [
      '{',
      '{"v":2}',
      JSON.stringify({ ...state, start: [{ revision: 'old', percent: 101 }] }),
      JSON.stringify({ ...state, percent: '25' }),
    ]) {
      expect(decodeState(bad)).toBeUndefined()
    }
  })

  it('is set and removed without touching other annotations', () => {
    expect(withState({ team: 'x' }, state)).toEqual({ team: 'x', [STATE_ANNOTATION]: encodeState(state) })
    expect(withState({ team: 'x', [STATE_ANNOTATION]: '{}' }, undefined)).toEqual({ team: 'x' })
  })
})

describe('errorBody', () => {
  it('reads google.rpc.Status with its field violations', () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: 'Invalid.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'service.traffic', description: 'sum is 95' }],
          },
        ],
      },
    })
    expect(errorBody(body, 400)).toEqual({ rpcStatus: 'INVALID_ARGUMENT', apiMessage: 'Invalid. (service.traffic: sum is 95)' })
    expect(errorBody('<html>bad gateway</html>', 502)).toEqual({ rpcStatus: undefined, apiMessage: '<html>bad gateway</html>' })
  })
})
