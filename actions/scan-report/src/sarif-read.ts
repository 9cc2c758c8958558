import path from 'node:path'
import { ConfigurationError, isRecord, own, record } from '@infra-actions/common'
import {
  canonicalTrivyRule,
  newFinding,
  normalizePath,
  underRoot,
  severityFromLabel,
  severityFromScore,
  type Kind,
  type Location,
  type RawFinding,
  type Severity,
  type Suppression,
  Strings,
} from './model.js'
import { arrayOf, emptyReport, positive, ReportShapeError, str, type ToolReport } from './report.js'

/** The tool an input promises: `trivy` and `checkov` take only their scanner's runs, `sarif` any. */
export type Expected = 'Trivy' | 'Checkov' | undefined

export interface SarifReadOptions {
  expected: Expected
  /** For `what`-prefixed errors: "Input 'trivy' (scan.sarif)". */
  what: string
  source: string
  checkovSeverity: Severity
  /** The workspace: absolute `file://` URIs under it become relative. */
  root: string
  /** Where relative URIs are (input 'trivy-root', for Trivy's own files): they are placed under it. '' for the workspace. */
  trivyRoot?: string
}

/** Checkov's SARIF has been written as `Bridgecrew` by default and `Checkov` by its CLI. */
export const CHECKOV_DRIVERS = new Set(['Checkov', 'Bridgecrew'])

export function looksLikeSarif(doc: unknown): boolean {
  return isRecord(doc) && Array.isArray(doc.runs) && ('version' in doc || '$schema' in doc)
}

/**
 * Every run of a SARIF 2.1.0 log, one report per run. `started`: the runs whose results a reader
 * of the stream already took (by their index; `doc` then holds them without those results).
 */
export function readSarif(
  doc: unknown,
  options: SarifReadOptions,
  strings = new Strings(),
  started: ReadonlyMap<number, RunReading> = new Map(),
): ToolReport[] {
  const log = record(doc) ?? {}
  if (log.version !== undefined && log.version !== '2.1.0')
    throw new ConfigurationError(`${options.what} is SARIF ${String(log.version)}; only SARIF 2.1.0 is read.`)
  const runs = Array.isArray(log.runs) ? log.runs : []
  const read = sarifReading(options, strings)
  return runs.map((item, i) => {
    const run = record(item) ?? {}
    const reading = started.get(i) ?? openRun(run, i, read)
    for (const result of arrayOf(run.results, `runs[${i}].results`)) addSarifResult(reading, result)
    return closeRun(reading, run)
  })
}

export function sarifReading(options: SarifReadOptions, strings: Strings): Reading {
  return { options, strings, files: [new Map(), new Map()], placed: new Map() }
}

/** One file's reading: its options, the run's shared strings, and each URI's file worked out once. */
export interface Reading {
  options: SarifReadOptions
  strings: Strings
  /** uri → its file and whether it is one of the repository, for `isFile` false and true. */
  files: [Map<string, FileOfUri>, Map<string, FileOfUri>]
  /** Paths placed under 'trivy-root' → as Trivy wrote them: an image run found out at its close is put back. */
  placed: Map<string, string>
}

/** A path of Trivy's, relative to the directory it scanned, placed under 'trivy-root' (remembered: see closeRun). */
function place(read: Reading, written: string): { file: string; inside: boolean } {
  const placed = underRoot(read.options.trivyRoot ?? '', written)
  const as = normalizePath(written)
  if (placed.file !== as) read.placed.set(placed.file, as)
  return placed
}

interface FileOfUri {
  file: string
  isFile: boolean
}

/** What every result of one rule shares, worked out at its first result. */
interface RuleFacts {
  rule: Record<string, unknown> | undefined
  name: string
  shortDescription: string | undefined
  helpUrl: string | undefined
  score: Severity | undefined
  /** The first severity among Trivy's tags. */
  tagged: Severity | undefined
  /** The AVD id in the help link of an older Trivy's `s3-bucket-logging`-style rule. */
  linked: string | undefined
}

/** A run being read: what its results share, worked out from the members before them. */
export interface RunReading {
  read: Reading
  report: ToolReport
  name: string
  flavour: Expected
  rules: (Record<string, unknown> | undefined)[]
  byId: Map<string, Record<string, unknown>>
  facts: Map<Record<string, unknown> | undefined, RuleFacts>
  image: boolean
}

/**
 * Starts reading a run from its members before `results` (`tool` comes first in every writer's
 * output): its tool checked against the input, its rules indexed.
 */
