import { alert, code, ellipsize, link, plural, table, tableRow, text, thousands, type Block } from '@infra-actions/common'
import { isIncomplete, type PlanSummary } from './summary-file.js'

/** How much the first block may list, and where what it leaves out can be read. */
export interface AggregateLimits {
  /**
   * The budget of the whole text. The first block (heading, totals, cautions) takes at most half
   * of it, so it is never the block that is cut: the rows give way instead.
   */
  max: number
  measure?: (s: string) => number
  /** Destroyed addresses listed per root module, and in all. */
  perModule: number
  total: number
  /** Markdown naming where the addresses not listed are ("the job summary of this run"). */
  elsewhere: string
}

// Keys and addresses come from summary files: one of 70,000 characters must not fill the comment.
const KEY_CHARS = 100
const ADDRESS_CHARS = 200
const TITLE_CHARS = 200

/** The row groups: destroying or errored rows are dropped last, and their note says so. */
export const ROW_GROUPS = { attention: 'root modules that destroy or errored', other: 'root modules' } as const

/** The note for rows dropped to fit, naming what kind of rows they were. */
export function omittedRows(group: string, n: number, elsewhere: string): string {
  const which = group === ROW_GROUPS.attention ? ' that destroy or errored' : ''
  return `\n_… and ${n} more root ${n === 1 ? 'module' : 'modules'}${which} not shown: see ${elsewhere}._`
}

const keyCode = (key: string): string => code(ellipsize(key, KEY_CHARS))

/** What the aggregating run knows to check a summary file against. */
export interface AggregateRun {
  title: string
  /** GITHUB_SERVER_URL: the only place a summary's details may link to. */
  serverUrl: string
  /** The commit the plans should be of (the PR head), when known. */
  headSha: string | undefined
}

/** Whether a summary's `detailsUrl` is a link into this run's own GitHub (summary files travel as artifacts). */
export function isOwnLink(url: string, serverUrl: string): boolean {
  if (!/^https?:\/\/[^\s()<>[\]]+$/i.test(url)) return false
  try {
    return new URL(url).origin === new URL(serverUrl).origin
  } catch {
    return false
  }
}

/** The summary's commit, when it is not the one this run is for (a plan job of an older push). */
export function otherCommit(s: PlanSummary, headSha: string | undefined): string | undefined {
  return s.sha && headSha && s.sha.toLowerCase() !== headSha.toLowerCase() ? s.sha : undefined
}

/** Whether a plan changes anything, from its counts: a file's `hasChanges: false` does not hide `add: 5`. */
export function changes(s: PlanSummary): boolean {
  const c = s.counts
  return s.hasChanges || c.add + c.change + c.destroy + c.replace + c.import + c.move + c.forget > 0
}

/** The status cell: every flag that applies, "no changes" only when none does. */
export function statusOf(s: PlanSummary, headSha: string | undefined): string {
  const flags: string[] = []
  if (s.errored) flags.push('❌ errored')
  if (s.counts.destroy > 0) flags.push('⚠️ destroys')
  else if (changes(s)) flags.push('📝 changes')
  if (isIncomplete(s)) flags.push('⏸️ incomplete')
  if (s.counts.drift > 0) flags.push(`🌀 drift (${s.counts.drift})`)
  if (flags.length === 0) flags.push('✅ no changes')
  const sha = otherCommit(s, headSha)
  if (sha) flags.push(`🕰️ of ${code(sha.slice(0, 12))}, not the head`)
  return flags.join(', ')
}

/** One comment for many root modules: a row per module, destroys first and flagged. */
export function renderAggregate(summaries: PlanSummary[], run: AggregateRun, limits: AggregateLimits): Block[] {
  const measure = limits.measure ?? ((s: string) => s.length)
  const flagged = (s: PlanSummary): number => Number(isIncomplete(s) || otherCommit(s, run.headSha) !== undefined)
  const sorted = [...summaries].sort(
    (a, b) =>
      Number(b.errored) - Number(a.errored) || b.counts.destroy - a.counts.destroy || flagged(b) - flagged(a) || a.key.localeCompare(b.key),
  )
  const total = { add: 0, change: 0, destroy: 0, replace: 0 }
  for (const s of summaries) {
    total.add += s.counts.add
    total.change += s.counts.change
    total.destroy += s.counts.destroy
    total.replace += s.counts.replace
  }
  const rows = sorted.map((s): Block => {
    const cells = [
      keyCode(s.key),
      s.environment ? keyCode(s.environment) : '',
      String(s.counts.add),
      String(s.counts.change),
      s.counts.destroy > 0 ? `**${s.counts.destroy}**` : '0',
      s.counts.replace > 0 ? `**${s.counts.replace}**` : '0',
      statusOf(s, run.headSha),
      s.detailsUrl !== undefined && isOwnLink(s.detailsUrl, run.serverUrl) ? link(s.detailsUrl, 'details') : '',
    ]
    const attention = s.errored || s.counts.destroy > 0
    return { text: tableRow(cells), keep: attention, group: attention ? ROW_GROUPS.attention : ROW_GROUPS.other }
  })
  const top = [
    `### ${text(ellipsize(run.title, TITLE_CHARS))}`,
    '',
    `**${plural(summaries.length, 'root module')}: ${total.add} to add, ${total.change} to change, ${total.destroy} to destroy.**`,
    '',
  ]
  const header = table(
    ['Root module', 'Environment', 'Add', 'Change', 'Destroy', 'Replace', 'Status', ''],
    [],
    ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'left'],
  )
  // What the cautions may take: half the budget, less the heading, totals and table header.
  let room = Math.floor(limits.max / 2) - measure(top.join('\n')) - measure(header) - 2
  const parts = [...top]
  const errored = sorted.filter((s) => s.errored)
  if (errored.length > 0) {
    const caution = erroredCaution(errored, Math.floor(room / 3), measure)
    parts.push(caution, '')
    room -= measure(caution) + 2
  }
  const warning = notes(summaries, run.headSha)
  if (warning) {
    parts.push(warning, '')
    room -= measure(warning) + 2
  }
  const destroying = sorted.filter((s) => s.counts.destroy > 0)
  if (destroying.length > 0) parts.push(destroyCaution(destroying, total.destroy, room, measure, limits), '')
  parts.push(header)
  return [{ text: parts.join('\n'), keep: true }, ...rows]
}

