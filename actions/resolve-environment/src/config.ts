import { ConfigurationError, own } from '@infra-actions/common'
import { filterPatternProblem } from './filter-pattern.js'
import type { Config, Rule } from './config-schema.js'

export type { Config, EnvironmentConfig, Rule } from './config-schema.js'

/**
 * The rules file (`.github/environments.yml`): its vocabulary and the checks that need the
 * whole file (unknown environments, rules that can never match, apply/destroy on events that
 * are never trusted). The per-key validation lives in config-schema.ts, loaded only when a
 * file has to be read, so a run on the built-in rules never loads the YAML parser or zod.
 */
export const EVENTS = [
  'push',
  'pull_request',
  'pull_request_target',
  'merge_group',
  'release',
  'workflow_run',
  'schedule',
  'workflow_dispatch',
  'repository_dispatch',
] as const
export type EventName = (typeof EVENTS)[number]
export const OPERATIONS = ['plan', 'apply', 'destroy', 'none'] as const
export type Operation = (typeof OPERATIONS)[number]
export const VALIDATION_LEVELS = ['basic', 'standard', 'enhanced', 'strict'] as const

export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '' || glob !== glob.trim()) return 'is empty or has surrounding spaces'
  if (/^refs\//.test(glob)) return 'starts with refs/: write branch or tag names (main, v*), not refs'
  // Written for a glob library, they would silently match nothing here: said instead.
  if (/\{[^}]*,[^}]*\}/.test(glob)) return "uses {a,b} braces, which GitHub's filters do not have: write one pattern per entry"
  const problem = filterPatternProblem(glob)
  return problem && `is not a pattern GitHub's filters take: it ${problem}`
}

/** Events whose runs are always untrusted: applying or destroying on them is never allowed. */
export const ALWAYS_UNTRUSTED: readonly EventName[] = ['pull_request_target']
const PR_EVENTS: readonly EventName[] = ['pull_request', 'pull_request_target']
/** Activities only an open pull request has: a rule for closed PRs listing only these never matches. */
const OPEN_ONLY_TYPES = ['opened', 'reopened', 'synchronize', 'ready_for_review']

/** The line of `- ... name: X` in the file, for lint messages about whole rules. */
function ruleLine(text: string, index: number): number | undefined {
  const lines = text.split('\n')
  let seen = -1
  let inRules = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (/^rules\s*:/.test(line)) inRules = true
    else if (/^\S/.test(line)) inRules = false
    else if (inRules && /^\s*-\s/.test(line) && ++seen === index) return i + 1
  }
  return undefined
}

