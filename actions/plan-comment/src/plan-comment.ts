import { closeSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs'
import path from 'node:path'
import {
  ConfigurationError,
  SUMMARY_LIMIT_BYTES,
  fitToBudget,
  makeDirectory,
  pullRequestNumber,
  readRegularFile,
  ellipsize,
  text,
  utf8Bytes,
  visible,
  type ActionContext,
} from '@infra-actions/common'
import {
  commentMarker,
  commentOverhead,
  explainApiError,
  otherAuthorWarning,
  postComment,
  syncTrackingIssue,
  type CommentApi,
  type CommentMode,
  type IssueApi,
  type UpsertResult,
} from '@infra-actions/github'
import {
  driftItem,
  isKept,
  PlanBuilder,
  planSummaryLine,
  readPlanDocument,
  readSection,
  Secrets,
  toResourceItem,
  withPlanBytes,
  type PlanSource,
  type RawResourceChange,
  type ShowCommand,
} from '@infra-actions/terraform'
import type { UploadedArtifact } from '@infra-actions/github/artifacts'
import { changes, isOwnLink, omittedRows, otherCommit, renderAggregate, type AggregateLimits } from './aggregate.js'
import { assemble, PlanRenderer, type RenderedPlan } from './render.js'
import { Spool } from './spool.js'
import type { PlanCommentSettings } from './settings.js'
import { isIncomplete, slug, toSummary, type PlanSummary } from './summary-file.js'

/** What plan-comment needs from the outside world; main.ts wires the real ones, tests fakes. */
export interface PlanCommentDeps {
  context: ActionContext
  /** undefined when the API cannot be used; `apiSkipReason` then says why. */
  comments: CommentApi | undefined
  /** For `drift-issue`; undefined when the API cannot be used. */
  issues?: IssueApi | undefined
  apiSkipReason: string | undefined
  writeSummary: (markdown: string) => Promise<unknown>
  uploadArtifact: (name: string, file: string) => Promise<UploadedArtifact | undefined>
  log: { info: (m: string) => void; warning: (m: string) => void }
  /** Where rendered files go (RUNNER_TEMP). */
  outputDir: string
  show?: ShowCommand
}

export const OUTPUTS = [
  'add',
  'change',
  'destroy',
  'replace',
  'import',
  'move',
  'forget',
  'drift',
  'has-changes',
  'summary',
  'comment-id',
  'comment-url',
  'issue-url',
  'markdown-file',
  'summary-file',
] as const
export type Outputs = Record<(typeof OUTPUTS)[number], string>

export interface PlanCommentResult {
  outputs: Outputs
  /** Set when the step must fail after doing its work (an errored plan). */
  failure: string | undefined
  /** The comment could not be posted: thrown once the outputs are set and the summary written. */
  error?: unknown
}

// The hidden marker and the per-post nonce live outside the budget (the drift issue's marker is the longer).
const markerReserve = (settings: PlanCommentSettings): number => commentOverhead(commentMarker('plan-comment-drift', settings.key))

export async function runPlanComment(settings: PlanCommentSettings, deps: PlanCommentDeps): Promise<PlanCommentResult> {
  return settings.mode === 'aggregate' ? runAggregate(settings, deps) : runSingle(settings, deps)
}

/**
 * Reads the plan as a stream in two passes and renders it; the full rendering goes to `write` as
 * it is put together. Pass one validates the whole document and builds the model without values
 * (addresses, actions, counts), taking from each change the leaves its sensitive marks cover: a
 * change's values are built only when its marks mark something, the others' scanned and dropped
 * (`attributeValues: 'where-sensitive'`). Pass two reads resource_changes and resource_drift
 * again, builds each change, and renders it at once, every secret of the plan known by then.
 * Large rendered texts wait in `spool`.
 */
async function renderFromPlan(
  settings: PlanCommentSettings,
  deps: PlanCommentDeps,
  spool: Spool,
  write: (text: string) => void,
): Promise<{ rendered: RenderedPlan; summary: Omit<PlanSummary, 'detailsUrl'>; failingChecks: number }> {
  const options = {
    title: settings.title,
    environment: settings.environment,
    key: settings.key,
    workingDirectory: settings.workingDirectory,
    sha: deps.context.headSha || undefined,
    commitUrl:
      deps.context.owner && deps.context.headSha
        ? `${deps.context.serverUrl}/${deps.context.owner}/${deps.context.repo}/commit/${deps.context.headSha}`
        : undefined,
    runUrl: deps.context.runUrl,
  }
  // What the plan's bytes are ("Input 'plan-json' (plan.json)", or terraform show's output), for the error below.
  let what = `Input '${(settings.source as PlanSource).input}'`
  const { model, renderer, secrets } = await withPlanBytes(
    settings.source as PlanSource,
    (bytes, label) => {
      what = label
      // Per source, merged in the order the limits of Secrets have always been applied in.
      const secrets = { changes: new Secrets(), drift: new Secrets(), deferred: new Secrets(), outputs: new Secrets() }
      const builder = new PlanBuilder({
        keepValues: false,
        onChange: (item) => secrets.changes.addChange(item.change),
        onDrift: (item) => secrets.drift.addChange(item.change),
        onDeferred: (d) => secrets.deferred.addChange(d.item.change),
        onOutput: (o) => secrets.outputs.addChange(o.change),
      })
      const ranges = new Map<string, readonly [number, number]>()
      const digests = new Map<string, string>()
      // Values only where a mark marks something: what holds no secret is scanned, not built.
      const model = builder.finish(readPlanDocument(bytes, label, builder, { ranges, digests, attributeValues: 'where-sensitive' }))
      const all = new Secrets()
      for (const s of Object.values(secrets)) all.absorb(s)
      if (all.unscrubbed > 0)
        deps.log.warning(
          `${label} has more distinct sensitive values of 6 or more characters than are looked for inside longer text (2,000): ` +
            `${all.unscrubbed} more are masked where they are a whole value only. Check the comment for secrets copied into other attributes before sharing it.`,
        )
      const renderer = new PlanRenderer(options, all, spool)
      let changes = 0
      const again = (section: 'resource_changes' | 'resource_drift', take: (raw: unknown, index: number) => void): void => {
        const range = ranges.get(section)
        if (!range) return
        // What rendering threw is its own error; what reading threw means other bytes than pass one's.
        let rendering: unknown
        const element = (_s: unknown, raw: unknown, index: number): void => {
          try {
            take(raw, index)
          } catch (error) {
            throw (rendering = error)
          }
        }
        try {
          // Other bytes than pass one's (ChangedWhileReadError) are found once the section is read:
          // what was rendered from them is never posted, as the run fails.
          readSection(bytes, range, section, { element, output: () => undefined }, { digest: digests.get(section) })
        } catch (error) {
          if (error === rendering || error instanceof ConfigurationError) throw error
          // A value too long or too deep to build is its own error: pass one, which built only
          // the changes with sensitive marks, may never have built it.
          throw cannotShow(error, label) ?? changedWhileRead(label)
        }
      }
      again('resource_changes', (raw, index) => {
        const item = toResourceItem(raw as RawResourceChange, `resource_changes[${index}]`)
        if (!isKept(item)) return
        changes++
        renderer.change(item)
      })
      again('resource_drift', (raw, index) => renderer.drift(driftItem(raw, index)))
      if (changes !== model.changes.length) throw changedWhileRead(label)
      return { model, renderer, secrets: all }
    },
    { show: deps.show, tempDir: deps.outputDir },
  ).catch((error: unknown) => {
    throw cannotShow(error, what) ?? error
  })
  const rendered = renderer.render(model, write)
  const summary = toSummary(
    model,
    {
      key: settings.key,
      environment: settings.environment,
      title: settings.title,
      summary: planSummaryLine(model),
      sha: deps.context.headSha || undefined,
    },
    (address) => secrets.mask(address),
  )
  return { rendered, summary, failingChecks: model.checks.length }
}

/**
 * A value past V8's longest string (~512 MiB), or nested deeper than the stack lets it be walked,
 * cannot be shown: said, not called a bug.
 */
function cannotShow(error: unknown, what: string): ConfigurationError | undefined {
  if (error instanceof RangeError && /call stack size/i.test(error.message))
    return new ConfigurationError(
      `${what}: a value of the plan is nested deeper than plan-comment can walk (thousands of levels), so it cannot show it. ` +
        "destroy-gate still reads such a plan; leave this plan's comment out.",
    )
  const tooLong =
    (error as { code?: unknown }).code === 'ERR_STRING_TOO_LONG' ||
    (error instanceof RangeError && /string longer than/i.test(error.message))
  if (!tooLong) return undefined
  return new ConfigurationError(
    `${what}: a change of the plan holds a value of over 512 MiB, longer than Node.js can hold as one string, so plan-comment cannot show it. ` +
      "destroy-gate still reads such a plan; leave this plan's comment out.",
  )
}

const changedWhileRead = (label: string): ConfigurationError =>
  new ConfigurationError(
    `${label} changed while it was read: the second pass over its changes found other bytes. Do not write the plan file while plan-comment runs.`,
  )

async function runSingle(settings: PlanCommentSettings, deps: PlanCommentDeps): Promise<PlanCommentResult> {
  const { context } = deps
  const pr = pullRequestNumber(context, settings.prNumber)
  makeDirectory(deps.outputDir, "The runner's temporary directory (RUNNER_TEMP)")
  const base = path.join(deps.outputDir, `plan-comment-${slug(settings.key)}`)
  const markdownFile = `${base}.md`
  const spool = new Spool(deps.outputDir)
  try {
    return await renderAndPost(settings, deps, pr, base, markdownFile, spool)
  } finally {
    spool.close()
  }
}

async function renderAndPost(
  settings: PlanCommentSettings,
  deps: PlanCommentDeps,
  pr: number | undefined,
  base: string,
  markdownFile: string,
  spool: Spool,
): Promise<PlanCommentResult> {
  const { context } = deps
  const { rendered, summary, failingChecks } = await writeInPieces(markdownFile, (write) => renderFromPlan(settings, deps, spool, write))

  const commenting = settings.commentMode !== 'off' && pr !== undefined && deps.comments !== undefined
  const commentLimits = { max: settings.maxLength - markerReserve(settings), announcedMax: settings.maxLength }
  const summaryLimits = { max: SUMMARY_LIMIT_BYTES, measure: utf8Bytes, limitText: 'GitHub’s 1 MiB job summary limit' }
  const notUploaded = settings.artifact ? '' : " (input 'artifact' is false, so it was not uploaded)"
  const renderOutputs = (fullPlanUrl: string | undefined) => {
    const jobSummary = assemble(rendered, {
      ...summaryLimits,
      fullPlanUrl,
      fullPlanNote: `The full rendering was written to ${path.basename(markdownFile)} on the runner${notUploaded}.`,
    })
    // The summary is "the full plan" only when it was not cut itself.
    const fullPlanNote = jobSummary.cut
      ? `More of the plan is in the job summary of this run (cut too, to 1 MiB); the full rendering is ${path.basename(markdownFile)} on the runner${notUploaded}.`
      : 'The full plan is in the job summary of this run.'
    return { comment: commenting ? assemble(rendered, { ...commentLimits, fullPlanUrl, fullPlanNote }) : undefined, jobSummary }
  }
  let { comment, jobSummary } = renderOutputs(undefined)
  let fullPlanUrl: string | undefined
  // One artifact, linked from whichever of the two had to be cut (or the drift issue).
  const issueCut = settings.driftIssue && assemble(rendered, commentLimits).cut
  if (settings.artifact && (comment?.cut || jobSummary.cut || issueCut)) {
    const uploaded = await deps.uploadArtifact(`plan-${slug(settings.key)}-attempt-${context.runAttempt}`, markdownFile)
    fullPlanUrl = uploaded?.url
    if (fullPlanUrl) ({ comment, jobSummary } = renderOutputs(fullPlanUrl))
  }

  let posted: UpsertResult | undefined
  let error: unknown
  if (settings.commentMode === 'off') {
    deps.log.info("comment-mode is 'off': the plan goes to the job summary only.")
  } else if (pr === undefined) {
    deps.log.info(
      `No pull request in this ${context.eventName || 'run'} event (and no 'pr-number'): the plan goes to the job summary only.`,
    )
  } else if (!deps.comments || !comment) {
    deps.log.warning(
      `The PR comment was skipped: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}. The plan is in the job summary.`,
    )
  } else {
    ;({ posted, error } = await post(deps, pr, settings, comment.text))
    if (posted) deps.log.info(`PR #${pr}: comment ${posted.action} (${posted.comment.url}).`)
  }
  let issueUrl = ''
  if (settings.driftIssue) {
    const body = assemble(rendered, {
      ...commentLimits,
      fullPlanUrl,
      fullPlanNote: `The full plan is in [the job summary of this run](${context.runUrl ?? ''}).`,
    }).text
    const tracked = await trackDrift(deps, settings, openReasons(summary, failingChecks), body)
    issueUrl = tracked.url
    error ??= tracked.error
  }
  await deps.writeSummary(jobSummary.text)

  const summaryFile = `${base}.plan-summary.json`
  writeFileSync(summaryFile, JSON.stringify({ ...summary, detailsUrl: posted?.comment.url ?? context.runUrl } satisfies PlanSummary))
  const c = summary.counts
  return {
    outputs: {
      add: String(c.add),
      change: String(c.change),
      destroy: String(c.destroy),
      replace: String(c.replace),
      import: String(c.import),
      move: String(c.move),
      forget: String(c.forget),
      drift: String(c.drift),
      'has-changes': String(summary.hasChanges),
      summary: summary.summary,
      'comment-id': posted ? String(posted.comment.id) : '',
      'comment-url': posted?.comment.url ?? '',
      'issue-url': issueUrl,
      'markdown-file': markdownFile,
      'summary-file': summaryFile,
    },
    failure: summary.errored
      ? 'The Terraform plan errored (errored: true): it is partial and cannot be applied. See the plan step for the error.'
      : undefined,
    error,
  }
}

/**
 * Why the drift issue stays open; none: the plan is clean. Only a complete, successful plan with
 * no drift and no pending changes is clean: an incomplete one has not looked at everything.
 */
export function openReasons(summary: Omit<PlanSummary, 'detailsUrl'>, failingChecks: number): string[] {
  const reasons: string[] = []
  if (summary.errored) reasons.push('the plan errored')
  if (isIncomplete(summary)) reasons.push('the plan is incomplete (deferred changes)')
  if (failingChecks > 0) reasons.push(`${failingChecks === 1 ? 'a check fails' : `${failingChecks} checks fail`}`)
  if (summary.counts.drift > 0) reasons.push('drift')
  if (summary.hasChanges) reasons.push('pending changes')
  return reasons
}

/**
 * The drift report: one tracking issue per key, open while `reasons` has any (drift, pending
 * changes, an errored or incomplete plan, failing checks), closed when it is clean. A refusal is
 * returned like a comment's.
 */
async function trackDrift(
  deps: PlanCommentDeps,
  settings: PlanCommentSettings,
  reasons: readonly string[],
  body: string,
): Promise<{ url: string; error?: unknown }> {
  if (!deps.issues) {
    deps.log.warning(`The drift issue was skipped: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}.`)
    return { url: '' }
  }
  const track = reasons.length > 0
  const where = settings.environment ?? settings.key
  try {
    const r = await syncTrackingIssue(deps.issues, {
      marker: commentMarker('plan-comment-drift', settings.key),
      track,
      // A stable title: the body says what the latest plan found. GitHub refuses one over 256 characters.
      title: ellipsize(`Terraform drift: ${visible(where)}`, 256),
      body,
      labels: settings.issueLabels,
      // The environment is user text: escaped, so `@team` pings no one and HTML stays text.
      closingNote: `The plan of ${text(ellipsize(where, 200))} is clean again (${deps.context.runUrl ?? 'this run'}): a complete plan, no drift, no pending changes, no failing check. Closing.`,
    })
    if (r.issue && r.postedAs) deps.log.warning(otherAuthorWarning('drift issue', r.postedAs))
    if (r.issue) deps.log.info(`Drift issue #${r.issue.number}: ${r.action}${track ? ` (${reasons.join(', ')})` : ''} (${r.issue.url}).`)
    return { url: r.issue?.url ?? '' }
  } catch (error) {
    return {
      url: '',
      error: explainApiError(error, {
        doing: `keep the drift issue of ${where} in ${deps.context.owner}/${deps.context.repo}`,
        permission: 'issues: write',
      }),
    }
  }
}

/** Upserts this plan's comment; a failure is returned (see postComment), a warning logged. */
async function post(
  deps: PlanCommentDeps,
  pr: number,
  settings: PlanCommentSettings,
  body: string,
): Promise<{ posted?: UpsertResult; error?: unknown }> {
  const { posted, warning, error } = await postComment(
    deps.comments as CommentApi,
    { issueNumber: pr, marker: commentMarker('plan-comment', settings.key), body, mode: settings.commentMode as CommentMode },
    deps.context,
    { prInput: 'pr-number', lengthInput: 'max-length', tokenInput: 'github-token' },
  )
  if (warning) deps.log.warning(`${warning} The plan is in the job summary.`)
  if (posted?.postedAs) deps.log.warning(otherAuthorWarning('PR comment', posted.postedAs))
  return { posted, error }
}

async function runAggregate(settings: PlanCommentSettings, deps: PlanCommentDeps): Promise<PlanCommentResult> {
  const files = settings.summaries.flatMap((entry) => summaryFiles(path.resolve(settings.workingDirectory, entry), entry))
  if (files.length === 0)
    throw new ConfigurationError(
      `Input 'summaries' matched no *.plan-summary.json files (${settings.summaries.join(', ')}). Did the matrix jobs upload their summary-file?`,
    )
  const { parseSummary } = await import('./summary-schema.js')
  const byKey = new Map<string, { s: PlanSummary; file: string; text: string }>()
  // A file named twice (a directory and a file in it) is read once.
  for (const file of new Set(files)) {
    const text = readRegularFile(file, `Input 'summaries' (${file})`).toString('utf8')
    const s = parseSummary(text, file)
    const seen = byKey.get(s.key)
    if (seen && seen.text !== text) throw sameKey(s.key, seen.file, file)
    byKey.set(s.key, { s, file, text })
  }
  const summaries = [...byKey.values()].map((v) => v.s)
  const run = { title: settings.title, serverUrl: deps.context.serverUrl, headSha: deps.context.headSha || undefined }
  for (const { s, file } of byKey.values()) {
    const sha = otherCommit(s, run.headSha)
    if (sha)
      deps.log.warning(
        `${file}: the plan of '${s.key}' is of commit ${sha}, not of ${run.headSha}, the commit this run is for: its row is marked. Re-run its plan job for the current commit.`,
      )
    if (s.detailsUrl !== undefined && !isOwnLink(s.detailsUrl, run.serverUrl))
      deps.log.warning(
        `${file}: the details of '${s.key}' link outside ${run.serverUrl} (${visible(s.detailsUrl.slice(0, 200))}): not linked. A summary file written by plan-comment links to this GitHub.`,
      )
  }
  // The comment lists a few destroyed addresses and points to the job summary, which lists more.
  const jobSummary = deps.context.runUrl ? `[the job summary of this run](${deps.context.runUrl})` : 'the job summary of this run'
  const fit = (limits: AggregateLimits, elsewhere: string): string =>
    fitToBudget(renderAggregate(summaries, run, limits), {
      max: limits.max,
      measure: limits.measure,
      omitted: (group, n) => omittedRows(group, n, elsewhere),
      footer: () => '',
    }).text
  const details = "each root module's details"
  const pr = pullRequestNumber(deps.context, settings.prNumber)
  let posted: UpsertResult | undefined
  let error: unknown
  if (settings.commentMode !== 'off' && pr !== undefined && deps.comments) {
    const limits = { max: settings.maxLength - markerReserve(settings), perModule: 5, total: 50, elsewhere: `${jobSummary} and ${details}` }
    ;({ posted, error } = await post(deps, pr, settings, fit(limits, jobSummary)))
  } else if (settings.commentMode !== 'off' && pr !== undefined) {
    deps.log.warning(`The PR comment was skipped: ${deps.apiSkipReason ?? 'the GitHub API is unavailable'}.`)
  }
  const summaryFilesNote = 'the *.plan-summary.json files'
  await deps.writeSummary(
    fit({ max: SUMMARY_LIMIT_BYTES, measure: utf8Bytes, perModule: 20, total: 2000, elsewhere: details }, summaryFilesNote),
  )
  const sum = (k: 'add' | 'change' | 'destroy' | 'replace' | 'import' | 'move' | 'forget' | 'drift'): string =>
    String(summaries.reduce((n, s) => n + (s.counts[k] ?? 0), 0))
  // From the counts too: a file's `hasChanges: false` does not hide its `add: 5`.
  const hasChanges = summaries.some(changes)
  return {
    outputs: {
      add: sum('add'),
      change: sum('change'),
      destroy: sum('destroy'),
      replace: sum('replace'),
      import: sum('import'),
      move: sum('move'),
      forget: sum('forget'),
      drift: sum('drift'),
      'has-changes': String(hasChanges),
      summary: `${summaries.length} root modules: ${sum('add')} to add, ${sum('change')} to change, ${sum('destroy')} to destroy.`,
      'comment-id': posted ? String(posted.comment.id) : '',
      'comment-url': posted?.comment.url ?? '',
      'issue-url': '',
      'markdown-file': '',
      'summary-file': '',
    },
    failure: summaries.some((s) => s.errored)
      ? `Plans errored in: ${summaries
          .filter((s) => s.errored)
          .map((s) => s.key)
          .join(', ')}.`
      : undefined,
    error,
  }
}

/**
 * Two different summaries for one key: neither may hide the other (zero counts would hide the
 * other's destroys), so the step stops, naming both.
 */
const sameKey = (key: string, first: string, second: string): ConfigurationError =>
  new ConfigurationError(
    `Input 'summaries': ${first} and ${second} are two different plans with the key '${key}', and one would hide the other. ` +
      "Give each matrix job its own 'key' (e.g. key: ${{ matrix.root }}), and download each job's summary-file once.",
  )

function summaryFiles(resolved: string, given: string): string[] {
  let stat
  try {
    stat = statSync(resolved)
  } catch {
    throw new ConfigurationError(`Input 'summaries' names a path that does not exist: ${given}`)
  }
  if (stat.isFile()) return [resolved]
  if (!stat.isDirectory())
    throw new ConfigurationError(`Input 'summaries' names ${given}, which is neither a file nor a directory (a device or a pipe?).`)
  const out: string[] = []
  for (const entry of readdirSync(resolved, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.plan-summary.json')) out.push(path.join(entry.parentPath, entry.name))
  }
  return out.sort()
}

/** A file written piece by piece, so a large text is never one string or one buffer. */
async function writeInPieces<T>(file: string, produce: (write: (text: string) => void) => Promise<T>): Promise<T> {
  const fd = openSync(file, 'w')
  try {
    return await produce((text) => {
      const bytes = Buffer.from(text, 'utf8')
      // A write may be short (a full disk fails with an error instead); write the rest.
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at)
    })
  } finally {
    closeSync(fd)
  }
}
