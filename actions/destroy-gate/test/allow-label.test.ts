import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient } from '@infra-actions/github'
import { FakeGitHub } from '../../../test/support/fake-github.mjs'
import { checkAllowLabel, octokitLabelApi, type LabelApi } from '../src/allow-label.js'

let gh: FakeGitHub
let api: LabelApi
const PR = 5
beforeEach(async () => {
  gh = await new FakeGitHub().start()
  process.env.GITHUB_API_URL = gh.url
  process.env.INFRA_ACTIONS_RETRY_BASE_MS = '5'
  api = octokitLabelApi(await createGitHubClient('ghs_x'), 'acme', 'infra')
  gh.permissions.set('acme/infra:maria', 'maintain')
  gh.permissions.set('acme/infra:tom', 'triage')
  gh.permissions.set('acme/infra:rita', 'read')
})
afterEach(async () => gh.stop())

const labeled = (actor: string, name = 'allow-destroy') => ({
  event: 'labeled',
  actor: { login: actor },
  label: { name, color: 'ff0000' },
  created_at: new Date().toISOString(),
})

describe('allow-label', () => {
  it('is honoured when a maintainer added it', async () => {
    gh.issueLabels.set(`acme/infra#${PR}`, ['allow-destroy'])
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('maria')])
    expect(await checkAllowLabel(api, PR, 'allow-destroy')).toEqual({ ok: true, by: "maria (maintain permission, label 'allow-destroy')" })
  })

  it('is refused when the last person who added it only has triage or read', async () => {
    gh.issueLabels.set(`acme/infra#${PR}`, ['Allow-Destroy'])
    gh.issueEvents.set(`acme/infra#${PR}`, [
      labeled('maria'),
      { event: 'unlabeled', actor: { login: 'maria' }, label: { name: 'allow-destroy' } },
      labeled('tom', 'Allow-Destroy'),
    ])
    const r = await checkAllowLabel(api, PR, 'allow-destroy')
    expect(r).toEqual({
      ok: false,
      why: "The label 'allow-destroy' was added by tom, who has 'triage' permission on the repository; only write, maintain or admin count. Still blocking.",
    })
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('rita')])
    expect((await checkAllowLabel(api, PR, 'allow-destroy')).ok).toBe(false)
  })

  it('is refused for someone who is not a collaborator', async () => {
    gh.issueLabels.set(`acme/infra#${PR}`, ['allow-destroy'])
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('stranger')])
    expect(await checkAllowLabel(api, PR, 'allow-destroy')).toMatchObject({
      ok: false,
      why: expect.stringMatching(/stranger, who has no permission/),
    })
  })

  it('does nothing when the label is not on the PR, even if it once was', async () => {
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('maria')])
    expect(await checkAllowLabel(api, PR, 'allow-destroy')).toMatchObject({ ok: false, why: expect.stringMatching(/can add the label/) })
  })

  it('reads events past the first page', async () => {
    gh.issueLabels.set(`acme/infra#${PR}`, ['allow-destroy'])
    gh.issueEvents.set(`acme/infra#${PR}`, [
      labeled('maria'),
      ...Array.from({ length: 150 }, () => ({ event: 'commented', actor: { login: 'x' } })),
      labeled('tom'),
    ])
    expect((await checkAllowLabel(api, PR, 'allow-destroy')).ok).toBe(false)
  })
})
