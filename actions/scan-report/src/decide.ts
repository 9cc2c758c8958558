import { plural } from '@infra-actions/common'
import { SEVERITIES, compareFiles, severityRank, type Finding, type Severity } from './model.js'

export type FailOn = Severity | 'none'

export type Counts = Record<Severity, number> & { total: number }

export const zeroCounts = (): Counts => ({ critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 })

export interface Verdict {
  /** Counted findings (not suppressed), worst first: new before unchanged, then by severity and place. */
  counted: Finding[]
  suppressed: Finding[]
  counts: Counts
  byTool: Map<string, Counts>
  /** Counted findings that are new (all of them without a baseline). */
  newCount: number
  /** The findings that fail the step. */
  failing: Finding[]
  failed: boolean
  summary: string
}

export interface DecideOptions {
  failOn: FailOn
  newOnly: boolean
  hasBaseline: boolean
}

/** Counts, the verdict and its one-line summary. Pure: the same findings always decide the same. */
export function decide(findings: readonly Finding[], options: DecideOptions): Verdict {
  const counted: Finding[] = []
  const suppressed: Finding[] = []
  for (const f of findings) (f.suppression ? suppressed : counted).push(f)
  counted.sort(worstFirst)
  suppressed.sort(worstFirst)
  const counts = zeroCounts()
  const byTool = new Map<string, Counts>()
  let newCount = 0
  for (const f of counted) {
    counts[f.severity]++
    counts.total++
    let t = byTool.get(f.tool)
    if (!t) byTool.set(f.tool, (t = zeroCounts()))
    t[f.severity]++
    t.total++
    if (f.baseline !== 'unchanged') newCount++
  }
  const limit = options.failOn === 'none' ? -1 : severityRank(options.failOn)
  const failing = counted.filter((f) => severityRank(f.severity) <= limit && !(options.newOnly && f.baseline === 'unchanged'))
  const verdict = { counted, suppressed, counts, byTool, newCount, failing, failed: failing.length > 0, summary: '' }
  verdict.summary = summaryLine(verdict, options)
  return verdict
}

export function worstFirst(a: Finding, b: Finding): number {
  return (
    Number(a.baseline === 'unchanged') - Number(b.baseline === 'unchanged') ||
    severityRank(a.severity) - severityRank(b.severity) ||
    (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0) ||
    compareFiles(a.locations[0]?.file ?? '', b.locations[0]?.file ?? '') ||
    (a.locations[0]?.startLine ?? 0) - (b.locations[0]?.startLine ?? 0) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  )
}

/** `3 critical, 1 high` (severities with no findings left out), or `none`. */
export function severityList(counts: Record<Severity, number>): string {
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`)
  return parts.length ? parts.join(', ') : 'none'
}

export function countsOf(findings: readonly Finding[]): Counts {
  const c = zeroCounts()
  for (const f of findings) {
    c[f.severity]++
    c.total++
  }
  return c
}

function summaryLine(v: Omit<Verdict, 'summary'>, options: DecideOptions): string {
  const parts = [`${plural(v.counts.total, 'finding')}${v.counts.total ? ` (${severityList(v.counts)})` : ''}`]
  if (options.hasBaseline) parts.push(`${v.newCount} new`)
  if (v.suppressed.length) parts.push(`${v.suppressed.length} suppressed`)
  const gate = options.failOn === 'none' ? 'fail-on none' : `fail-on ${options.failOn}${options.newOnly ? ', new only' : ''}`
  const verdict = v.failed
    ? `failed: ${v.failing.length} at or above ${options.failOn}${options.newOnly ? ' and new' : ''}`
    : `passed (${gate})`
  return `${parts.join('; ')}: ${verdict}.`
}

/** The one error line when the step fails: how many of which severity, which tools, where to look. */
export function failureMessage(v: Verdict, options: DecideOptions, where: string): string {
  const tools = new Map<string, number>()
  for (const f of v.failing) tools.set(f.tool, (tools.get(f.tool) ?? 0) + 1)
  const byTool = [...tools].map(([t, n]) => `${n} from ${t}`).join(', ')
  const what = `${plural(v.failing.length, `${options.newOnly ? 'new ' : ''}finding`)} at or above '${options.failOn}'`
  return `${what} (${severityList(countsOf(v.failing))}; ${byTool}). ${where}`
}
