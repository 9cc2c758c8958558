import { statusOf, type Octokit } from '@infra-actions/github/api'

/**
 * An allow-label counts only when the last person who added it may change the repository:
 * anyone with triage permission can add labels, and a gate that trusted them would let a
 * triager approve a destroy.
 */
export interface LabelApi {
  /** Names of the labels the PR carries now. */
  currentLabels(pr: number): Promise<string[]>
  /** `labeled` events of the PR, oldest first. */
  labeledEvents(pr: number): Promise<{ label: string; actor: string }[]>
  /** The actor's role on the repository (`admin`, `maintain`, `write`, `triage`, `read`), or undefined. */
  role(login: string): Promise<string | undefined>
}

export type LabelCheck = { ok: true; by: string } | { ok: false; why: string }

const WRITERS = new Set(['admin', 'maintain', 'write'])

export async function checkAllowLabel(api: LabelApi, pr: number, label: string): Promise<LabelCheck> {
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
  return { ok: true, by: `${last.actor} (${role} permission, label '${label}')` }
}

export function octokitLabelApi(octokit: Octokit, owner: string, repo: string): LabelApi {
  return {
    async currentLabels(pr) {
      const labels = await octokit.paginate(octokit.rest.issues.listLabelsOnIssue, { owner, repo, issue_number: pr, per_page: 100 })
      return labels.map((l) => l.name)
    },
    async labeledEvents(pr) {
      const events = await octokit.paginate(octokit.rest.issues.listEvents, { owner, repo, issue_number: pr, per_page: 100 })
      const out: { label: string; actor: string }[] = []
      for (const e of events) {
        const ev = e as { event?: string; label?: { name?: string }; actor?: { login?: string } | null }
        if (ev.event === 'labeled' && ev.label?.name && ev.actor?.login) out.push({ label: ev.label.name, actor: ev.actor.login })
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
  }
}
