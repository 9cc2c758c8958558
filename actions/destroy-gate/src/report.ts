import {
  code,
  fitToBudget,
  plural,
  table,
  tableRow,
  text,
  utf8Bytes,
  visible,
  SUMMARY_LIMIT_BYTES,
  type Block,
} from '@infra-actions/common'
import { actionReasonInWords } from '@infra-actions/terraform'
import type { Decision, GateRow, Verdict } from './decide.js'
import type { GateRules } from './settings.js'

const VERDICTS: Record<Verdict, string> = {
  counted: '🗑️ counted',
  protected: '🛡️ **protected**',
  ignored: 'ignored',
  'moved-into-ignore': '🗑️ counted: moved into ignore',
  'replace-not-counted': 'replacement, not counted',
  forget: 'forgotten (not destroyed)',
  deferred: '⏸️ deferred, would destroy',
}

export function renderReport(decision: Decision, rules: GateRules, environment: string | undefined): string {
  const status = !decision.allowed
    ? '🛑 Destroy gate: blocked'
    : decision.overridden
      ? '⚠️ Destroy gate: allowed by override'
      : '✅ Destroy gate: passed'
  const head = [
    `### ${status}${environment ? ` — ${code(environment)}` : ''}`,
    '',
    text(decision.reason),
    '',
    `Rules: max-destroy ${rules.maxDestroy === -1 ? 'unlimited' : rules.maxDestroy}, replacements ${rules.countReplace ? 'counted' : 'not counted'}` +
      `${rules.protected.length ? `, protected ${rules.protected.map(code).join(', ')}` : ''}${rules.ignore.length ? `, ignored ${rules.ignore.map(code).join(', ')}` : ''}.`,
  ].join('\n')
  if (decision.rows.length === 0) return head
  const order: Verdict[] = ['protected', 'counted', 'moved-into-ignore', 'deferred', 'replace-not-counted', 'ignored', 'forget']
  const rows = [...decision.rows].sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict))
  const blocks: Block[] = [
    { text: `${head}\n\n${table(['Address', 'Action', 'Reason', 'Gate'], [])}`, keep: true },
    ...rows.map((r): Block => ({
      text: tableRow(cells(r)),
      keep: r.verdict === 'protected' || r.verdict === 'counted' || r.verdict === 'moved-into-ignore',
      group: 'rows',
    })),
  ]
  return fitToBudget(blocks, {
    max: SUMMARY_LIMIT_BYTES,
    measure: utf8Bytes,
    omitted: (_g, n) => `\n_… and ${plural(n, 'more row')} not shown (GitHub's 1 MiB summary limit)._`,
    footer: () => '',
  }).text
}

function cells(r: GateRow): string[] {
  return [code(r.address), text(r.actions), reasonCell(r), `${VERDICTS[r.verdict]}${r.pattern ? ` by ${code(r.pattern)}` : ''}`]
}

/** Terraform's action_reason in words (the one wording plan-comment uses too); a deferral's reason as it is. */
function reasonCell(r: GateRow): string {
  if (!r.reason) return ''
  if (r.verdict === 'deferred') return `deferred: ${code(r.reason)}`
  return actionReasonInWords(r.reason) ?? code(r.reason)
}

/** GitHub shows 10 error annotations per step; one is the failure itself. */
export const MAX_ADDRESS_ANNOTATIONS = 8

/** Error annotations naming the destroyed addresses; a `for_each` key's bidi or zero-width characters shown as escapes. */
export function addressAnnotations(decision: Decision): string[] {
  const movedIn = new Set(decision.rows.filter((r) => r.verdict === 'moved-into-ignore').map((r) => r.address))
  const hits = [
    ...decision.protectedHits.map((a) => `Protected resource would be destroyed: ${visible(a)}`),
    ...decision.counted
      .filter((a) => !decision.protectedHits.includes(a))
      .map((a) => (movedIn.has(a) ? `Moved into 'ignore', counted as a destroy: ${visible(a)}` : `Would be destroyed: ${visible(a)}`)),
  ]
  if (hits.length <= MAX_ADDRESS_ANNOTATIONS) return hits
  return [
    ...hits.slice(0, MAX_ADDRESS_ANNOTATIONS - 1),
    `… and ${hits.length - MAX_ADDRESS_ANNOTATIONS + 1} more destroyed resources: the job summary lists them, and output 'addresses' has every one.`,
  ]
}
