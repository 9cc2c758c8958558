import path from 'node:path'
import { ConfigurationError, isRecord, record } from '@infra-actions/common'
import {
  canonicalTrivyRule,
  normalizePath,
  severityFromLabel,
  severityFromScore,
  type Kind,
  type Location,
  type RawFinding,
  type Severity,
  type Suppression,
} from './model.js'
import { emptyReport, positive, str, type ToolReport } from './report.js'

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
}

/** Checkov's SARIF has been written as `Bridgecrew` by default and `Checkov` by its CLI. */
export const CHECKOV_DRIVERS = new Set(['Checkov', 'Bridgecrew'])

export function looksLikeSarif(doc: unknown): boolean {
  return isRecord(doc) && Array.isArray(doc.runs) && ('version' in doc || '$schema' in doc)
}

/** Every run of a SARIF 2.1.0 log, one report per run. */
export function readSarif(doc: unknown, options: SarifReadOptions): ToolReport[] {
  const log = record(doc) ?? {}
  if (log.version !== undefined && log.version !== '2.1.0')
    throw new ConfigurationError(`${options.what} is SARIF ${String(log.version)}; only SARIF 2.1.0 is read.`)
  const runs = Array.isArray(log.runs) ? log.runs : []
  return runs.map((run, i) => readRun(record(run) ?? {}, i, options))
}

function readRun(run: Record<string, unknown>, index: number, options: SarifReadOptions): ToolReport {
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
  // Trivy marks image scans on the run; then no location is a repository file.
  const image = isRecord(run.properties) && 'imageName' in run.properties
  const results = Array.isArray(run.results) ? run.results : []
  for (const item of results) {
    const result = record(item)
    if (!result) continue
    const ruleIndex = typeof result.ruleIndex === 'number' ? result.ruleIndex : -1
    const ruleId = str(result.ruleId) ?? str(record(result.rule)?.id) ?? str(rules[ruleIndex]?.id)
    if (!ruleId) {
      report.notes.push(`a result of ${name} in ${options.source} has no rule id and was skipped`)
      continue
    }
    const rule = (ruleIndex >= 0 ? rules[ruleIndex] : undefined) ?? byId.get(ruleId)
    const finding =
      flavour === 'Trivy'
        ? trivyResult(result, rule, ruleId, image, options)
        : flavour === 'Checkov'
          ? checkovResult(result, rule, ruleId, name, options)
          : genericResult(result, rule, ruleId, name, options)
    finding.suppressedBy = suppressionOf(result, name)
    report.findings.push(finding)
  }
  return report
}

const text = (m: unknown): string | undefined => str(record(m)?.text)

function locationsOf(result: Record<string, unknown>, options: SarifReadOptions, isFile = true): Location[] {
  const out: Location[] = []
  for (const l of Array.isArray(result.locations) ? result.locations : []) {
    const physical = record(record(l)?.physicalLocation)
    const uri = str(record(physical?.artifactLocation)?.uri)
    if (!uri) continue
    const region = record(physical?.region)
    const startLine = positive(region?.startLine)
    out.push({
      ...fileOfUri(uri, options.root, isFile),
      ...(startLine ? { startLine, endLine: positive(region?.endLine) ?? startLine } : {}),
    })
  }
  return out
}

