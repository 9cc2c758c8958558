import { isRecord } from '@infra-actions/common'
import type { ElementTaker, JsonPath, JsonWalk } from '@infra-actions/common/json-stream'
import { addCheckovRecord, checkovReading, type CheckovReading } from './checkov-json.js'
import type { Format } from './load.js'
import type { Severity, Strings } from './model.js'
import { addSarifResult, openRun, sarifReading, type Expected, type Reading, type RunReading } from './sarif-read.js'
import { readTrivyResult, trivyScope } from './trivy-json.js'
import { emptyReport, type ToolReport } from './report.js'

/**
 * Where a result file's findings are, for reading it as a stream (readJsonWalking): Trivy's
 * `Results`, Checkov's `results.failed_checks` / `skipped_checks` / `passed_checks` (one report,
 * or each of a list), SARIF's `runs[].results`. Each of their elements goes to its reader as
 * soon as it is read, so the document is never held whole; the rest of the document (small) is
 * built and read after, by the same readers, into the same reports.
 *
 * An array is streamed only when the members before it say what it is: Trivy's `ArtifactType`
 * (which decides whether targets are files), a Checkov report's `check_type`, a SARIF log's
 * `version` or `$schema` and the run's `tool`. Every writer puts them first; a document written
 * in another order is read whole, as before, with the same result.
 */
export class ResultStream implements JsonWalk {
  /** The format the streamed elements were read as (the whole document must turn out the same). */
  format: Format | undefined
  /** Trivy JSON's report, when its results were taken. */
  trivy: ToolReport | undefined
  checkov: CheckovReading | undefined
  /** SARIF runs whose results were taken, by index. */
  readonly runs = new Map<number, RunReading>()
  #sarif: Reading | undefined

  constructor(
    private readonly options: {
      input: 'trivy' | 'checkov' | 'sarif'
      expected: Expected
      what: string
      source: string
      checkovSeverity: Severity
      root: string
      strings: Strings
    },
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
    if (path.length === 2 && path[0] === 'results') return this.#checkov(root, path[1])
    if (path.length === 3 && path[1] === 'results') return this.#checkov(parents[1], path[2])
    return undefined
  }

  #trivy(top: object | undefined): ElementTaker | undefined {
    if (this.options.input !== 'trivy' || !isRecord(top) || !('ArtifactType' in top) || 'ClusterName' in top || 'runs' in top)
      return undefined
    if (!this.#is('trivy-json')) return undefined
    const report = (this.trivy ??= emptyReport('Trivy'))
    const scope = trivyScope(top, this.options.source, this.options.strings)
    return (result) => (readTrivyResult(isRecord(result) ? result : undefined, scope, report), true)
  }

  #checkov(report: object | undefined, list: string | number | undefined): ElementTaker | undefined {
    if (this.options.input !== 'checkov' || !isRecord(report) || typeof report.check_type !== 'string' || !CHECKOV_LISTS.has(list))
      return undefined
    if (!this.#is('checkov-json')) return undefined
    const read = (this.checkov ??= checkovReading(this.options.source, this.options.checkovSeverity, this.options.strings))
    if (list === 'passed_checks') return () => (read.report.passed++, true)
    const skipped = list === 'skipped_checks'
    const checkType = report.check_type
    return (c) => (addCheckovRecord(isRecord(c) ? c : undefined, checkType, skipped, read), true)
  }

  #sarifRun(log: object | undefined, run: object | undefined, index: number): ElementTaker | undefined {
    if (!isRecord(log) || !('version' in log || '$schema' in log) || !isRecord(run) || !('tool' in run)) return undefined
    if (!this.#is('sarif')) return undefined
    const { expected, what, source, checkovSeverity, root, strings } = this.options
    this.#sarif ??= sarifReading({ expected, what, source, checkovSeverity, root }, strings)
    const reading = openRun(run, index, this.#sarif)
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
