import {
  ConfigurationError,
  nonEmptyString as str,
  pullRequestFork,
  pullRequestNumber,
  record,
  type ActionContext,
} from '@infra-actions/common'

/**
 * What the rules look at, read from the right place for each event (the payload first, the
 * runner's variables second): on pull_request GITHUB_REF is the synthetic merge ref and
 * GITHUB_SHA a merge commit, so the PR's own base, head and head sha come from the payload.
 */
export interface EventFacts {
  event: string
  /** The activity type (`opened`, `closed`, `published`, `completed`). */
  action: string | undefined
  /** Branch name for branch refs (push, dispatch, schedule), without refs/heads/. */
  branch: string | undefined
  tag: string | undefined
  base: string | undefined
  head: string | undefined
  merged: boolean
  /** A pull request that is closed (merged or not), whatever the activity (`labeled` comes after a close too). */
  closed: boolean
  /** A push that deletes a branch or tag. */
  deleted: boolean
  prNumber: number | undefined
  sha: string
  trusted: boolean
  untrustedWhy: string | undefined
  cron: string | undefined
  workflow: string | undefined
  /** workflow_run: how the triggering run ended. */
  conclusion: string | undefined
  inputs: Record<string, string>
}

const stripRef = (ref: string | undefined, kind: 'heads' | 'tags'): string | undefined =>
  ref?.startsWith(`refs/${kind}/`) ? ref.slice(`refs/${kind}/`.length) : undefined

export function eventFacts(context: ActionContext): EventFacts {
  const p = context.payload
  const pr = record(p.pull_request)
  const repoName = str(record(p.repository)?.full_name) ?? `${context.owner}/${context.repo}`
  const facts: EventFacts = {
    event: context.eventName,
    action: str(p.action),
    branch: undefined,
    tag: undefined,
    base: undefined,
    head: undefined,
    merged: false,
    closed: false,
    deleted: false,
    prNumber: pullRequestNumber(context),
    sha: context.headSha || context.sha,
    trusted: true,
    untrustedWhy: undefined,
    cron: str(p.schedule),
    workflow: undefined,
    conclusion: undefined,
    inputs: {},
  }
  switch (context.eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      facts.base = str(record(pr?.base)?.ref) ?? (context.baseRef || undefined)
      facts.head = str(record(pr?.head)?.ref) ?? (context.headRef || undefined)
      facts.branch = facts.head
      facts.merged = pr?.merged === true
      facts.closed = pr?.state === 'closed' || facts.merged || facts.action === 'closed'
      break
    }
    case 'push': {
      const ref = str(p.ref) ?? context.ref
      facts.branch = stripRef(ref, 'heads')
      facts.tag = stripRef(ref, 'tags')
      facts.deleted = p.deleted === true
      break
    }
    case 'merge_group': {
      const group = record(p.merge_group)
      facts.base = stripRef(str(group?.base_ref), 'heads')
      facts.head = stripRef(str(group?.head_ref), 'heads')
      facts.branch = facts.head
      break
    }
    case 'release': {
      const release = record(p.release)
      facts.tag = str(release?.tag_name)
      break
    }
    case 'workflow_run': {
      const run = record(p.workflow_run)
      facts.branch = str(run?.head_branch)
      facts.workflow = str(run?.name)
      facts.conclusion = str(run?.conclusion)
      break
    }
    default: {
      facts.branch = stripRef(context.ref, 'heads')
      facts.tag = stripRef(context.ref, 'tags')
      const inputs = record(p.inputs)
      // fromEntries defines own properties: an input named __proto__ stays an input.
      if (inputs)
        facts.inputs = Object.fromEntries(
          Object.entries(inputs).flatMap(([k, v]) => (v === null || v === undefined ? [] : [[k, inputValue(k, v)]])),
        )
    }
  }
  facts.untrustedWhy = untrustedWhy(context, p, repoName)
  facts.trusted = facts.untrustedWhy === undefined
  return facts
}

