import { ruleTypes, type Rule } from './config.js'
import type { EventFacts } from './event-facts.js'
import { matchesFilter } from './filter-pattern.js'

/** Whether a rule matches the event, and if not, the first reason why not (for the summary). */
export type Match = { matched: true } | { matched: false; why: string }

const MERGE_QUEUE = 'gh-readonly-queue/'

const list = (g: string[]): string => g.join(', ')

export function matchRule(rule: Rule, f: EventFacts): Match {
  if (!(rule.on as string[]).includes(f.event))
    return { matched: false, why: `the event is ${f.event || 'unknown'}, not ${rule.on.join(' or ')}` }
  if (f.event === 'push') {
    if (f.deleted) return { matched: false, why: 'the push deletes a ref, which never deploys' }
    if (rule.tags && !rule.branches && f.tag === undefined)
      return { matched: false, why: 'it matches tag pushes, and this push is to a branch' }
    if (rule.branches && !rule.tags && f.branch === undefined)
      return { matched: false, why: 'it matches branch pushes, and this push is of a tag' }
    if (f.branch?.startsWith(MERGE_QUEUE) && !(rule.branches ?? []).some((g) => g.startsWith(MERGE_QUEUE))) {
      return { matched: false, why: `${f.branch} is a merge-queue branch, not a base branch` }
    }
  }
  if (rule.branches && f.branch !== undefined && !matchesFilter(rule.branches, f.branch))
    return { matched: false, why: `branch ${f.branch} does not match ${list(rule.branches)}` }
  // A rule that names branches (and no tags) never matches a run on a tag: a dispatch from a tag too.
  if (rule.branches && f.branch === undefined && !(rule.tags && f.tag !== undefined))
    return { matched: false, why: f.tag !== undefined ? `the event is on tag ${f.tag}, not on a branch` : 'the event has no branch' }
  if (rule.tags && f.tag !== undefined && !matchesFilter(rule.tags, f.tag))
    return { matched: false, why: `tag ${f.tag} does not match ${list(rule.tags)}` }
  if (rule.tags && f.tag === undefined && f.event !== 'push') return { matched: false, why: 'the event has no tag' }
  if (rule.base && !matchesFilter(rule.base, f.base))
    return { matched: false, why: `base ${f.base ?? '(none)'} does not match ${list(rule.base)}` }
  if (rule.head && !matchesFilter(rule.head, f.head))
    return { matched: false, why: `head ${f.head ?? '(none)'} does not match ${list(rule.head)}` }
  const types = ruleTypes(rule, f.event)
  if (types && f.action !== undefined && !types.includes(f.action))
    return { matched: false, why: `the activity is ${f.action}, not ${types.join('/')}` }
  // A pull request closed without merging is never applied, whatever activity brings it (`labeled`).
  if (rule.operation === 'apply' && f.closed && !f.merged)
    return { matched: false, why: 'the pull request was closed without merging, and is never applied' }
  // `types` may list activities an open PR has too (`labeled`): `closed` asks the PR itself.
  if (rule.closed && !f.closed) return { matched: false, why: 'the pull request is open, not closed' }
  if (rule.merged && !f.merged)
    return { matched: false, why: f.action === 'closed' ? 'the pull request was closed without merging' : 'the pull request is not merged' }
  if (f.event === 'workflow_run' && f.conclusion !== 'success')
    return { matched: false, why: `the triggering run concluded ${f.conclusion ?? '(not yet)'}, not success` }
  if (rule.cron && rule.cron !== f.cron) return { matched: false, why: `the schedule is ${f.cron ?? '(unknown)'}, not ${rule.cron}` }
  if (rule.workflows && !rule.workflows.includes(f.workflow ?? ''))
    return { matched: false, why: `the triggering workflow is ${f.workflow ?? '(unknown)'}, not ${rule.workflows.join(', ')}` }
  return { matched: true }
}
