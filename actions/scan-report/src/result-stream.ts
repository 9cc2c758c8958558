import { ConfigurationError, isRecord } from '@infra-actions/common'
import type { ElementTaker, JsonPath, JsonWalk } from '@infra-actions/common/json-stream'
import { addCheckovRecord, checkovReading, type CheckovReading } from './checkov-json.js'
import type { Format } from './load.js'
import type { Strings } from './model.js'
import { addSarifResult, openRun, sarifReading, type Reading, type RunReading, type SarifReadOptions } from './sarif-read.js'
import { readTrivyResult, trivyScope } from './trivy-json.js'
import { emptyReport, str, type ToolReport } from './report.js'

/**
 * Where a result file's findings are, for reading it as a stream (readJsonWalking): Trivy's
 * `Results`, Checkov's `results.failed_checks` / `skipped_checks` / `passed_checks` (one report,
 * or each of a list), SARIF's `runs[].results`. Each of their elements goes to its reader as
 * soon as it is read, so the document is never held whole; the rest of the document (small) is
 * built and read after, by the same readers, into the same reports.
 *
 * An array is streamed only when the members before it say what it is: Trivy's `ArtifactType`
 * (which decides whether targets are files), a Checkov report's `check_type`, a SARIF log's
 * `version` (2.1.0) or `$schema` and the run's `tool`. Every writer puts them first; a document
 * written in another order is read whole, as before, with the same result, findings in the same
 * order: once one of Checkov's lists is kept for later, no later one is streamed (the whole
 * reading goes report by report, failed checks before skipped ones). A reader's complaint about
 * what came first (a run's tool) waits for the whole file to be checked: the reading after says it.
 */
export class ResultStream implements JsonWalk {
  /** The format the streamed elements were read as (the whole document must turn out the same). */
  format: Format | undefined
  /** Trivy JSON's report, when its results were taken. */
  trivy: ToolReport | undefined
  checkov: CheckovReading | undefined
  /** A Checkov list was kept for the reading after: streaming more would put findings out of order. */
  #checkovKept = false
  /** SARIF runs whose results were taken, by index. */
  readonly runs = new Map<number, RunReading>()
  #sarif: Reading | undefined

  constructor(
    /** How the file is read (the SARIF reader's options serve every format), its input and the run's strings. */
    private readonly options: SarifReadOptions & { input: 'trivy' | 'checkov' | 'sarif'; strings: Strings },
  ) {}

  walk(path: JsonPath): boolean {
    const [a, b, c] = path
    const element = (x: unknown): boolean => typeof x === 'number'
    switch (path.length) {
      case 0:
        return true
      case 1:
        // A Checkov list's reports are walked; so are a legacy Trivy list's results, harmlessly.
        return a === 'Results' || a === 'runs' || a === 'results' || element(a)
      case 2:
        return (a === 'runs' && element(b)) || (a === 'results' && CHECKOV_LISTS.has(b)) || (element(a) && b === 'results')
      case 3:
        return (a === 'runs' && c === 'results') || (element(a) && b === 'results' && CHECKOV_LISTS.has(c))
      default:
        return false
    }
  }

  take(path: JsonPath, parents: readonly object[]): ElementTaker | undefined {
    const root = parents[0]
    if (path.length === 1 && path[0] === 'Results') return this.#trivy(root)
    if (path.length === 3 && path[0] === 'runs' && path[2] === 'results') return this.#sarifRun(root, parents[2], path[1] as number)
    if (path.length === 2 && path[0] === 'results') return this.#checkov(root, parents[1], path[1])
    if (path.length === 3 && path[1] === 'results') return this.#checkov(parents[1], parents[2], path[2])
    return undefined
  }

  #trivy(top: object | undefined): ElementTaker | undefined {
    if (this.options.input !== 'trivy' || !isRecord(top) || !('ArtifactType' in top) || 'ClusterName' in top || 'runs' in top)
      return undefined
    if (!this.#is('trivy-json')) return undefined
    const report = (this.trivy ??= emptyReport('Trivy'))
    const scope = trivyScope(top, this.options.source, this.options.strings, this.options.trivyRoot ?? '')
    return (result) => (readTrivyResult(isRecord(result) ? result : undefined, scope, report), true)
  }

  #checkov(report: object | undefined, results: object | undefined, list: string | number | undefined): ElementTaker | undefined {
    if (this.options.input !== 'checkov' || !CHECKOV_LISTS.has(list)) return undefined
    const counted = list === 'passed_checks'
    // Skipped checks come after the failed ones in the reading: only once those are known.
    const inOrder = counted || (!this.#checkovKept && (list === 'failed_checks' || (isRecord(results) && 'failed_checks' in results)))
    if (!isRecord(report) || !('check_type' in report) || !inOrder || !this.#is('checkov-json')) {
      if (!counted) this.#checkovKept = true
      return undefined
    }
    const read = (this.checkov ??= checkovReading(this.options.source, this.options.checkovSeverity, this.options.strings))
    if (counted) return () => (read.report.passed++, true)
    const skipped = list === 'skipped_checks'
    // As the reading of a whole report has it (`readCheckovJson`).
    const checkType = str(report.check_type) ?? ''
    return (c) => (addCheckovRecord(isRecord(c) ? c : undefined, checkType, skipped, read), true)
  }

  #sarifRun(log: object | undefined, run: object | undefined, index: number): ElementTaker | undefined {
    if (!isRecord(log) || !isRecord(run) || !('tool' in run)) return undefined
    // Another version is refused by the reading after, once the whole file is known to be JSON.
    if (!(log.version === '2.1.0' || (!('version' in log) && '$schema' in log)) || !this.#is('sarif')) return undefined
    this.#sarif ??= sarifReading(this.options, this.options.strings)
    let reading: RunReading
    try {
      reading = openRun(run, index, this.#sarif)
    } catch (error) {
      // Said by the reading after (in the runs' order), if the rest of the file is JSON at all.
      if (error instanceof ConfigurationError) return undefined
      throw error
    }
    this.runs.set(index, reading)
    return (result) => (addSarifResult(reading, result), true)
  }

  /** Settles the format on the first streamed array; a second kind of array in one document is read whole. */
  #is(format: Format): boolean {
    this.format ??= format
    return this.format === format
  }
}

const CHECKOV_LISTS = new Set<unknown>(['failed_checks', 'skipped_checks', 'passed_checks'])
