import { closeSync, createReadStream, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import path from 'node:path'
import {
  ConfigurationError,
  SUMMARY_LIMIT_BYTES,
  describeFileError,
  isFileError,
  makeDirectory,
  plural,
  pullRequestNumber,
  thousands,
  utf8Bytes,
  type ActionContext,
} from '@infra-actions/common'
import { commentMarker, commentOverhead, otherAuthorWarning, postComment, type CommentApi, type UpsertResult } from '@infra-actions/github'
import { planAnnotations, type Annotation } from './annotations.js'
import { applyBaseline, readBaseline } from './baseline.js'
import { decide, failureMessage } from './decide.js'
import { mergeFindings } from './dedupe.js'
import { readResultFile, type ResultFile } from './load.js'
import { Strings } from './model.js'
import { assemble, renderReport } from './render.js'
import type { ToolReport } from './report.js'
import { buildSarif, toolInfos, type SarifLog, type SarifSink } from './sarif-write.js'
import type { ScanReportSettings } from './settings.js'
import { applyIgnores } from './suppress.js'

/** What scan-report needs from the outside world; main.ts wires the real ones, tests fakes. */
export interface ScanReportDeps {
  context: ActionContext
  /** undefined when the API cannot be used; `apiSkipReason` then says why. */
  comments: CommentApi | undefined
  apiSkipReason: string | undefined
  writeSummary: (markdown: string) => Promise<unknown>
  annotate: (a: Annotation) => void
  log: { info: (m: string) => void; warning: (m: string) => void }
}

export const OUTPUTS = [
  'total',
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
  'new',
  'suppressed',
  'failed',
  'sarif-file',
  'summary',
  'comment-url',
] as const
export type Outputs = Record<(typeof OUTPUTS)[number], string>

export interface ScanReportResult {
  outputs: Outputs
  /** Set when findings at or above `fail-on` fail the step (after everything was written). */
  failure: string | undefined
  /** The comment could not be posted: thrown once the outputs are set and the summary written. */
  error?: unknown
}

export async function runScanReport(settings: ScanReportSettings, deps: ScanReportDeps): Promise<ScanReportResult> {
  const { context } = deps
  // Everything is read and checked before anything is written: a bad file leaves no half a report.
  const readOptions = {
    checkovSeverity: settings.checkovSeverity,
    root: settings.root,
    trivyRoot: settings.trivyRoot,
    strings: new Strings(),
  }
  const reports: ToolReport[] = settings.files.flatMap((f) => readResultFile(f, readOptions))
  const baseline = settings.baseline ? readBaseline(settings.baseline, readOptions) : undefined
  const sources = sourcesOf(reports, settings.files)
  const { findings, duplicates } = mergeFindings(reports)
  // The reports' own lists still hold the duplicates merged away: let them go.
  for (const r of reports) r.findings = []
  applyIgnores(findings, settings.ignore)
  const fixed = applyBaseline(findings, baseline)
  const hasBaseline = baseline !== undefined
  const options = { failOn: settings.failOn, newOnly: settings.newOnly, hasBaseline }
  const verdict = decide(findings, options)

  const sarif = await writeAtomically(settings.sarifOutput, (sink) =>
    buildSarif(findings, toolInfos(reports), { category: settings.category, hasBaseline }, sink),
  )
  if (sarif.cut)
    deps.log.warning(
      `The merged SARIF was cut to code scanning's upload limits (${sarif.cut.reasons.join('; ')}); the job summary says what.`,
    )

  const expired = settings.ignore?.entries.filter((e) => e.expired) ?? []
  if (expired.length)
    deps.log.warning(
      `${plural(expired.length, 'suppression')} in ${settings.ignore?.label} expired and no longer suppress: ${expired.map((e) => `${e.where} (${e.id}, expired ${e.expires})`).join(', ')}.`,
    )
  if (settings.trivyRootMissing)
    deps.log.warning(
      `trivy-root '${settings.trivyRoot}' is no directory of this checkout: Trivy's paths were placed under it all the same, and their annotations point at files that are not here (a typo?).`,
    )
  // GitHub shows the first 10 of each type: the step's own warnings (above, and the comment's
  // below) and its failure must not be pushed out by the findings'.
  const ownWarnings = (sarif.cut ? 1 : 0) + (expired.length ? 1 : 0) + (settings.trivyRootMissing ? 1 : 0) + 1
  const plan = planAnnotations(verdict.counted, settings.maxAnnotations, { error: 1, warning: ownWarnings })
  for (const a of plan.annotations) deps.annotate(a)
  if (settings.newOnly && !hasBaseline) deps.log.info("new-only is set but no 'baseline' was given: every finding is new.")

  const passedChecks = new Map<string, number>()
  for (const r of reports) if (r.passed > 0 || r.tool === 'Checkov') passedChecks.set(r.tool, (passedChecks.get(r.tool) ?? 0) + r.passed)
  const key = settings.key
  const blocks = renderReport({
    title: key === 'scan-report' ? 'Scan report' : `Scan report: ${key}`,
    verdict,
    failOn: settings.failOn,
    newOnly: settings.newOnly,
    hasBaseline,
    fixed,
    passedChecks,
    expired,
    unusedEntries: settings.ignore?.entries.filter((e) => !e.expired && e.matched === 0) ?? [],
    notes: reports.flatMap((r) => r.notes),
    sources,
    duplicates,
    annotations: { shown: plan.annotations.length, notAnnotated: plan.notAnnotated, max: settings.maxAnnotations },
    sarif: { file: path.basename(settings.sarifOutput), results: sarif.results, cut: sarif.cut },
    runUrl: context.runUrl,
  })

  const pr = pullRequestNumber(context, settings.prNumber)
  let posted: UpsertResult | undefined
  let error: unknown
  if (settings.commentMode === 'off') deps.log.info("comment-mode is 'off': the report goes to the job summary only.")
  else if (pr === undefined)
    deps.log.info(
      `No pull request in this ${context.eventName || 'run'} event (and no 'pr-number'): the report goes to the job summary only.`,
    )
  else if (!deps.comments)
    deps.log.warning(
      `The PR comment was skipped: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}. The report is in the job summary.`,
    )
  else {
    const body = assemble(blocks, {
      // The hidden marker and the per-post nonce live outside the budget.
      max: settings.maxLength - commentOverhead(commentMarker('scan-report', key)),
      limitText: `${thousands(settings.maxLength)} characters`,
      rest: `The job summary of this run lists more; the merged SARIF has ${sarif.cut ? "every finding but those cut to code scanning's limits (see the job summary)" : 'every finding'}.`,
    })
    const result = await postComment(
      deps.comments,
      { issueNumber: pr, marker: commentMarker('scan-report', key), body, mode: 'update' },
      context,
      { prInput: 'pr-number', lengthInput: 'max-length', tokenInput: 'github-token' },
    )
    ;({ posted, error } = result)
    if (result.warning) deps.log.warning(`${result.warning} The report is in the job summary.`)
    if (posted) deps.log.info(`PR #${pr}: comment ${posted.action} (${posted.comment.url}).`)
    if (posted?.postedAs) deps.log.warning(otherAuthorWarning('PR comment', posted.postedAs))
  }
  await deps.writeSummary(
    assemble(blocks, {
      max: SUMMARY_LIMIT_BYTES,
      measure: utf8Bytes,
      limitText: 'GitHub’s 1 MiB job summary limit',
      rest: `The merged SARIF (${path.basename(settings.sarifOutput)}) has ${sarif.cut ? "every finding but those cut to code scanning's limits (said above)" : 'every finding'}.`,
    }),
  )

  const where = `See ${posted ? `the PR comment ${posted.comment.url} and ` : ''}the job summary${context.runUrl ? ` of ${context.runUrl}` : ''}; the merged SARIF is ${settings.sarifOutput}.`
  const c = verdict.counts
  return {
    outputs: {
      total: String(c.total),
      critical: String(c.critical),
      high: String(c.high),
      medium: String(c.medium),
      low: String(c.low),
      unknown: String(c.unknown),
      new: String(verdict.newCount),
      suppressed: String(verdict.suppressed.length),
      failed: String(verdict.failed),
      'sarif-file': settings.sarifOutput,
      summary: verdict.summary,
      'comment-url': posted?.comment.url ?? '',
    },
    failure: verdict.failed ? failureMessage(verdict, options, where) : undefined,
    error,
  }
}

/** The files read, each with its tool: the reports' sources, then any file that gave no finding. */
function sourcesOf(reports: readonly ToolReport[], files: readonly ResultFile[]): Source[] {
  const sources = new Map<string, Source>()
  for (const r of reports) {
    let last: string | undefined
    for (const { source } of r.findings) {
      if (source === last) continue
      last = source
      sources.set(`${source}|${r.tool}`, { label: source, tool: r.tool, version: r.version })
    }
  }
  for (const f of files)
    if (![...sources.values()].some((s) => s.label === f.label)) sources.set(f.label, { label: f.label, tool: f.input })
  return [...sources.values()]
}

type Source = { label: string; tool: string; version?: string }

/**
 * The log written beside its place as it is made, and renamed in: a reader never sees half a
 * file. A place that cannot be written (no such directory, permission, a full disk) is an error
 * of the input that names it.
 */
async function writeAtomically(file: string, write: (sink: SarifSink) => Promise<SarifLog>): Promise<SarifLog> {
  const what = `Input 'sarif-output' (${file})`
  makeDirectory(path.dirname(file), what)
  // A short name of its own: the file's name with a suffix could be past the file system's limit.
  const tmp = path.join(path.dirname(file), `.scan-report-${process.pid}.tmp`)
  try {
    const fd = openSync(tmp, 'w')
    let log: SarifLog
    try {
      let position = 0
      log = await write({
        write: (piece) => {
          for (let at = 0; at < piece.length;) {
            const n = writeSync(fd, piece, at, piece.length - at, position)
            at += n
            position += n
          }
        },
        restart: () => {
          ftruncateSync(fd, 0)
          position = 0
        },
        // Read back in 1 MiB pieces through gzip: the log is never held whole.
        compressedSize: async () => {
          let size = 0
          const piece = 1 << 20
          await pipeline(
            createReadStream(tmp, { start: 0, end: Math.max(0, position - 1), highWaterMark: piece }),
            createGzip({ level: 1, chunkSize: piece }),
            async (chunks) => {
              for await (const chunk of chunks as AsyncIterable<Buffer>) size += chunk.length
            },
          )
          return size
        },
      })
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
    return log
  } catch (error) {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // Never made (its directory cannot be written): the error is the one below.
    }
    if (isFileError(error)) throw new ConfigurationError(`${what} cannot be written: ${describeFileError(error)}.`)
    throw error
  }
}
