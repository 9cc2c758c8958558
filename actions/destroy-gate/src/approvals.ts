import { statusOf, type Octokit } from '@infra-actions/github/api'

/**
 * The two ways a person lets a plan destroy more than the policy allows, and what each covers.
 * Both count only from someone with write, maintain or admin permission (anyone with triage can
 * add labels), and only for the commit that was planned:
 *
 * - An **approving review** whose `commit_id` is the planned commit is the reviewer's own
 *   statement about exactly that commit; GitHub records the commit, no clock is involved.
 * - A **label** says nothing about a commit. It counts only when it was added after the planned
 *   commit was pushed to the PR's branch, a time taken from the repository activity API (GitHub's
 *   own timestamps of pushes and force pushes), never from git dates, which the pusher chooses.
 *   When no push of that commit is on record (a fork's branch lives in the fork), the label does
 *   not count: a review does.
 */
export interface ApprovalApi {
  /** Names of the labels the PR carries now. */
  currentLabels(pr: number): Promise<string[]>
  /** `labeled` events of the PR, oldest first. */
  labeledEvents(pr: number): Promise<{ label: string; actor: string; at: string }[]>
  /** The actor's role on the repository (`admin`, `maintain`, `write`, `triage`, `read`), or undefined. */
  role(login: string): Promise<string | undefined>
  /** The PR's head branch, whether it is in a fork, and its author. */
  pullRequest(pr: number): Promise<{ headRef: string; fromFork: boolean; author: string }>
  /** When `sha` was last pushed to `ref` in this repository (push or force push), or undefined. */
  pushedAt(ref: string, sha: string): Promise<string | undefined>
  /** The commit `ref` pointed to at `time` (its newest push at or before it), or undefined when none is on record. */
  headAt(ref: string, time: string): Promise<string | undefined>
  /** The PR's reviews, oldest first. */
  reviews(pr: number): Promise<{ reviewer: string; state: string; commitId: string; at: string }[]>
}

export type ApprovalCheck = { ok: true; by: string } | { ok: false; why: string }

const WRITERS = new Set(['admin', 'maintain', 'write'])
const short = (sha: string): string => sha.slice(0, 7)

export async function checkAllowLabel(api: ApprovalApi, pr: number, label: string, plannedSha: string): Promise<ApprovalCheck> {
  const same = (name: string): boolean => name.toLowerCase() === label.toLowerCase()
  if (!(await api.currentLabels(pr)).some(same)) {
    return { ok: false, why: `To allow it, a person with write access can add the label '${label}' to PR #${pr}.` }
  }
  const last = (await api.labeledEvents(pr)).filter((e) => same(e.label)).at(-1)
  if (!last) return { ok: false, why: `PR #${pr} has the label '${label}', but its events do not say who added it, so it is not honoured.` }
  const role = await api.role(last.actor)
  if (!role || !WRITERS.has(role)) {
    return {
      ok: false,
      why: `The label '${label}' was added by ${last.actor}, who has ${role ? `'${role}'` : 'no'} permission on the repository; only write, maintain or admin count. Still blocking.`,
    }
  }
  const { headRef, fromFork, author } = await api.pullRequest(pr)
  // As with reviews: the author's own label is no one else's approval.
  if (last.actor.toLowerCase() === author.toLowerCase())
    return {
      ok: false,
      why: `The label '${label}' was added by ${last.actor}, the author of PR #${pr}: an author cannot approve their own destroys. Another person with write access can add it again.`,
    }
  if (fromFork) {
    return {
      ok: false,
      why: `The label '${label}' cannot say which commit it approves: PR #${pr} comes from a fork, whose pushes this repository does not record. An approving review of ${short(plannedSha)} can (allow-review).`,
    }
  }
  const pushed = await api.pushedAt(`refs/heads/${headRef}`, plannedSha)
  if (!pushed) {
    return {
      ok: false,
      why: `The label '${label}' cannot be tied to the planned commit ${short(plannedSha)}: no push of it to ${headRef} is on record. An approving review of that commit can (allow-review).`,
    }
  }
  const labelledAt = Date.parse(last.at)
  const pushedAt = Date.parse(pushed)
  if (Number.isNaN(labelledAt) || Number.isNaN(pushedAt)) {
    return {
      ok: false,
      why: `The label '${label}' cannot be compared with the push of ${short(plannedSha)}: GitHub gave a time that is not one (label ${JSON.stringify(last.at)}, push ${JSON.stringify(pushed)}), so it does not count.`,
    }
  }
  if (labelledAt <= pushedAt) {
    return {
      ok: false,
      why: `The label '${label}' was added by ${last.actor} at ${last.at}, before ${short(plannedSha)} was pushed (${pushed}), so it did not approve this commit. Remove and add it again, or approve the PR.`,
    }
  }
  // The approver saw the plan of the head when they added it: a commit pushed over since is another plan.
  const head = await api.headAt(`refs/heads/${headRef}`, last.at)
  if (head !== plannedSha) {
    return {
      ok: false,
      why: `The label '${label}' was added by ${last.actor} at ${last.at}, when ${headRef} was at ${head ? short(head) : 'a commit not on record'}, not at the planned ${short(plannedSha)}, so it did not approve this commit.`,
    }
  }
  return { ok: true, by: `${last.actor} (${role} permission, label '${label}' added after ${short(plannedSha)} was pushed)` }
}