/** A warning with how many plans are incomplete or of another commit (counts only: bounded). */
function notes(summaries: readonly PlanSummary[], headSha: string | undefined): string | undefined {
  const said: string[] = []
  const partial = summaries.filter(isIncomplete).length
  if (partial > 0)
    said.push(`**${plural(partial, 'plan')} ${partial === 1 ? 'is' : 'are'} incomplete** (deferred changes): more changes will follow.`)
  const stale = summaries.filter((s) => otherCommit(s, headSha)).length
  if (stale > 0 && headSha)
    said.push(
      `**${plural(stale, 'plan')} ${stale === 1 ? 'is' : 'are'} of another commit** than ${code(headSha.slice(0, 12))}: re-run their plan jobs.`,
    )
  return said.length > 0 ? alert('WARNING', said.join('\n')) : undefined
}

/** "N plans errored: a, b and 3 more.", its keys within `room` (one key at least). */
function erroredCaution(errored: readonly PlanSummary[], room: number, measure: (s: string) => number): string {
  const lead = `${plural(errored.length, 'plan')} errored: `
  // Counted as it grows, not measured again per key: thousands of modules can error at once.
  let used = measure(alert('CAUTION', `${lead} and ${thousands(errored.length)} more.`))
  const keys: string[] = []
  for (const s of errored) {
    const key = keyCode(s.key)
    const size = measure(`${key}, `)
    if (keys.length > 0 && used + size > room) break
    keys.push(key)
    used += size
  }
  const more = errored.length - keys.length
  return alert('CAUTION', `${lead}${keys.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`)
}

/**
 * The destroy caution: a line per destroying module, at most `perModule` addresses each and
 * `total` in all, lines only while they fit `room`; what is left out is counted and pointed to.
 */
function destroyCaution(
  destroying: readonly PlanSummary[],
  destroys: number,
  room: number,
  measure: (s: string) => number,
  limits: AggregateLimits,
): string {
  const quoted = (line: string): number => measure(`\n> ${line}`)
  const lines = [`**${plural(destroys, 'resource')} will be destroyed or replaced** in ${plural(destroying.length, 'root module')}:`]
  const pointer = `Not every destroyed address is listed here: see ${limits.elsewhere}.`
  // Room kept for the closing notes, at their longest.
  const reserve = quoted(restNote(destroying.length, destroys)) + quoted(pointer)
  let used = measure('> [!CAUTION]') + quoted(lines[0] as string) + reserve
  let listed = 0
  let short = false
  for (const [i, s] of destroying.entries()) {
    const cap = Math.min(limits.perModule, limits.total - listed, s.destroyed.length)
    let n = 0
    while (n < cap && used + quoted(moduleLine(s, n + 1)) <= room) n++
    const line = `- ${moduleLine(s, n)}`
    if (lines.length > 1 && used + quoted(line) > room) {
      const rest = destroying.slice(i)
      lines.push(
        restNote(
          rest.length,
          rest.reduce((sum, r) => sum + r.counts.destroy, 0),
        ),
        pointer,
      )
      return alert('CAUTION', lines.join('\n'))
    }
    lines.push(line)
    used += quoted(line)
    listed += n
    if (n < s.counts.destroy) short = true
  }
  if (short) lines.push(pointer)
  return alert('CAUTION', lines.join('\n'))
}

/** "`key`: `a`, `b` and 18 more": the first `n` destroyed addresses of a module, each cut to its start and end. */
function moduleLine(s: PlanSummary, n: number): string {
  const shown = s.destroyed.slice(0, n).map((a) => code(ellipsize(a, ADDRESS_CHARS)))
  const more = Math.max(0, s.counts.destroy - shown.length)
  if (shown.length === 0) return `${keyCode(s.key)}: ${plural(more, 'resource')}`
  return `${keyCode(s.key)}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
}

const restNote = (modules: number, destroys: number): string =>
  `- … and ${plural(modules, 'more root module')} destroying ${thousands(destroys)} ${destroys === 1 ? 'resource' : 'resources'}`
