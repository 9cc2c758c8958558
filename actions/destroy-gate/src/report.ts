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
  'forget-protected': '🛡️ **protected**: forgotten',
  'moved-out-of-protection': "🛡️ **protected**: moved out of 'protected'",
  ignored: 'ignored',
  'moved-into-ignore': '🗑️ counted: moved into ignore',
  'imported-into-ignore': '🗑️ counted: imported into ignore',
  'replace-not-counted': 'replacement, not counted',
  forget: 'forgotten (not destroyed)',
  deferred: '⏸️ deferred, would destroy',
}

/** The rows that block or count, in the order the summary and the annotations list them. */
const ORDER: Verdict[] = [
  'protected',
  'forget-protected',
  'moved-out-of-protection',
  'counted',
  'moved-into-ignore',
  'imported-into-ignore',
  'deferred',
  'replace-not-counted',
  'ignored',
  'forget',
]

const ANNOTATIONS: Partial<Record<Verdict, string>> = {
  protected: 'Protected resource would be destroyed',
  'forget-protected': 'Protected resource would be forgotten (removed from the state, the object kept)',
  'moved-out-of-protection': "Protected resource moved out of 'protected'",
  counted: 'Would be destroyed',
  'moved-into-ignore': "Moved into 'ignore', counted as a destroy",
  'imported-into-ignore': "Imported into 'ignore', counted as a destroy",
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
  const rows = [...decision.rows].sort((a, b) => ORDER.indexOf(a.verdict) - ORDER.indexOf(b.verdict))
  const blocks: Block[] = [
    { text: `${head}\n\n${table(['Address', 'Action', 'Reason', 'Gate'], [])}`, keep: true },
    ...rows.map((r): Block => ({
      text: tableRow(cells(r)),
      keep: ANNOTATIONS[r.verdict] !== undefined,
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

/** Error annotations naming what blocks or counts, protection first; a `for_each` key's bidi or zero-width characters shown as escapes. */
export function addressAnnotations(decision: Decision): string[] {
  const hits = ORDER.flatMap((verdict) =>
    decision.rows
      .filter((r) => r.verdict === verdict && ANNOTATIONS[verdict] !== undefined)
      .map((r) => `${ANNOTATIONS[verdict]}: ${visible(r.address)}`),
  )
  if (hits.length <= MAX_ADDRESS_ANNOTATIONS) return hits
  return [
    ...hits.slice(0, MAX_ADDRESS_ANNOTATIONS - 1),
    `… and ${hits.length - MAX_ADDRESS_ANNOTATIONS + 1} more: the job summary lists them, and outputs 'addresses' and 'protected-hits' have every one.`,
  ]
}