export function openRun(run: Record<string, unknown>, index: number, read: Reading): RunReading {
  const { options } = read
  const driver = record(record(run.tool)?.driver)
  let name = str(driver?.name)
  const notes: string[] = []
  if (!name) {
    if (!options.expected)
      throw new ConfigurationError(`${options.what}: run ${index + 1} has no tool.driver.name, so its tool is unknown.`)
    name = options.expected
    notes.push(
      `run ${index + 1} of ${options.source} names no tool; it was read as ${name}'s because it came in input '${options.expected.toLowerCase()}'`,
    )
  }
  const flavour: Expected = name === 'Trivy' ? 'Trivy' : CHECKOV_DRIVERS.has(name) ? 'Checkov' : undefined
  // One tool, one name: a `Bridgecrew` run and the JSON of the same scan are one set of findings, in one run.
  if (flavour === 'Checkov') name = 'Checkov'
  if (options.expected && flavour !== options.expected)
    throw new ConfigurationError(
      `${options.what} holds a SARIF run of '${name}', not ${options.expected}; give it in input '${flavour ? flavour.toLowerCase() : 'sarif'}'.`,
    )
  const report = emptyReport(name)
  report.notes.push(...notes)
  const version = str(driver?.version)
  if (version) report.version = version
  report.fullName = str(driver?.fullName)
  report.informationUri = str(driver?.informationUri)
  const rules = Array.isArray(driver?.rules) ? driver.rules.map(record) : []
  const byId = new Map<string, Record<string, unknown>>()
  for (const r of rules) if (r && typeof r.id === 'string' && !byId.has(r.id)) byId.set(r.id, r)
  return { read, report, name, flavour, rules, byId, facts: new Map(), image: imageRun(run) }
}

/** Trivy marks image scans on the run (after its results); then no location is a repository file. */
const imageRun = (run: Record<string, unknown>): boolean => isRecord(run.properties) && 'imageName' in run.properties

/** One result of the run read into its report. */
export function addSarifResult(reading: RunReading, item: unknown): void {
  const { read, report, name, flavour, rules, byId, facts, image } = reading
  const { options, strings } = read
  const result = record(item)
  if (!result) return
  const ruleIndex = typeof result.ruleIndex === 'number' ? result.ruleIndex : -1
  const ruleId = str(result.ruleId) ?? str(record(result.rule)?.id) ?? str(rules[ruleIndex]?.id)
  if (!ruleId) {
    report.notes.push(`a result of ${name} in ${options.source} has no rule id and was skipped`)
    return
  }
  const rule = (ruleIndex >= 0 ? rules[ruleIndex] : undefined) ?? byId.get(ruleId)
  let known = facts.get(rule)
  if (!known) facts.set(rule, (known = factsOf(rule, strings)))
  const finding =
    flavour === 'Trivy'
      ? trivyResult(result, known, strings.of(ruleId), image, read)
      : flavour === 'Checkov'
        ? checkovResult(result, known, strings.of(ruleId), name, read)
        : genericResult(result, known, strings.of(ruleId), name, read)
  finding.suppressedBy = suppressionOf(result, name)
  report.findings.push(finding)
}

/**
 * The run's report, once all of it is read. Trivy writes `properties.imageName` after the
 * results: when it turns out to be an image scan, the results taken before are no repository
 * files after all.
 */
export function closeRun(reading: RunReading, run: Record<string, unknown>): ToolReport {
  if (!reading.image && imageRun(run) && reading.flavour === 'Trivy') {
    reading.image = true
    // Nor are their paths under 'trivy-root': each put back as Trivy wrote it.
    const { placed } = reading.read
    for (const f of reading.report.findings)
      f.locations = f.locations.map((l) =>
        l.isFile || placed.has(l.file) ? { ...l, file: placed.get(l.file) ?? l.file, isFile: false } : l,
      )
  }
  return reading.report
}

function factsOf(rule: Record<string, unknown> | undefined, strings: Strings): RuleFacts {
  const properties = record(rule?.properties)
  const tags = properties?.tags
  const helpUrl = strings.maybe(str(rule?.helpUri))
  return {
    rule,
    name: str(rule?.name) ?? '',
    shortDescription: strings.maybe(text(rule?.shortDescription)),
    helpUrl,
    score: severityFromScore(properties?.['security-severity']),
    tagged: Array.isArray(tags) ? tags.map(severityFromLabel).find((s) => s !== undefined) : undefined,
    linked: /\/misconfig\/(avd-[a-z]+-\d+)$/i.exec(helpUrl ?? '')?.[1],
  }
}

const text = (m: unknown): string | undefined => str(record(m)?.text)

