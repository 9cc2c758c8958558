import { describe, expect, it } from 'vitest'
import { ConfigurationError, ServiceError } from '@infra-actions/common'
import { explainApiError } from '../src/index.js'

const http = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`${message} - https://docs.github.com/rest`), { status, response: { headers } })
const call = { doing: 'read the labels of PR #7', permission: 'pull-requests: read', notFound: "input 'pr-number'" }

describe('explainApiError', () => {
  it('tells the user what to change for 401, 403, 404 and 422', () => {
    expect(explainApiError(http(401, 'Bad credentials'), call)).toEqual(
      new ConfigurationError(
        "GitHub refused the token (401: Bad credentials) when trying to read the labels of PR #7. Check input 'github-token': it may be expired or revoked.",
      ),
    )
    const forbidden = explainApiError(http(403, 'Resource not accessible by integration'), { ...call, tokenInput: 'token' })
    expect(forbidden).toBeInstanceOf(ConfigurationError)
    expect((forbidden as Error).message).toBe(
      'The token may not read the labels of PR #7 (403: Resource not accessible by integration). ' +
        "Give the job 'permissions: pull-requests: read' (GITHUB_TOKEN is read-only when the organization or the workflow says so), or pass a token in 'token' that can.",
    )
    expect((explainApiError(http(404, 'Not Found'), call) as Error).message).toBe(
      "GitHub answered 404 (Not Found) when trying to read the labels of PR #7. Check input 'pr-number', and that the token can see it.",
    )
    expect((explainApiError(http(422, 'Validation Failed'), { ...call, unprocessable: 'Shorten it.' }) as Error).message).toBe(
      'GitHub refused to read the labels of PR #7 (422: Validation Failed). Shorten it.',
    )
  })

  it('says that rate limits and outages are GitHub’s, with a re-run, not a bug', () => {
    for (const limited of [
      http(403, 'You have exceeded a secondary rate limit'),
      http(403, 'Forbidden', { 'x-ratelimit-remaining': '0' }),
      http(429, 'Too many'),
    ]) {
      const e = explainApiError(limited, call)
      expect(e).toBeInstanceOf(ServiceError)
      expect((e as Error).message).toMatch(/rate limit stopped the attempt to read the labels of PR #7 .*Re-run the job later/)
    }
    const down = explainApiError(http(502, 'Bad Gateway'), call)
    expect(down).toBeInstanceOf(ServiceError)
    expect((down as Error).message).toBe(
      "GitHub's API failed when trying to read the labels of PR #7 (502: Bad Gateway), also after retrying. This is usually temporary: re-run the job.",
    )
    expect(explainApiError(http(500, 'The operation was aborted due to timeout'), call)).toMatchObject({
      status: 500,
      message: expect.stringMatching(/aborted due to timeout/),
    })
  })

  it('leaves errors without an HTTP status alone: those are bugs', () => {
    const bug = new TypeError('x is undefined')
    expect(explainApiError(bug, call)).toBe(bug)
  })
})
