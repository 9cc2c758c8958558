import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createGitHubClient } from '@infra-actions/github'
import { FakeGitHub } from '../../../test/support/fake-github.mjs'
import { checkAllowLabel, checkApprovingReview, octokitApprovalApi, type ApprovalApi } from '../src/approvals.js'

let gh: FakeGitHub
let api: ApprovalApi
const PR = 5
const PLANNED = 'a'.repeat(40)
const LATER = 'b'.repeat(40)
const at = (minute: number) => new Date(Date.UTC(2026, 10, 29, 12, minute)).toISOString()

beforeEach(async () => {
  gh = await new FakeGitHub().start()
  process.env.GITHUB_API_URL = gh.url
  process.env.INFRA_ACTIONS_RETRY_BASE_MS = '5'
  api = octokitApprovalApi(await createGitHubClient('ghs_x'), 'acme', 'infra')
  gh.permissions.set('acme/infra:maria', 'maintain')
  gh.permissions.set('acme/infra:walt', 'write')
  gh.permissions.set('acme/infra:tom', 'triage')
  gh.permissions.set('acme/infra:rita', 'read')
  gh.pulls.set(`acme/infra#${PR}`, { head: { ref: 'feature', sha: PLANNED, repo: { full_name: 'acme/infra' } }, user: { login: 'paula' } })
  // The planned commit was pushed at 12:10.
  gh.push('acme', 'infra', 'feature', PLANNED, { at: at(10) })
})
afterEach(async () => gh.stop())

const labeled = (actor: string, minute = 20, name = 'allow-destroy') => ({
  event: 'labeled',
  actor: { login: actor },
  label: { name, color: 'ff0000' },
  created_at: at(minute),
})
const withLabel = (...events: object[]) => {
  gh.issueLabels.set(`acme/infra#${PR}`, ['allow-destroy'])
  gh.issueEvents.set(`acme/infra#${PR}`, events)
}

describe('allow-label, with times that cannot be read', () => {
  it('does not count when a time cannot be compared (a proxy or an API that writes them otherwise)', async () => {
    const stub = (labelAt: string, pushed: string): ApprovalApi => ({
      currentLabels: async () => ['allow-destroy'],
      labeledEvents: async () => [{ label: 'allow-destroy', actor: 'maria', at: labelAt }],
      role: async () => 'maintain',
      pullRequest: async () => ({ headRef: 'feature', fromFork: false, author: 'paula' }),
      pushedAt: async () => pushed,
      headAt: async () => PLANNED,
      reviews: async () => [],
    })
    for (const [labelAt, pushed] of [
      [at(20), 'yesterday'],
      ['soon', at(10)],
    ]) {
      expect(await checkAllowLabel(stub(labelAt as string, pushed as string), PR, 'allow-destroy', PLANNED)).toEqual({
        ok: false,
        why: expect.stringMatching(
          /^The label 'allow-destroy' cannot be compared with the push of aaaaaaa: GitHub gave a time that is not one/,
        ),
      })
    }
  })
})

