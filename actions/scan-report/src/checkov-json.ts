import { isRecord, record } from '@infra-actions/common'
import { newFinding, severityFromLabel, Strings, underRoot, type Kind, type Location, type PackageRef, type Severity } from './model.js'
import { arrayOf, emptyReport, positive, ReportShapeError, str, type ToolReport } from './report.js'

/**
 * Checkov's `-o json`: one report object, an array of them when several frameworks ran (the
 * secrets framework makes that common), or a bare summary object when nothing was scanned.
 * Failed checks are findings; skipped ones are findings Checkov itself suppressed
 * (`checkov:skip=ID:reason`); passed ones are only counted. Open-source Checkov writes
 * `severity: null`: those get `defaultSeverity` (input `checkov-severity`).
 */
export function readCheckovJson(
  doc: unknown,
  source: string,
  defaultSeverity: Severity,
  strings = new Strings(),
  read = checkovReading(source, defaultSeverity, strings),
): ToolReport {
  const { report } = read
  for (const r of Array.isArray(doc) ? doc : [doc]) {
    const o = record(r)
    if (!o) continue
    const summary = record(o.summary) ?? (isSummary(o) ? o : undefined)
    report.version ??= str(summary?.checkov_version)
    const results = record(o.results)
    if (!results) {
      // The bare summary: nothing was scanned, or nothing failed.
      report.passed += count(summary?.passed)
      continue
    }
    const checkType = str(o.check_type) ?? ''
    // `--quiet` leaves only failed_checks; the summary still counts the passed ones.
    report.passed += Array.isArray(results.passed_checks) ? results.passed_checks.length : count(summary?.passed)
    for (const c of arrayOf(results.failed_checks, 'failed_checks')) addCheckovRecord(record(c), checkType, false, read)
    for (const c of arrayOf(results.skipped_checks, 'skipped_checks')) addCheckovRecord(record(c), checkType, true, read)
  }
  return report
}

/** One file's reading: its report and what its records share. */
export function checkovReading(source: string, defaultSeverity: Severity, strings: Strings): CheckovReading {
  return { source, defaultSeverity, strings, report: emptyReport('Checkov'), files: new Map() }
}

export interface CheckovReading {
  source: string
  defaultSeverity: Severity
  strings: Strings
  report: ToolReport
  /** Each path as written → where it is in the workspace and whether it is a file of it: thousands of records share a few hundred. */
  files: Map<string, { file: string; isFile: boolean }>
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : 0)

function isSummary(o: Record<string, unknown>): boolean {
  return 'checkov_version' in o && 'passed' in o && 'failed' in o
}

/** One failed or skipped check (a record of `results.failed_checks` / `skipped_checks`) added to the reading's report. */
export function addCheckovRecord(c: Record<string, unknown> | undefined, checkType: string, skipped: boolean, read: CheckovReading): void {
  if (!c) return
  const { report, strings } = read
  const checkId = str(c.check_id)
  if (!checkId) {
    report.notes.push(`a ${checkType || 'Checkov'} record without check_id was skipped`)
    return
  }
  const details = record(c.vulnerability_details)
  const file = str(c.repo_file_path) ?? str(c.file_path) ?? ''
  let at = read.files.get(file)
  if (at === undefined) read.files.set(file, (at = workspacePath(file, strings)))
  const range = Array.isArray(c.file_line_range) ? c.file_line_range : []
  const startLine = positive(range[0])
  const location: Location = startLine
    ? { file: at.file, isFile: at.isFile, startLine, endLine: positive(range[1]) ?? startLine }
    : { file: at.file, isFile: at.isFile }
  // Checkov's own severity wins; SCA records carry theirs in vulnerability_details (lower case).
  // Only a missing (null) severity takes checkov-severity: another value is not Checkov's, and read
  // as the default it could pass a critical finding under fail-on: high.
  for (const given of [c.severity, details?.severity])
    if (given !== undefined && given !== null && severityFromLabel(given) === undefined)
      throw new ReportShapeError(
        `the check ${JSON.stringify(checkId).slice(0, 80)} has severity ${JSON.stringify(given).slice(0, 40)}, not one Checkov writes (LOW, MEDIUM, HIGH, CRITICAL, or null)`,
      )
  const severity = severityFromLabel(c.severity) ?? severityFromLabel(details?.severity) ?? read.defaultSeverity
  let kind: Kind = 'misconfiguration'
  let ruleId = checkId
  let pkg: PackageRef | undefined
  if (details && str(details.package_name)) {
    pkg = { name: str(details.package_name) as string, installedVersion: str(details.package_version) }
    const fixed = str(details.lowest_fixed_version) ?? str(details.fix_version)
    if (fixed && fixed !== 'N/A') pkg.fixedVersion = fixed
    if (str(details.id)) {
      // SCA: CKV_CVE_2022_1234 is CVE-2022-1234 in package p@v.
      kind = 'vulnerability'
      ruleId = (details.id as string).toUpperCase()
    } else if (str(details.license)) kind = 'license'
  } else if (checkType === 'secrets' || checkId.startsWith('CKV_SECRET_')) kind = 'secret'
  // Never the code block: for secrets it holds (part of) the secret.
  const f = newFinding('Checkov', kind, strings.of(ruleId), severity, strings.of(str(c.check_name) ?? checkId), read.source)
  f.helpUrl = strings.maybe(str(c.guideline))
  f.message = kind === 'license' ? `License ${str(details?.license) ?? 'unknown'}` : strings.maybe(str(c.short_description))
  f.locations = [location]
  f.resource = strings.maybe(str(c.resource))
  f.package = pkg
  f.target = checkType || undefined
  if (skipped)
    f.suppressedBy = {
      by: 'scanner',
      kind: 'inSource',
      reason: str(record(c.check_result)?.suppress_comment) ?? 'skipped by Checkov',
      source: 'Checkov',
    }
  report.findings.push(f)
}

/** True when a parsed JSON document looks like Checkov's, in any of its shapes. */
export function looksLikeCheckov(doc: unknown): boolean {
  const one = (o: unknown): boolean => isRecord(o) && ('check_type' in o || isRecord(o.results) || isSummary(o))
  if (Array.isArray(doc)) return doc.length === 0 || doc.every(one)
  return one(doc)
}

/**
 * Checkov's `repo_file_path` is the repository's path with a leading `/` (`/infra/main.tf`). One
 * that leaves the workspace (`/../../etc/passwd`), or is absolute otherwise (`C:\\x.tf`,
 * `file:///x.tf`, `//server/x`), is no file of it: kept as written, with no annotation, as Trivy's.
 */
function workspacePath(file: string, strings: Strings): { file: string; isFile: boolean } {
  const relative = file.startsWith('/') && !file.startsWith('//') ? file.slice(1) : file
  const placed = underRoot('', relative)
  return { file: strings.of(placed.inside ? placed.file : file), isFile: placed.inside }
}