/** An approving review of the planned commit, that its reviewer has not taken back since, by a writer. */
export async function checkApprovingReview(api: ApprovalApi, pr: number, plannedSha: string): Promise<ApprovalCheck> {
  const { author } = await api.pullRequest(pr)
  const latest = new Map<string, { state: string; commitId: string }>()
  // Each reviewer's latest review decides: a later "changes requested" or a dismissal takes the
  // approval back. Plain comments do not.
  for (const r of await api.reviews(pr)) if (r.state !== 'COMMENTED' && r.state !== 'PENDING') latest.set(r.reviewer, r)
  const approvers = [...latest].filter(([reviewer, r]) => r.state === 'APPROVED' && r.commitId === plannedSha && reviewer !== author)
  for (const [reviewer] of approvers) {
    const role = await api.role(reviewer)
    if (role && WRITERS.has(role)) return { ok: true, by: `${reviewer} (${role} permission, approving review of ${short(plannedSha)})` }
  }
  const elsewhere = [...latest].some(([, r]) => r.state === 'APPROVED' && r.commitId !== plannedSha)
  return {
    ok: false,
    why: elsewhere
      ? `PR #${pr} has approvals, but of other commits than the planned ${short(plannedSha)}; a person with write access can approve this one.`
      : `No approving review of ${short(plannedSha)} by a person with write access on PR #${pr}.`,
  }
}

export function octokitApprovalApi(octokit: Octokit, owner: string, repo: string): ApprovalApi {
  const pulls = new Map<number, Promise<{ headRef: string; fromFork: boolean; author: string }>>()
  return {
    async currentLabels(pr) {
      const labels = await octokit.paginate(octokit.rest.issues.listLabelsOnIssue, { owner, repo, issue_number: pr, per_page: 100 })
      return labels.map((l) => l.name)
    },
    async labeledEvents(pr) {
      const events = await octokit.paginate(octokit.rest.issues.listEvents, { owner, repo, issue_number: pr, per_page: 100 })
      const out: { label: string; actor: string; at: string }[] = []
      for (const e of events) {
        const ev = e as { event?: string; label?: { name?: string }; actor?: { login?: string } | null; created_at?: string }
        if (ev.event === 'labeled' && ev.label?.name && ev.actor?.login && ev.created_at) {
          out.push({ label: ev.label.name, actor: ev.actor.login, at: ev.created_at })
        }
      }
      return out
    },
    async role(login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login })
        return (data as { role_name?: string }).role_name ?? data.permission
      } catch (error) {
        if (statusOf(error) === 404) return undefined
        throw error
      }
    },
    pullRequest(pr) {
      let found = pulls.get(pr)
      if (!found) {
        found = octokit.rest.pulls.get({ owner, repo, pull_number: pr }).then(({ data }) => ({
          headRef: data.head.ref,
          fromFork: data.head.repo?.full_name !== `${owner}/${repo}`,
          author: data.user?.login ?? '',
        }))
        pulls.set(pr, found)
      }
      return found
    },
    async pushedAt(ref, sha) {
      // Newest first; a commit planned for a PR was pushed recently, so a few pages are enough.
      let pages = 0
      for await (const { data } of octokit.paginate.iterator(octokit.rest.repos.listActivities, { owner, repo, ref, per_page: 100 })) {
        const push = data.find((a) => a.after === sha && ['push', 'force_push', 'branch_creation'].includes(a.activity_type))
        if (push) return push.timestamp
        if (++pages >= 5) return undefined
      }
      return undefined
    },
    async headAt(ref, time) {
      const at = Date.parse(time)
      let pages = 0
      for await (const { data } of octokit.paginate.iterator(octokit.rest.repos.listActivities, { owner, repo, ref, per_page: 100 })) {
        // Newest first: the first push at or before `time` set the head then.
        const push = data.find((a) => ['push', 'force_push', 'branch_creation'].includes(a.activity_type) && Date.parse(a.timestamp) <= at)
        if (push) return push.after
        if (++pages >= 5) return undefined
      }
      return undefined
    },
    async reviews(pr) {
      const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pr, per_page: 100 })
      return reviews.map((r) => ({ reviewer: r.user?.login ?? '', state: r.state, commitId: r.commit_id ?? '', at: r.submitted_at ?? '' }))
    },
  }
}