function fileOfUri(uri: string, root: string, isFile: boolean): { file: string; isFile: boolean } {
  let p = uri
  try {
    p = decodeURIComponent(uri)
  } catch {
    // Not percent-encoded after all: the text as written.
  }
  if (/^file:/i.test(uri)) {
    const abs = p.replace(/^file:(\/\/[^/]*)?/i, '')
    const rel = path.relative(root, abs)
    return rel.startsWith('..') || path.isAbsolute(rel) ? { file: abs, isFile: false } : { file: normalizePath(rel), isFile }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return { file: p, isFile: false }
  return { file: normalizePath(p), isFile }
}

function ruleSeverityScore(rule: Record<string, unknown> | undefined): Severity | undefined {
  return severityFromScore(record(rule?.properties)?.['security-severity'])
}

function levelOf(result: Record<string, unknown>, rule: Record<string, unknown> | undefined): string {
  return str(result.level) ?? str(record(rule?.defaultConfiguration)?.level) ?? 'warning'
}

const LEVEL_SEVERITY: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low', none: 'unknown' }

/** A `Name: value` line of Trivy's SARIF message text. */
function field(message: string, name: string): string | undefined {
  const m = new RegExp(`^\\s*${name}: ?(.*)$`, 'm').exec(message)
  return m && m[1]?.trim() !== '' ? m[1]?.trim() : undefined
}

const TRIVY_KIND: Record<string, Kind> = {
  OsPackageVulnerability: 'vulnerability',
  LanguageSpecificPackageVulnerability: 'vulnerability',
  Misconfiguration: 'misconfiguration',
  Secret: 'secret',
  License: 'license',
}

/** Trivy's SARIF (pkg/report/sarif.go): the facts its JSON has structured are lines of the message. */
function trivyResult(
  result: Record<string, unknown>,
  rule: Record<string, unknown> | undefined,
  ruleId: string,
  image: boolean,
  options: SarifReadOptions,
): RawFinding {
  const message = text(result.message) ?? ''
  const tags = record(rule?.properties)?.tags
  const tagged = Array.isArray(tags) ? tags.map(severityFromLabel).find((s) => s !== undefined) : undefined
  const severity =
    tagged ?? severityFromLabel(field(message, 'Severity')) ?? ruleSeverityScore(rule) ?? LEVEL_SEVERITY[levelOf(result, rule)] ?? 'unknown'
  const ruleName = str(rule?.name) ?? ''
  const kind: Kind =
    TRIVY_KIND[ruleName] ??
    (/^Package: /m.test(message)
      ? 'vulnerability'
      : /^Match: /m.test(message)
        ? 'secret'
        : /^License /m.test(message)
          ? 'license'
          : 'misconfiguration')
  const isFile = !image && ruleName !== 'OsPackageVulnerability' && kind !== 'license'
  const locations = locationsOf(result, options, isFile)
  const base = {
    tool: 'Trivy',
    kind,
    ruleId,
    severity,
    title: text(rule?.shortDescription) ?? ruleId,
    helpUrl: str(rule?.helpUri),
    source: options.source,
  }
  // Trivy writes 1:1 when it knows no line; that is no line.
  const lineless = (l: Location): Location =>
    l.startLine === 1 && l.endLine === 1 && kind !== 'secret' ? { file: l.file, isFile: l.isFile } : l
  switch (kind) {
    case 'vulnerability':
      return {
        ...base,
        locations: locations.map(lineless),
        package: {
          name: field(message, 'Package') ?? '',
          installedVersion: field(message, 'Installed Version'),
          fixedVersion: field(message, 'Fixed Version'),
        },
        target: locations[0]?.file,
      }
    case 'license': {
      const pkgName = field(message, 'PkgName')
      const license = /^License (.+)$/m.exec(message)?.[1]?.trim() ?? ruleId.slice(ruleId.lastIndexOf(':') + 1)
      const filePath = field(message, 'Path')
      return {
        ...base,
        ruleId: license,
        title: pkgName ? `${license} license in ${pkgName}` : `${license} license in ${filePath ?? locations[0]?.file ?? ''}`,
        message: field(message, 'Classification') ? `classified ${field(message, 'Classification')}` : undefined,
        locations: filePath ? [{ file: filePath, isFile: false }] : locations.map(lineless),
        ...(pkgName ? { package: { name: pkgName } } : {}),
        target: field(message, 'Artifact'),
      }
    }
    case 'secret':
      return { ...base, locations, masked: field(message, 'Match') }
    default: {
      // `s3-bucket-logging`-style names of older Trivy: the rule's help link names the AVD id.
      const linked = /\/misconfig\/(avd-[a-z]+-\d+)$/i.exec(str(rule?.helpUri) ?? '')?.[1]
      return {
        ...base,
        aliasOf: linked && canonicalTrivyRule(linked) !== canonicalTrivyRule(ruleId) ? linked.toUpperCase() : undefined,
        message: field(message, 'Message'),
        locations: locations.map(lineless),
      }
    }
  }
}

/** Checkov's SARIF (checkov/common/output/sarif.py): severity only when known, SCA ids as `CVE_pkg@version`. */
function checkovResult(
  result: Record<string, unknown>,
  rule: Record<string, unknown> | undefined,
  ruleId: string,
  tool: string,
  options: SarifReadOptions,
): RawFinding {
  const locations = locationsOf(result, options)
  const sca = /^((?:CVE|GHSA)-[\w-]+?)_(.+)@([^@]+)$/i.exec(ruleId)
  const base = {
    tool,
    ruleId,
    severity: ruleSeverityScore(rule) ?? options.checkovSeverity,
    title: text(result.message) ?? text(rule?.shortDescription) ?? ruleId,
    helpUrl: str(rule?.helpUri),
    locations,
    source: options.source,
  }
  if (sca) {
    return {
      ...base,
      kind: 'vulnerability',
      ruleId: (sca[1] as string).toUpperCase(),
      package: { name: sca[2] as string, installedVersion: sca[3] as string },
    }
  }
  return { ...base, kind: ruleId.startsWith('CKV_SECRET_') ? 'secret' : 'misconfiguration' }
}

function genericResult(
  result: Record<string, unknown>,
  rule: Record<string, unknown> | undefined,
  ruleId: string,
  tool: string,
  options: SarifReadOptions,
): RawFinding {
  const fingerprints = { ...record(result.partialFingerprints), ...record(result.fingerprints) }
  const fp = Object.keys(fingerprints)
    .sort()
    .map((k) => `${k}=${String(fingerprints[k])}`)
    .join('|')
  return {
    tool,
    kind: 'other',
    ruleId,
    severity: ruleSeverityScore(rule) ?? LEVEL_SEVERITY[levelOf(result, rule)] ?? 'unknown',
    title: text(rule?.shortDescription) ?? text(result.message) ?? ruleId,
    helpUrl: str(rule?.helpUri),
    message: text(result.message),
    locations: locationsOf(result, options),
    fingerprint: fp || undefined,
    source: options.source,
  }
}

function suppressionOf(result: Record<string, unknown>, tool: string): Suppression | undefined {
  const list = Array.isArray(result.suppressions) ? result.suppressions.map(record) : []
  // A suppression under review or rejected does not suppress (SARIF §3.35.3).
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
