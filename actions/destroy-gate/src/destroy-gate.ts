import { ConfigurationError, errorMessage, isActionError, pullRequestNumber, visible, type ActionContext } from '@infra-actions/common'
import { explainApiError } from '@infra-actions/github/api'
import { loadPlan, type PlanModel, type ShowCommand } from '@infra-actions/terraform'
import { checkAllowLabel, checkApprovingReview, type ApprovalApi } from './approvals.js'
import { decide, type Decision, type Overrides } from './decide.js'
import { addressAnnotations, renderReport } from './report.js'
import type { DestroyGateSettings } from './settings.js'

export interface DestroyGateDeps {
  context: ActionContext
  approvals: ApprovalApi | undefined
  apiSkipReason: string | undefined
  writeSummary: (markdown: string) => Promise<unknown>
  log: { info: (m: string) => void; warning: (m: string) => void; error: (m: string) => void }
  show?: ShowCommand
}

export const OUTPUTS = ['destroy-count', 'replace-count', 'allowed', 'addresses', 'protected-hits', 'reason'] as const
export type Outputs = Record<(typeof OUTPUTS)[number], string>

export interface DestroyGateResult {
  outputs: Outputs
  /** The step fails with this message. */
  failure: string | undefined
}

export async function runDestroyGate(settings: DestroyGateSettings, deps: DestroyGateDeps): Promise<DestroyGateResult> {
  let model: PlanModel
  try {
    // The gate needs addresses and actions only: attribute values are validated, never built.
    model = await loadPlan(settings.source, deps.show, { attributeValues: false })
  } catch (error) {
    // A plan we cannot read is never "0 destroys": the gate is closed, and says why.
    if (!(error instanceof ConfigurationError)) throw error
    const reason = `Cannot verify the plan: ${errorMessage(error)}`
    return { outputs: outputs(undefined, reason), failure: reason }
  }
  const { rules } = settings
  deps.log.info(
    `Destroy gate rules from ${settings.origin}: max-destroy ${rules.maxDestroy}, count-replace ${rules.countReplace}, protected ${JSON.stringify(rules.protected)}, ignore ${JSON.stringify(rules.ignore)}.`,
  )

  const overrides: Overrides = {}
  if (rules.allowDestroy) overrides.allowDestroy = { by: `${deps.context.actor || 'the workflow'} (allow-destroy: true)` }
  let decision = decide(model, rules, overrides)
  const blockedByCount =
    !decision.allowed &&
    !decision.unverifiable &&
    decision.protectedHits.length + decision.forgottenProtected.length + decision.movedOut.length === 0
  if (blockedByCount && (rules.allowLabel || rules.allowReview)) {
    await lookForApproval(settings, deps, overrides)
    decision = decide(model, rules, overrides)
  }

  await deps.writeSummary(renderReport(decision, rules, settings.environment))
  if (!decision.allowed) {
    for (const line of addressAnnotations(decision)) deps.log.error(line)
  } else if (decision.overridden) {
    deps.log.warning(`${decision.reason} Destroyed: ${listForLog(decision.counted)}.`)
  } else if (decision.counted.length > 0) {
    deps.log.warning(`${decision.reason} Counted: ${listForLog(decision.counted)}.`)
  }
  for (const row of decision.rows.filter((r) => r.verdict === 'deferred'))
    deps.log.warning(`Deferred to a later plan, would destroy: ${visible(row.address)}`)
  return { outputs: outputs(decision, decision.reason), failure: decision.allowed ? undefined : decision.reason }
}

/**
 * Looks for a person's approval of the planned commit (the allow-label, an approving review) and
 * records it in `overrides`, or why none counts. An API failure is a refusal too (the gate stays
 * closed), explained.
 */
async function lookForApproval(settings: DestroyGateSettings, deps: DestroyGateDeps, overrides: Overrides): Promise<void> {
  const { allowLabel, allowReview } = settings.rules
  const what = [allowLabel ? `The allow-label '${allowLabel}'` : '', allowReview ? 'an approving review' : ''].filter(Boolean).join(' or ')
  const sentence = what.charAt(0).toUpperCase() + what.slice(1)
  const refusals: string[] = (overrides.refusals = [])
  const pr = pullRequestNumber(deps.context, settings.prNumber)
  if (pr === undefined) return void refusals.push(`${sentence} cannot apply: this run has no pull request.`)
  if (!deps.approvals) return void refusals.push(`${sentence} cannot be checked: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}.`)
  // The planned commit is the run's head: an event without the PR's head (a comment on the PR, a
  // dispatch naming it) gives another commit, and an approval would cover what was not reviewed.
  if (!PLANNED_HEAD_EVENTS.has(deps.context.eventName))
    return void refusals.push(
      `${sentence} cannot apply: ${articled(deps.context.eventName || 'unnamed')} run's commit is not known to be the head of PR #${pr} that was planned. ` +
        "Run the gate on the pull request's own events (pull_request, pull_request_review) or on the push of its branch.",
    )
  const planned = deps.context.headSha
  try {
    for (const check of [
      allowReview ? () => checkApprovingReview(deps.approvals as ApprovalApi, pr, planned) : undefined,
      allowLabel ? () => checkAllowLabel(deps.approvals as ApprovalApi, pr, allowLabel, planned) : undefined,
    ]) {
      if (!check) continue
      const result = await check()
      if (result.ok) {
        overrides.approval = { by: result.by }
        return
      }
      refusals.push(result.why)
    }
  } catch (error) {
    const explained = explainApiError(error, {
      doing: `read the approvals of PR #${pr} (labels, label events, reviews, pushes, collaborator permissions)`,
      permission: 'pull-requests: read, contents: read',
      notFound: "input 'pr-number'",
    })
    if (!isActionError(explained)) throw explained
    refusals.push(`${sentence} could not be checked, so it does not count: ${errorMessage(explained)}`)
  }
}

/** The events whose payload names the commit the run planned (context.headSha): a PR's head, or the pushed commit. */
const PLANNED_HEAD_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
  'push',
  // The head_sha of the run that planned (a plan made there, checked here).
  'workflow_run',
])

const articled = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`

/** Annotations are cut at 4,096 characters; the job summary has the whole list. */
function listForLog(addresses: string[], max = 20): string {
  const shown = addresses.slice(0, max).map(visible).join(', ')
  return addresses.length <= max ? shown : `${shown} and ${addresses.length - max} more (in the job summary and output 'addresses')`
}

function outputs(decision: Decision | undefined, reason: string): Outputs {
  return {
    'destroy-count': String(decision?.destroyCount ?? ''),
    'replace-count': String(decision?.replaceCount ?? ''),
    allowed: String(decision?.allowed ?? false),
    addresses: JSON.stringify(decision?.countedAddresses ?? []),
    'protected-hits': JSON.stringify(decision?.protectedAddresses ?? []),
    reason,
  }
}
