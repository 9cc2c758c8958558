import { alert, code, plural, table, tableRow, text, type Block } from '@infra-actions/common'
import type { PlanSummary } from './summary-file.js'

/** One comment for many root modules: a row per module, destroys first and flagged. */
export function renderAggregate(summaries: PlanSummary[], title: string): Block[] {
  const sorted = [...summaries].sort(
    (a, b) => Number(b.errored) - Number(a.errored) || b.counts.destroy - a.counts.destroy || a.key.localeCompare(b.key),
  )
  const total = { add: 0, change: 0, destroy: 0, replace: 0 }
  for (const s of summaries) {
    total.add += s.counts.add
    total.change += s.counts.change
    total.destroy += s.counts.destroy
    total.replace += s.counts.replace
  }
  const rows = sorted.map((s): Block => {
    const status = s.errored ? '❌ errored' : s.counts.destroy > 0 ? '⚠️ destroys' : s.hasChanges ? '📝 changes' : '✅ no changes'
    // Summary files travel as artifacts: link only what is plainly an https URL.
    const details = typeof s.detailsUrl === 'string' && /^https:\/\/[^\s()<>[\]]+$/.test(s.detailsUrl) ? `[details](${s.detailsUrl})` : ''
    const cells = [
      code(s.key),
      s.environment ? code(s.environment) : '',
      String(s.counts.add),
      String(s.counts.change),
      s.counts.destroy > 0 ? `**${s.counts.destroy}**` : '0',
      s.counts.replace > 0 ? `**${s.counts.replace}**` : '0',
      status,
      details,
    ]
    return { text: tableRow(cells), keep: s.errored || s.counts.destroy > 0, group: 'root modules' }
  })
  const parts = [
    `### ${text(title)}`,
    '',
    `**${plural(summaries.length, 'root module')}: ${total.add} to add, ${total.change} to change, ${total.destroy} to destroy.**`,
    '',
  ]
  const errored = summaries.filter((s) => s.errored)
  if (errored.length > 0)
    parts.push(alert('CAUTION', `${plural(errored.length, 'plan')} errored: ${errored.map((s) => code(s.key)).join(', ')}.`), '')
  const destroying = sorted.filter((s) => s.counts.destroy > 0)
  if (destroying.length > 0) {
    const lines = destroying.map(
      (s) =>
        `${code(s.key)}: ${s.destroyed.map((a) => code(a)).join(', ')}${s.counts.destroy > s.destroyed.length ? ` and ${s.counts.destroy - s.destroyed.length} more` : ''}`,
    )
    parts.push(
      alert(
        'CAUTION',
        `**${plural(total.destroy, 'resource')} will be destroyed or replaced** in ${plural(destroying.length, 'root module')}:\n${lines.map((l) => `- ${l}`).join('\n')}`,
      ),
      '',
    )
  }
  parts.push(
    table(
      ['Root module', 'Environment', 'Add', 'Change', 'Destroy', 'Replace', 'Status', ''],
      [],
      ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
    ),
  )
  return [{ text: parts.join('\n'), keep: true }, ...rows]
}
