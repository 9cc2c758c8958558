import { code, table, text } from '@infra-actions/common'
import type { ResolveResult } from './resolve.js'

/** The decision for the job summary: event, rule, outputs, and why earlier rules did not match. */
export function renderDecision(result: ResolveResult, configLabel: string, ref: string): string {
  const r = result.resolution
  const heading = r.operation === 'none' ? '### ⏭️ No environment for this event' : `### 🎯 ${text(r.operation)} → ${code(r.environment)}`
  const rows = Object.entries(r)
    .filter(([k]) => k !== 'reason')
    .map(([k, v]) => [code(k), v === '' ? '' : code(String(v))])
  const lines = [
    heading,
    '',
    text(r.reason),
    '',
    `Event: ${text(result.event)} · ref ${code(ref || '(none)')} · rules: ${text(configLabel)}`,
    '',
    table(['Output', 'Value'], rows),
  ]
  if (result.warnings.length) lines.push('', ...result.warnings.map((w) => `> ⚠️ ${text(w)}`))
  if (result.trace.length) {
    lines.push(
      '',
      `<details><summary>Why ${result.trace.length} earlier rule${result.trace.length === 1 ? '' : 's'} did not match</summary>`,
      '',
      table(
        ['Rule', 'Did not match because'],
        result.trace.map((t) => [code(t.rule), text(t.why)]),
      ),
      '',
      '</details>',
    )
  }
  return lines.join('\n')
}