function locationsOf(result: Record<string, unknown>, read: Reading, isFile = true): Location[] {
  const out: Location[] = []
  const files = read.files[isFile ? 1 : 0]
  for (const l of Array.isArray(result.locations) ? result.locations : []) {
    const physical = record(record(l)?.physicalLocation)
    const uri = str(record(physical?.artifactLocation)?.uri)
    if (!uri) continue
    let at = files.get(uri)
    if (!at) {
      at = fileOfUri(uri, read, isFile)
      at.file = read.strings.of(at.file)
      files.set(uri, at)
    }
    const region = record(physical?.region)
    const startLine = positive(region?.startLine)
    out.push(
      startLine
        ? { file: at.file, isFile: at.isFile, startLine, endLine: positive(region?.endLine) ?? startLine }
        : { file: at.file, isFile: at.isFile },
    )
  }
  return out
}

function fileOfUri(uri: string, read: Reading, isFile: boolean): FileOfUri {
  let p = uri
  try {
    p = decodeURIComponent(uri)
  } catch {
    // Not percent-encoded after all: the text as written.
  }
  if (/^file:/i.test(uri)) {
    const abs = p.replace(/^file:(\/\/[^/]*)?/i, '')
    const rel = path.relative(read.options.root, abs)
    return rel.startsWith('..') || path.isAbsolute(rel) ? { file: abs, isFile: false } : { file: normalizePath(rel), isFile }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return { file: p, isFile: false }
  if (!isFile) return { file: normalizePath(p), isFile }
  const placed = place(read, p)
  return { file: placed.file, isFile: placed.inside }
}

/** The severity a SARIF level stands for; a level SARIF 2.1.0 does not define is refused, not read as unknown. */
function levelSeverity(result: Record<string, unknown>, rule: Record<string, unknown> | undefined): Severity {
  // SARIF 2.1.0 §3.27.10: without a level, a result of another kind than `fail` (pass, review, …) is `none`.
  const kind = result.kind ?? 'fail'
  const level = result.level ?? (kind !== 'fail' ? 'none' : (record(rule?.defaultConfiguration)?.level ?? 'warning'))
  const severity = typeof level === 'string' ? own(LEVEL_SEVERITY, level) : undefined
  if (severity === undefined)
    throw new ReportShapeError(
      `a result of rule ${JSON.stringify(str(result.ruleId) ?? '?').slice(0, 80)} has level ${JSON.stringify(level).slice(0, 40)}, which SARIF 2.1.0 does not define (none, note, warning, error)`,
    )
  return severity
}

const LEVEL_SEVERITY: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'unknown' }

/** The `Name: value` lines of Trivy's SARIF message text that are read, each pattern compiled once. */
const FIELDS = new Map(
  ['Severity', 'Package', 'Installed Version', 'Fixed Version', 'PkgName', 'Path', 'Classification', 'Artifact', 'Match', 'Message'].map(
    (name) => [name, new RegExp(`^\\s*${name}: ?(.*)$`, 'm')],
  ),
)

/** A `Name: value` line of Trivy's SARIF message text. */
function field(message: string, name: string): string | undefined {
  const m = (FIELDS.get(name) as RegExp).exec(message)
  return m && m[1]?.trim() !== '' ? m[1]?.trim() : undefined
}

const TRIVY_KIND: Record<string, Kind> = {
  OsPackageVulnerability: 'vulnerability',
  LanguageSpecificPackageVulnerability: 'vulnerability',
  Misconfiguration: 'misconfiguration',
  Secret: 'secret',
  License: 'license',
}

/** Trivy writes 1:1 when it knows no line; that is no line. */
function lineless(locations: Location[]): Location[] {
  let out = locations
  for (let i = 0; i < locations.length; i++) {
    const l = locations[i] as Location
    if (l.startLine !== 1 || l.endLine !== 1) continue
    if (out === locations) out = locations.slice()
    out[i] = { file: l.file, isFile: l.isFile }
  }
  return out
}