describe('allow-label', () => {
  it("is not the author's own approval", async () => {
    gh.permissions.set('acme/infra:paula', 'write')
    withLabel(labeled('paula'))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toEqual({
      ok: false,
      why: expect.stringMatching(
        /^The label 'allow-destroy' was added by paula, the author of PR #5: an author cannot approve their own destroys/,
      ),
    })
  })

  it('does not cover a commit that was no longer the head when it was added (the approver saw a later plan)', async () => {
    // PLANNED pushed at 12:10, LATER at 12:15, the label at 12:20 after LATER's plan: PLANNED's gate re-run must not pass.
    gh.push('acme', 'infra', 'feature', LATER, { at: at(15) })
    withLabel(labeled('maria', 20))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toEqual({
      ok: false,
      why: expect.stringMatching(/when feature was at bbbbbbb, not at the planned aaaaaaa, so it did not approve this commit/),
    })
    expect((await checkAllowLabel(api, PR, 'allow-destroy', LATER)).ok).toBe(true)
  })

  it('is honoured when a maintainer added it after the planned commit was pushed', async () => {
    withLabel(labeled('maria'))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toEqual({
      ok: true,
      by: "maria (maintain permission, label 'allow-destroy' added after aaaaaaa was pushed)",
    })
  })

  it('does not cover a commit pushed after it was added (a force-push or a plain push)', async () => {
    withLabel(labeled('maria', 20))
    // The PR author pushes again at 12:30; the plan is of that commit.
    gh.push('acme', 'infra', 'feature', LATER, { at: at(30), force: true })
    const r = await checkAllowLabel(api, PR, 'allow-destroy', LATER)
    expect(r).toEqual({
      ok: false,
      why: expect.stringMatching(
        /^The label 'allow-destroy' was added by maria at .*, before bbbbbbb was pushed \(.*\), so it did not approve this commit\./,
      ),
    })
    // The commit it was given for is still covered (a re-run of that commit's plan).
    expect((await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).ok).toBe(true)
    // Pushing the approved commit again after the label (a force-push back to it) is a new push.
    gh.push('acme', 'infra', 'feature', PLANNED, { at: at(40), force: true })
    expect((await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).ok).toBe(false)
  })

  it('trusts GitHub’s push times only: a commit with no push on record is not covered', async () => {
    withLabel(labeled('maria'))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', 'c'.repeat(40))).toEqual({
      ok: false,
      why: expect.stringMatching(
        /cannot be tied to the planned commit ccccccc: no push of it to feature is on record\. An approving review/,
      ),
    })
  })

  it('never covers a PR from a fork, whose pushes this repository does not record', async () => {
    gh.pulls.set(`acme/infra#${PR}`, {
      head: { ref: 'feature', sha: PLANNED, repo: { full_name: 'mallory/infra' } },
      user: { login: 'mallory' },
    })
    withLabel(labeled('maria'))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/comes from a fork/),
    })
  })

  it('finds the push beyond the first page of activity', async () => {
    for (let i = 0; i < 150; i++) gh.push('acme', 'infra', 'other-branch', `${i}`.padStart(40, 'f'), { at: at(11) })
    withLabel(labeled('maria'))
    expect((await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).ok).toBe(true)
    expect(gh.requests.filter((q) => q.path.endsWith('/activity')).every((q) => q.query.ref === 'refs/heads/feature')).toBe(true)
  })

  it('is refused when the last person who added it only has triage or read', async () => {
    gh.issueLabels.set(`acme/infra#${PR}`, ['Allow-Destroy'])
    gh.issueEvents.set(`acme/infra#${PR}`, [
      labeled('maria'),
      { event: 'unlabeled', actor: { login: 'maria' }, label: { name: 'allow-destroy' }, created_at: at(21) },
      labeled('tom', 22, 'Allow-Destroy'),
    ])
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toEqual({
      ok: false,
      why: "The label 'allow-destroy' was added by tom, who has 'triage' permission on the repository; only write, maintain or admin count. Still blocking.",
    })
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('rita')])
    expect((await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).ok).toBe(false)
  })

  it('is refused for someone who is not a collaborator', async () => {
    withLabel(labeled('stranger'))
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/stranger, who has no permission/),
    })
  })

  it('does nothing when the label is not on the PR, even if it once was', async () => {
    gh.issueEvents.set(`acme/infra#${PR}`, [labeled('maria')])
    expect(await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/can add the label/),
    })
  })

  it('reads events past the first page', async () => {
    withLabel(
      labeled('maria'),
      ...Array.from({ length: 150 }, () => ({ event: 'commented', actor: { login: 'x' }, created_at: at(21) })),
      labeled('tom', 22),
    )
    expect((await checkAllowLabel(api, PR, 'allow-destroy', PLANNED)).ok).toBe(false)
  })
})

describe('approving review', () => {
  const review = (reviewer: string, state: string, commit = PLANNED, minute = 20) => ({
    id: minute,
    user: { login: reviewer },
    state,
    commit_id: commit,
    submitted_at: at(minute),
  })

  it('counts when a writer approved the planned commit', async () => {
    gh.reviews.set(`acme/infra#${PR}`, [review('walt', 'APPROVED')])
    expect(await checkApprovingReview(api, PR, PLANNED)).toEqual({ ok: true, by: 'walt (write permission, approving review of aaaaaaa)' })
  })

  it('does not cover another commit than the one it was given for', async () => {
    gh.reviews.set(`acme/infra#${PR}`, [review('walt', 'APPROVED', LATER)])
    expect(await checkApprovingReview(api, PR, PLANNED)).toEqual({
      ok: false,
      why: 'PR #5 has approvals, but of other commits than the planned aaaaaaa; a person with write access can approve this one.',
    })
  })

  it('is taken back by the reviewer’s later request for changes or a dismissal, not by a comment', async () => {
    gh.reviews.set(`acme/infra#${PR}`, [review('walt', 'APPROVED', PLANNED, 20), review('walt', 'COMMENTED', PLANNED, 21)])
    expect((await checkApprovingReview(api, PR, PLANNED)).ok).toBe(true)
    gh.reviews.set(`acme/infra#${PR}`, [review('walt', 'APPROVED', PLANNED, 20), review('walt', 'CHANGES_REQUESTED', PLANNED, 22)])
    expect((await checkApprovingReview(api, PR, PLANNED)).ok).toBe(false)
    gh.reviews.set(`acme/infra#${PR}`, [review('walt', 'DISMISSED', PLANNED, 20)])
    expect((await checkApprovingReview(api, PR, PLANNED)).ok).toBe(false)
  })

  it('does not count from a triager, a reader, or the PR author', async () => {
    gh.permissions.set('acme/infra:paula', 'admin')
    gh.reviews.set(`acme/infra#${PR}`, [review('tom', 'APPROVED'), review('rita', 'APPROVED'), review('paula', 'APPROVED')])
    expect(await checkApprovingReview(api, PR, PLANNED)).toEqual({
      ok: false,
      why: 'No approving review of aaaaaaa by a person with write access on PR #5.',
    })
  })
})
