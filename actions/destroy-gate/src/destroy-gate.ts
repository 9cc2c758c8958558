import {
  ConfigurationError,
  errorMessage,
  loadPlan,
  pullRequestNumber,
  type ActionContext,
  type PlanModel,
  type ShowCommand,
} from '@infra-actions/common'
import { checkAllowLabel, type LabelApi } from './allow-label.js'
import { decide, type Decision, type Override } from './decide.js'
import { addressAnnotations, renderReport } from './report.js'
import type { DestroyGateSettings } from './settings.js'

export interface DestroyGateDeps {
  context: ActionContext
  labels: LabelApi | undefined
  apiSkipReason: string | undefined
  writeSummary: (markdown: string) => void
  log: { info: (m: string) => void; warning: (m: string) => void; error: (m: string) => void }
  show?: ShowCommand
}

export interface DestroyGateResult {
  outputs: Record<string, string>
  /** The step fails with this message. */
  failure: string | undefined
}

export async function runDestroyGate(settings: DestroyGateSettings, deps: DestroyGateDeps): Promise<DestroyGateResult> {
  let model: PlanModel
  try {
    model = await loadPlan(settings.source, deps.show)
  } catch (error) {
    // A plan we cannot read is never "0 destroys": the gate is closed, and says why.
    if (!(error instanceof ConfigurationError)) throw error
    const reason = `Cannot verify the plan: ${errorMessage(error)}`
    return { outputs: outputs(undefined, reason), failure: reason }
  }
  const { rules } = settings
  deps.log.info(
    `Destroy gate rules from ${settings.origin}: max-destroy ${rules.maxDestroy}, count-replace ${rules.countReplace}, protected [${rules.protected.join(', ')}], ignore [${rules.ignore.join(', ')}].`,
  )

  const overrides: { allowDestroy?: Override; label?: Override; labelRefusal?: string } = {}
  if (rules.allowDestroy) overrides.allowDestroy = { by: `${deps.context.actor || 'the workflow'} (allow-destroy: true)` }
  let decision = decide(model, rules, overrides)
  const blockedByCount = !decision.allowed && !decision.unverifiable && decision.protectedHits.length === 0
  if (blockedByCount && rules.allowLabel) {
    const pr = pullRequestNumber(deps.context, settings.prNumber)
    if (pr === undefined) overrides.labelRefusal = `The allow-label '${rules.allowLabel}' cannot apply: this run has no pull request.`
    else if (!deps.labels)
      overrides.labelRefusal = `The allow-label '${rules.allowLabel}' cannot be checked: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}.`
    else {
      const check = await checkAllowLabel(deps.labels, pr, rules.allowLabel)
      if (check.ok) overrides.label = { by: check.by }
      else overrides.labelRefusal = check.why
    }
    decision = decide(model, rules, overrides)
  }

  deps.writeSummary(renderReport(decision, rules, settings.environment))
  if (!decision.allowed) {
    for (const line of addressAnnotations(decision)) deps.log.error(line)
  } else if (decision.overridden) {
    deps.log.warning(`${decision.reason} Destroyed: ${listForLog(decision.counted)}.`)
  } else if (decision.counted.length > 0) {
    deps.log.warning(`The plan destroys ${listForLog(decision.counted)} (within max-destroy ${rules.maxDestroy}).`)
  }
  for (const row of decision.rows.filter((r) => r.verdict === 'deferred'))
    deps.log.warning(`Deferred to a later plan, would destroy: ${row.address}`)
  return { outputs: outputs(decision, decision.reason), failure: decision.allowed ? undefined : decision.reason }
}

/** Annotations are cut at 4,096 characters; the job summary has the whole list. */
function listForLog(addresses: string[], max = 20): string {
  return addresses.length <= max
    ? addresses.join(', ')
    : `${addresses.slice(0, max).join(', ')} and ${addresses.length - max} more (see the job summary)`
}

function outputs(decision: Decision | undefined, reason: string): Record<string, string> {
  return {
    'destroy-count': String(decision?.destroyCount ?? ''),
    'replace-count': String(decision?.replaceCount ?? ''),
    allowed: String(decision?.allowed ?? false),
    addresses: JSON.stringify(decision?.counted ?? []),
    'protected-hits': JSON.stringify(decision?.protectedHits ?? []),
    reason,
  }
}