/** Trivy's SARIF (pkg/report/sarif.go): the facts its JSON has structured are lines of the message. */
function trivyResult(result: Record<string, unknown>, facts: RuleFacts, ruleId: string, image: boolean, read: Reading): RawFinding {
  const { rule, name: ruleName } = facts
  const { strings } = read
  const message = text(result.message) ?? ''
  // The result's own line first: Trivy writes one rule per id, tagged with its first result's severity,
  // and one CVE can be LOW in one package and CRITICAL in another.
  const severity = severityFromLabel(field(message, 'Severity')) ?? facts.tagged ?? facts.score ?? levelSeverity(result, rule)
  const kind: Kind =
    own(TRIVY_KIND, ruleName) ??
    (/^Package: /m.test(message)
      ? 'vulnerability'
      : /^Match: /m.test(message)
        ? 'secret'
        : /^License /m.test(message)
          ? 'license'
          : 'misconfiguration')
  const isFile = !image && ruleName !== 'OsPackageVulnerability' && kind !== 'license'
  const locations = locationsOf(result, read, isFile)
  const f = newFinding('Trivy', kind, ruleId, severity, facts.shortDescription ?? ruleId, read.options.source)
  f.helpUrl = facts.helpUrl
  switch (kind) {
    case 'vulnerability':
      f.locations = lineless(locations)
      f.package = {
        name: strings.of(field(message, 'Package') ?? ''),
        installedVersion: strings.maybe(field(message, 'Installed Version')),
        fixedVersion: strings.maybe(field(message, 'Fixed Version')),
      }
      f.target = locations[0]?.file
      return f
    case 'license': {
      const pkgName = field(message, 'PkgName')
      const license = /^License (.+)$/m.exec(message)?.[1]?.trim() ?? ruleId.slice(ruleId.lastIndexOf(':') + 1)
      const filePath = field(message, 'Path')
      const classification = field(message, 'Classification')
      f.ruleId = license
      f.title = pkgName ? `${license} license in ${pkgName}` : `${license} license in ${filePath ?? locations[0]?.file ?? ''}`
      f.message = classification ? `classified ${classification}` : undefined
      // A license file's path is relative to the scanned directory, as in the JSON.
      const placed = filePath && !image ? place(read, filePath).file : filePath
      f.locations = placed ? [{ file: placed, isFile: false }] : lineless(locations)
      if (pkgName) f.package = { name: pkgName }
      f.target = field(message, 'Artifact')
      return f
    }
    case 'secret':
      f.locations = locations
      f.masked = field(message, 'Match')
      return f
    default: {
      // `s3-bucket-logging`-style names of older Trivy: the rule's help link names the AVD id.
      const linked = facts.linked
      f.aliasOf = linked && canonicalTrivyRule(linked) !== canonicalTrivyRule(ruleId) ? strings.of(linked.toUpperCase()) : undefined
      f.message = strings.maybe(field(message, 'Message'))
      f.locations = lineless(locations)
      return f
    }
  }
}

/** Checkov's SARIF (checkov/common/output/sarif.py): severity only when known, SCA ids as `CVE_pkg@version`. */
function checkovResult(result: Record<string, unknown>, facts: RuleFacts, ruleId: string, tool: string, read: Reading): RawFinding {
  const sca = /^((?:CVE|GHSA)-[\w-]+?)_(.+)@([^@]+)$/i.exec(ruleId)
  const f = newFinding(
    tool,
    sca ? 'vulnerability' : ruleId.startsWith('CKV_SECRET_') ? 'secret' : 'misconfiguration',
    sca ? (sca[1] as string).toUpperCase() : ruleId,
    facts.score ?? read.options.checkovSeverity,
    read.strings.maybe(text(result.message)) ?? facts.shortDescription ?? ruleId,
    read.options.source,
  )
  f.helpUrl = facts.helpUrl
  f.locations = locationsOf(result, read)
  if (sca) f.package = { name: sca[2] as string, installedVersion: sca[3] as string }
  return f
}

function genericResult(result: Record<string, unknown>, facts: RuleFacts, ruleId: string, tool: string, read: Reading): RawFinding {
  const fingerprints = { ...record(result.partialFingerprints), ...record(result.fingerprints) }
  const fp = Object.keys(fingerprints)
    .sort()
    .map((k) => `${k}=${String(fingerprints[k])}`)
    .join('|')
  const f = newFinding(
    tool,
    'other',
    ruleId,
    facts.score ?? levelSeverity(result, facts.rule),
    facts.shortDescription ?? text(result.message) ?? ruleId,
    read.options.source,
  )
  f.helpUrl = facts.helpUrl
  f.message = text(result.message)
  f.locations = locationsOf(result, read)
  f.fingerprint = fp || undefined
  return f
}

function suppressionOf(result: Record<string, unknown>, tool: string): Suppression | undefined {
  const list = Array.isArray(result.suppressions) ? result.suppressions.map(record) : []
  // A suppression under review or rejected does not suppress (SARIF §3.35.3), and outweighs an
  // accepted one beside it: a result one reviewer rejected is not suppressed.
  if (list.some((x) => x && (x.status === 'rejected' || x.status === 'underReview'))) return undefined
  const s = list.find((x) => x && (x.status === undefined || x.status === 'accepted'))
  if (!s) return undefined
  return {
    by: 'scanner',
    kind: s.kind === 'inSource' ? 'inSource' : 'external',
    reason: str(s.justification) ?? `suppressed by ${tool}`,
    source: tool,
  }
}

/** Our own fingerprint in a merged SARIF result, for baselines. */
export function scanReportFingerprint(result: unknown): string | undefined {
  return str(record(record(result)?.partialFingerprints)?.['scanReport/v1'])
}
