import {
  alert,
  code,
  link,
  details,
  ellipsize,
  fitToBudget,
  html,
  plural,
  table,
  tableRow,
  text,
  thousands,
  type Block,
} from '@infra-actions/common'
import type { FailOn, Verdict } from './decide.js'
import { severityList } from './decide.js'
import type { IgnoreEntry } from './ignore-file.js'
import { SEVERITIES, type Finding, type Severity } from './model.js'
import type { SarifCut } from './sarif-write.js'

/**
 * The report as Markdown blocks, for the job summary and the PR comment: the verdict and the
 * counts are kept whatever the budget; the findings (worst first) and the suppressions are
 * dropped from the bottom up, and the footer says how many. Every scanner string goes through
 * `code()` or `text()`: titles, paths, package names and rule ids are untrusted.
 */
export interface ReportInput {
  title: string
  verdict: Verdict
  failOn: FailOn
  newOnly: boolean
  hasBaseline: boolean
  /** Baseline findings no longer found. */
  fixed: number
  passedChecks: Map<string, number>
  expired: IgnoreEntry[]
  unusedEntries: IgnoreEntry[]
  notes: string[]
  sources: { label: string; tool: string; version?: string }[]
  duplicates: number
  annotations: { shown: number; notAnnotated: number; max: number }
  sarif: { file: string; results: number; cut: SarifCut | undefined } | undefined
  runUrl: string | undefined
}

/** Rows rendered before any budget: the merged SARIF holds the rest. */
export const MAX_ROWS = 1000

const BADGE: Record<Severity, string> = {
  critical: '🟥 critical',
  high: '🟧 high',
  medium: '🟨 medium',
  low: '🟦 low',
  unknown: '⬜ unknown',
}

export function renderReport(r: ReportInput): Block[] {
  const v = r.verdict
  const blocks: Block[] = []
  const keep = (t: string): void => void blocks.push({ text: t, keep: true })
  keep(`### 🛡️ ${text(r.title)}`)
  keep('')
  const gate =
    r.failOn === 'none' ? 'nothing fails the step (`fail-on: none`)' : `\`fail-on: ${r.failOn}\`${r.newOnly ? ', new findings only' : ''}`
  if (v.failed) {
    keep(
      alert(
        'CAUTION',
        `**Failed: ${plural(v.failing.length, `${r.newOnly ? 'new ' : ''}finding`)} at or above ${r.failOn}** (${severityList(countsOfList(v.failing))}); ${gate}.`,
      ),
    )
  } else {
    keep(`✅ **Passed**: ${v.counts.total === 0 ? 'no findings' : `nothing at or above the threshold`} (${gate}).`)
  }
  keep('')
  keep(countsTable(r))
  keep('')
  if (r.hasBaseline) {
    keep(`**New: ${v.newCount}** · already on the base branch: ${v.counts.total - v.newCount} · fixed since the base branch: ${r.fixed}`)
    keep('')
  }
  if (r.expired.length) {
    const lines = r.expired.map((e) => `${code(e.where)}: ${code(e.id)} expired on ${e.expires}; its findings count again.`)
    keep(alert('WARNING', `**${plural(r.expired.length, 'suppression')} expired:**\n${lines.join('\n')}`))
    keep('')
  }
  if (v.counted.length) {
    keep(`#### Findings, worst first${r.hasBaseline ? ' (new first)' : ''}`)
    keep('')
    keep(table(['', 'severity', 'rule', 'where', 'package or resource', 'title'], []))
    for (const f of v.counted.slice(0, MAX_ROWS)) blocks.push({ text: findingRow(f, r.hasBaseline), group: 'findings' })
    const beyond = v.counted.length - MAX_ROWS
    if (beyond > 0)
      keep(
        `\n_… and ${thousands(beyond)} more findings not listed here; the merged SARIF file has ${r.sarif?.cut ? "them, but for those cut to code scanning's limits (below)" : 'every one'}._`,
      )
    keep('')
  }
  if (v.suppressed.length) {
    keep(`<details><summary>Suppressed: ${plural(v.suppressed.length, 'finding')} (not counted)</summary>`)
    keep('')
    keep(table(['severity', 'rule', 'where', 'reason', 'expires', 'by'], []))
    for (const f of v.suppressed.slice(0, MAX_ROWS)) blocks.push({ text: suppressedRow(f), group: 'suppressions' })
    if (v.suppressed.length > MAX_ROWS)
      keep(`\n_… and ${thousands(v.suppressed.length - MAX_ROWS)} more suppressed findings not listed here._`)
    keep('')
    keep('</details>')
    keep('')
  }
  const notes = [
    ...r.notes.map((n) => text(n)),
    ...r.unusedEntries.map((e) =>
      e.partly > 0
        ? `${code(e.where)}: the suppression of ${code(e.id)} matched ${plural(e.partly, 'finding')} in some of ${e.partly === 1 ? 'its' : 'their'} places only, ` +
          'so it suppressed none (a path suppresses a finding only when every place it was seen matches).'
        : `${code(e.where)}: the suppression of ${code(e.id)} matched no finding; remove it when it is no longer needed.`,
    ),
  ]
  if (notes.length) blocks.push({ text: details(html(`Notes (${notes.length})`), notes.map((n) => `- ${n}`).join('\n')), group: 'notes' })
  keep('')
  keep(sourcesLine(r))
  if (r.annotations.notAnnotated > 0)
    keep(
      `_${plural(r.annotations.shown, 'annotation')} written (\`max-annotations: ${r.annotations.max}\`, GitHub shows at most 10 of each type per step); ` +
        `${plural(r.annotations.notAnnotated, 'more finding')} on files ${r.annotations.notAnnotated === 1 ? 'has' : 'have'} no annotation._`,
    )
  const sarifCut = r.sarif?.cut
  if (sarifCut) {
    const parts = [`${severityList(sarifCut.results)} left out (${sarifCut.reasons.join('; ')})`]
    if (sarifCut.runs.length) parts.push(`runs of ${sarifCut.runs.map(code).join(', ')} left out`)
    if (sarifCut.locations) parts.push(`${thousands(sarifCut.locations)} locations beyond 1,000 per result left out`)
    keep(`_The merged SARIF was cut to code scanning's upload limits, least severe first: ${parts.join('; ')}._`)
  }
  return blocks
}