export function lint(config: Config, file: string, text: string): void {
  const problems: string[] = []
  const names = new Set<string>()
  const at = (i: number): string => `${file}${ruleLine(text, i) ? `:${ruleLine(text, i)}` : ''}: rule '${config.rules[i]!.name}'`
  config.rules.forEach((rule, i) => {
    if (names.has(rule.name)) problems.push(`${at(i)}: another rule has the same name; names must be unique`)
    names.add(rule.name)
    if (!rule.environment.includes('{') && !own(config.environments, rule.environment)) {
      problems.push(
        `${at(i)}: environment '${rule.environment}' is not defined under environments (${Object.keys(config.environments).join(', ')})`,
      )
    }
    const isPr = rule.on.every((e) => PR_EVENTS.includes(e))
    if (rule.branches && rule.on.some((e) => PR_EVENTS.includes(e)))
      problems.push(
        `${at(i)}: 'branches' is ambiguous on pull_request rules; use 'base' (the target branch, like on.pull_request.branches) or 'head'`,
      )
    if ((rule.merged !== undefined || rule.closed !== undefined) && !isPr)
      problems.push(`${at(i)}: 'merged' and 'closed' apply to pull_request events only`)
    if ((rule.closed || rule.merged) && rule.types?.every((t) => OPEN_ONLY_TYPES.includes(t)))
      problems.push(
        `${at(i)}: '${rule.merged ? 'merged' : 'closed'}: true' matches closed pull requests only, and types [${rule.types.join(', ')}] come from open ones: it can never match; add 'closed' to types, or leave types out`,
      )
    if (rule.merged === false) problems.push(`${at(i)}: 'merged: false' is not supported; use 'closed: true' for any closed PR`)
    // `types: [closed]` is how GitHub's own filters say "on merge", but it matches abandoned PRs too.
    if (
      rule.operation === 'apply' &&
      rule.on.some((e) => PR_EVENTS.includes(e)) &&
      !rule.merged &&
      (rule.closed || rule.types?.includes('closed'))
    )
      problems.push(
        `${at(i)}: operation 'apply' on closed pull requests would apply one closed without merging; add 'merged: true' to apply on merge, or use 'destroy' to tear a preview down`,
      )
    if ((rule.base || rule.head) && !rule.on.every((e) => [...PR_EVENTS, 'merge_group'].includes(e)))
      problems.push(`${at(i)}: 'base' and 'head' apply to pull_request and merge_group events only`)
    if (rule.cron && !rule.on.includes('schedule')) problems.push(`${at(i)}: 'cron' applies to schedule events only`)
    if (rule.workflows && !rule.on.includes('workflow_run')) problems.push(`${at(i)}: 'workflows' applies to workflow_run events only`)
    const untrusted = rule.on.filter((e) => ALWAYS_UNTRUSTED.includes(e))
    if ((rule.operation === 'apply' || rule.operation === 'destroy') && untrusted.length > 0) {
      problems.push(
        `${at(i)}: operation '${rule.operation}' on ${untrusted.join(', ')}, which runs untrusted code with write access; use 'plan', or trigger on pull_request closed/merged or push`,
      )
    }
    for (let j = 0; j < i; j++) {
      if (shadows(config.rules[j]!, rule)) {
        problems.push(
          `${at(i)}: can never match, because rule '${config.rules[j]!.name}' before it matches everything it would; move it up or narrow the earlier rule`,
        )
        break
      }
    }
  })
  if (problems.length) throw new ConfigurationError(problems.join('\n'))
}

/** The activity types a rule matches on an event (undefined: the event has none). */
export function ruleTypes(rule: Rule, event?: string): string[] | undefined {
  if (rule.types) return rule.types
  const e = event ?? rule.on[0]
  if (e === 'pull_request' || e === 'pull_request_target') {
    if (rule.merged || rule.closed) return ['closed']
    return ['opened', 'synchronize', 'reopened', 'ready_for_review']
  }
  if (e === 'release') return ['published']
  if (e === 'workflow_run') return ['completed']
  return undefined
}

/** True when `a` matches every event `b` matches (conservative: it may say false when true). */
export function shadows(a: Rule, b: Rule): boolean {
  if (!b.on.every((e) => a.on.includes(e))) return false
  // With a negation in x (`!release/x`), only the same list is known to match the same names.
  // `**` matches every name; `*` only names without `/`, so only a list y whose patterns cannot
  // match a `/` either (no `/`, no `**`; and no list at all matches any name).
  const slashFree = (y: string[] | undefined): boolean => y !== undefined && y.every((g) => !g.includes('/') && !g.includes('**'))
  const covers = (x: string[] | undefined, y: string[] | undefined): boolean =>
    x === undefined ||
    (x.some((g) => g.startsWith('!'))
      ? y !== undefined && x.join('\n') === y.join('\n')
      : x.includes('**') ||
        (x.includes('*') && slashFree(y) && !(y ?? []).some((g) => g.startsWith('!'))) ||
        (y !== undefined && !y.some((g) => g.startsWith('!')) && y.every((g) => x.includes(g))))
  // A push rule with tags only matches tag pushes, with branches only branch pushes.
  const pushKind = (r: Rule): string => (r.tags && !r.branches ? 'tags' : r.branches && !r.tags ? 'branches' : 'any')
  if (b.on.includes('push') && pushKind(a) !== 'any' && pushKind(a) !== pushKind(b)) return false
  if (
    !covers(a.branches, b.branches) ||
    !covers(a.tags, b.tags) ||
    !covers(a.base, b.base) ||
    !covers(a.head, b.head) ||
    !covers(a.workflows, b.workflows)
  )
    return false
  if (a.cron !== undefined && a.cron !== b.cron) return false
  for (const e of b.on) {
    const ta = ruleTypes(a, e)
    const tb = ruleTypes(b, e)
    if (ta && tb && !tb.every((t) => ta.includes(t))) return false
  }
  if (a.merged && !b.merged) return false
  if (a.closed && !b.closed && !b.merged) return false
  return true
}
