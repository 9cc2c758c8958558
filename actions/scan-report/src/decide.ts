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
  sortWorstFirst(counted)
  sortWorstFirst(suppressed)
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

/**
 * Sorts in place, worst first: new before known, then by severity, tool, file (compareFiles),
 * line and rule, ties kept as they were. Each finding's place is worked out once: comparing
 * 100,000 findings by their files' order would ask ICU about ~2 million pairs of paths.
 */
export function sortWorstFirst(findings: Finding[]): void {
  const n = findings.length
  if (n < 2) return
  const fileRank = ranks(findings, (f) => f.locations[0]?.file ?? '', compareFiles)
  const toolRank = ranks(findings, (f) => f.tool, codeUnitOrder)
  const ruleRank = ranks(findings, (f) => f.rule, codeUnitOrder)
  // Baseline state, severity, tool and file packed into one number per finding (each rank below its radix), then line, then rule.
  const place = new Float64Array(n)
  const line = new Float64Array(n)
  const rule = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const f = findings[i] as Finding
    const group = (Number(f.baseline === 'unchanged') * 8 + severityRank(f.severity) + 1) * toolRank.size + (toolRank.get(f.tool) as number)
    place[i] = group * fileRank.size + (fileRank.get(f.locations[0]?.file ?? '') as number)
    line[i] = f.locations[0]?.startLine ?? 0
    rule[i] = ruleRank.get(f.rule) as number
  }
  const order = Array.from({ length: n }, (_, i) => i)
  const at = (a: Float64Array, i: number): number => a[i] as number
  order.sort((a, b) => at(place, a) - at(place, b) || at(line, a) - at(line, b) || at(rule, a) - at(rule, b) || a - b)
  const sorted = order.map((i) => findings[i] as Finding)
  for (let i = 0; i < n; i++) findings[i] = sorted[i] as Finding
}

/** Each distinct value's place among them in `compare`'s order; values it finds equal share one. */
function ranks(findings: readonly Finding[], of: (f: Finding) => string, compare: (a: string, b: string) => number): Map<string, number> {
  const distinct = [...new Set(findings.map(of))].sort(compare)
  const rank = new Map<string, number>()
  let r = 0
  distinct.forEach((v, i) => {
    if (i > 0 && compare(distinct[i - 1] as string, v) !== 0) r++
    rank.set(v, r)
  })
  return rank
}

const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

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