function countsOfList(findings: readonly Finding[]): Record<Severity, number> {
  const c = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }
  for (const f of findings) c[f.severity]++
  return c
}

function countsTable(r: ReportInput): string {
  const v = r.verdict
  const tools = [...new Set([...v.byTool.keys(), ...r.passedChecks.keys(), ...suppressedTools(v)])].sort()
  const suppressedBy = new Map<string, number>()
  for (const f of v.suppressed) suppressedBy.set(f.tool, (suppressedBy.get(f.tool) ?? 0) + 1)
  const rows = tools.map((t) => {
    const c = v.byTool.get(t)
    const passed = r.passedChecks.get(t)
    return [
      text(t),
      ...SEVERITIES.map((s) => String(c?.[s] ?? 0)),
      `**${c?.total ?? 0}**`,
      String(suppressedBy.get(t) ?? 0),
      passed !== undefined ? thousands(passed) : '',
    ]
  })
  rows.push(['**all**', ...SEVERITIES.map((s) => `**${v.counts[s]}**`), `**${v.counts.total}**`, `**${v.suppressed.length}**`, ''])
  return table(['tool', ...SEVERITIES, 'total', 'suppressed', 'passed checks'], rows, [
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
  ])
}

function suppressedTools(v: Verdict): string[] {
  return v.suppressed.map((f) => f.tool)
}

function where(f: Finding): string {
  const l = f.locations[0]
  if (!l) return ''
  const at = `${l.file}${l.startLine ? `:${l.startLine}` : ''}`
  const more = f.locations.length > 1 ? ` +${f.locations.length - 1}` : ''
  return `${code(ellipsize(at, 100))}${more}`
}

function subject(f: Finding): string {
  if (f.package) {
    const p = f.package
    const installed = p.installedVersion ? ` ${code(ellipsize(p.installedVersion, 40))}` : ''
    const fixed = f.kind === 'vulnerability' ? (p.fixedVersion ? ` → **${code(ellipsize(p.fixedVersion, 60))}**` : ' (no fix yet)') : ''
    return `${code(ellipsize(p.name, 80))}${installed}${fixed}`
  }
  // A Checkov secret's resource is a hash of the secret: not worth showing.
  return f.resource && f.kind !== 'secret' ? code(ellipsize(f.resource, 100)) : ''
}

function findingRow(f: Finding, hasBaseline: boolean): string {
  const mark = hasBaseline ? (f.baseline === 'new' ? '🆕' : '') : ''
  const rule = f.helpUrl ? link(f.helpUrl, code(f.rule)) : code(f.rule)
  return tableRow([mark, BADGE[f.severity], `${rule}<br>${text(f.tool)}`, where(f), subject(f), text(ellipsize(f.title, 140))])
}

function suppressedRow(f: Finding): string {
  const s = f.suppression!
  const by = s.by === 'ignore-file' ? code(s.source ?? 'ignore file') : text(s.source ?? 'the scanner')
  return tableRow([BADGE[f.severity], code(f.rule), where(f), text(ellipsize(s.reason, 200)), s.expires ?? '', by])
}

function sourcesLine(r: ReportInput): string {
  const files = r.sources.map((s) => `${code(s.label)} (${text(s.tool)}${s.version ? ` ${text(s.version)}` : ''})`)
  const shown = files.length > 10 ? [...files.slice(0, 10), `and ${files.length - 10} more`] : files
  const parts = [`Read ${shown.length ? shown.join(', ') : 'no result files'}`]
  if (r.duplicates) parts.push(`${plural(r.duplicates, 'duplicate report')} merged`)
  if (r.sarif) parts.push(`merged SARIF: ${code(r.sarif.file)} (${plural(r.sarif.results, 'result')})`)
  if (r.runUrl) parts.push(`[this run](${r.runUrl})`)
  return `<sub>${parts.join(' · ')}</sub>`
}

/** The blocks within a budget; the footer says what was left out and where the rest is. */
export function assemble(
  blocks: readonly Block[],
  options: { max: number; measure?: (s: string) => number; rest: string; /** The limit as the footer names it. */ limitText?: string },
): string {
  return fitToBudget(blocks, {
    max: options.max,
    measure: options.measure,
    omitted: (group, n) => `\n_… and ${thousands(n)} more ${group} not shown._\n`,
    footer: (cut) => {
      const dropped = [...cut.dropped].map(([g, n]) => `${thousands(n)} ${g}`).join(', ')
      return `\n_Shortened to fit ${options.limitText ?? `${thousands(options.max)} characters`}${dropped ? `: ${dropped} left out` : ''}. ${options.rest}_`
    },
  }).text
}
