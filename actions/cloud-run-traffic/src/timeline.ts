import { code, table, text } from '@infra-actions/common'
import { describeSplit, type Target } from './traffic.js'

export type Result = 'promoted' | 'rolled-back' | 'dry-run' | 'failed'

/** One line of the job summary's timeline: what happened at a step and what was decided. */
export interface TimelineRow {
  at: number
  split: string
  probe: string
  metrics: string
  decision: string
}

export interface SummaryInput {
  service: string
  revision: string
  result: Result
  start: readonly Target[]
  final: readonly Target[]
  rows: readonly TimelineRow[]
  tagUrl: string | undefined
  /** Why it failed, when it did. */
  reason: string | undefined
}

const HEADINGS: Record<Result, string> = {
  promoted: '✅ Promoted',
  'rolled-back': '↩️ Rolled back',
  'dry-run': '🧪 Dry run',
  failed: '🛑 Failed',
}

/** `14:03:27` (UTC), the runner's log time. */
export function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19)
}

export function renderSummary(s: SummaryInput): string {
  const lines = [
    `### ${HEADINGS[s.result]}: ${code(s.revision)} on Cloud Run service ${code(s.service)}`,
    '',
    ...(s.reason ? [text(s.reason), ''] : []),
    `Before: ${code(describeSplit(s.start))}  `,
    `After: ${code(describeSplit(s.final))}${s.tagUrl ? `  \nTag URL: ${code(s.tagUrl)}` : ''}`,
    '',
    table(
      ['Time (UTC)', 'Split', 'Probe', 'Metrics', 'Decision'],
      // The metrics and decisions are this action's own words and numbers; probe details may quote a network error.
      s.rows.map((r) => [clock(r.at), code(r.split), text(r.probe), r.metrics, r.decision]),
    ),
  ]
  return lines.join('\n')
}