/** A dispatch input as text. GitHub sends strings, numbers and booleans; anything else is refused, not guessed at. */
function inputValue(name: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  const what = Array.isArray(value) ? 'list' : 'object'
  throw new ConfigurationError(
    `The dispatch input '${name}' is a JSON ${what}, and workflow_dispatch inputs are strings, numbers or booleans: check what sent this event (an API call with a JSON ${what} as the input?).`,
  )
}

/** Events that run this repository's own code, pushed or started by someone with write access. */
const OWN_CODE_EVENTS = ['push', 'merge_group', 'release', 'schedule', 'workflow_dispatch', 'repository_dispatch']
/** Events whose payload carries the pull request, head repository included. */
const PR_PAYLOAD_EVENTS = ['pull_request', 'pull_request_review', 'pull_request_review_comment', 'pull_request_review_thread']

/**
 * Why this run is untrusted, or undefined when it is trusted. Trust is established, not assumed:
 * an event whose origin is not checked here (issue_comment, an unknown or empty name) is untrusted.
 */
function untrustedWhy(context: ActionContext, p: Record<string, unknown>, repoName: string): string | undefined {
  const event = context.eventName
  if (event === 'pull_request_target') return 'pull_request_target runs with write access on behalf of the PR author'
  if (PR_PAYLOAD_EVENTS.includes(event)) {
    if (!record(p.pull_request)) return 'the payload has no pull_request, so where its code comes from is unknown'
    const fork = pullRequestFork(context)
    if (fork) return fork.headRepo ? `the pull request comes from the fork ${fork.headRepo}` : 'the pull request comes from a deleted fork'
    return undefined
  }
  if (event === 'workflow_run') {
    // Unknown provenance is untrusted: GitHub sends head_repository: null for a deleted fork.
    const headRepo = str(record(record(p.workflow_run)?.head_repository)?.full_name)
    if (headRepo === undefined) return 'the triggering run does not say which repository its code comes from (a deleted fork?)'
    if (headRepo !== repoName) return `the triggering run comes from the fork ${headRepo}`
    // A pull request's run is trusted as the pull request itself is (head_repository names a
    // fork). Not a run that acted for a PR's author with write access (pull_request_target), nor
    // one whose own origin the payload does not carry (issue_comment, a chained workflow_run: a
    // fork's code may have reached it through artifacts).
    const trigger = str(record(p.workflow_run)?.event)
    if (trigger === undefined || !(OWN_CODE_EVENTS.includes(trigger) || PR_PAYLOAD_EVENTS.includes(trigger)))
      return `the triggering run was started by ${trigger ?? 'an event the payload does not name'}, whose origin this action cannot check`
    return undefined
  }
  if (OWN_CODE_EVENTS.includes(event)) return undefined
  if (event === 'issue_comment' && record(p.issue)?.pull_request)
    return 'a comment on a pull request does not say whether the pull request comes from a fork'
  return `${event ? `the event ${event}` : 'an event without a name'} is not one whose origin this action can check`
}

/** "pull_request closed and merged into main", "push to branch dev/x", "schedule (0 3 * * *)". */
export function describeEvent(f: EventFacts): string {
  switch (f.event) {
    case 'pull_request':
    case 'pull_request_target':
      if (f.action === 'closed') return `${f.event} closed${f.merged ? ' and merged' : ' without merging'} into ${f.base ?? '?'}`
      return `${f.event} ${f.action ?? ''} from ${f.head ?? '?'} into ${f.base ?? '?'}`.replace('  ', ' ')
    case 'push':
      return `push ${f.deleted ? 'deleting' : 'to'} ${f.tag !== undefined ? `tag ${f.tag}` : `branch ${f.branch ?? '?'}`}`
    case 'merge_group':
      return `merge_group into ${f.base ?? '?'}`
    case 'release':
      return `release ${f.action ?? ''} of tag ${f.tag ?? '?'}`.replace('  ', ' ')
    case 'schedule':
      return `schedule${f.cron ? ` (${f.cron})` : ''}`
    case 'workflow_run':
      return `workflow_run of ${f.workflow ?? '?'} on ${f.branch ?? '?'}`
    default:
      return `${f.event || 'unknown event'}${f.branch ? ` on ${f.branch}` : f.tag ? ` on tag ${f.tag}` : ''}`
  }
}
