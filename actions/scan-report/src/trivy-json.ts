import { isRecord, record } from '@infra-actions/common'
import { canonicalTrivyRule, normalizePath, severityFromLabel, type Location, type Suppression } from './model.js'
import { emptyReport, positive, str, type ToolReport } from './report.js'

/**
 * Trivy's JSON in every shape it has had: SchemaVersion 2 (`Results` omitted when empty), the
 * pre-0.20 bare array of results, `null` for an empty legacy scan, and `trivy k8s` reports
 * (`Resources[]`, or the older `Vulnerabilities[]` / `Misconfigurations[]` of resources).
 */
export function readTrivyJson(doc: unknown, source: string): ToolReport {
  const report = emptyReport('Trivy')
  if (doc === null) return report
  if (Array.isArray(doc)) {
    for (const r of doc) readResult(record(r), { source, image: false }, report)
    return report
  }
  const top = record(doc) ?? {}
  report.version = str(record(top.Trivy)?.Version)
  const image = top.ArtifactType === 'container_image' || top.ArtifactType === 'vm'
  for (const r of arrayOf(top.Results)) readResult(record(r), { source, image }, report)
  // trivy k8s: results under each cluster object; its targets are images and objects, not files.
  for (const group of ['Resources', 'Vulnerabilities', 'Misconfigurations']) {
    if (!('ClusterName' in top) && group !== 'Resources') continue
    for (const res of arrayOf(top[group])) {
      const o = record(res)
      if (!o) continue
      const object = [o.Namespace, o.Kind, o.Name].filter((p) => typeof p === 'string' && p !== '').join('/')
      for (const r of arrayOf(o.Results)) readResult(record(r), { source, image: true, object }, report)
    }
  }
  return report
}

interface Scope {
  source: string
  /** The artifact is an image or a cluster: no target is a file of the repository. */
  image: boolean
  /** `namespace/Kind/name` of a k8s object. */
  object?: string
}

const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

function readResult(result: Record<string, unknown> | undefined, scope: Scope, report: ToolReport): void {
  if (!result) return
  const target = str(result.Target) ?? ''
  const cls = str(result.Class) ?? (Array.isArray(result.Misconfigurations) ? 'config' : 'lang-pkgs')
  // OS packages live in an image, not in a file of the repository.
  const targetIsFile = !scope.image && cls !== 'os-pkgs' && cls !== 'license'
  const packages = arrayOf(result.Packages).map(record)
  for (const v of arrayOf(result.Vulnerabilities)) addVulnerability(record(v), target, targetIsFile, packages, scope, report)
  for (const m of arrayOf(result.Misconfigurations)) addMisconfiguration(record(m), target, targetIsFile, scope, report)
  for (const s of arrayOf(result.Secrets)) addSecret(record(s), target, targetIsFile, scope, report)
  for (const l of arrayOf(result.Licenses)) addLicense(record(l), target, cls, scope, report)
  // `--show-suppressed`: findings Trivy's own ignore file or a VEX statement suppressed.
  for (const m of arrayOf(result.ExperimentalModifiedFindings)) {
    const o = record(m)
    if (!o) continue
    const suppressedBy: Suppression = {
      by: 'scanner',
      kind: 'external',
      reason: [str(o.Statement), str(o.Status)].filter(Boolean).join(' — ') || 'suppressed by Trivy',
      source: str(o.Source) ? `Trivy (${o.Source})` : 'Trivy',
    }
    const before = report.findings.length
    const finding = record(o.Finding)
    const type = str(o.Type)
    if (type === 'vulnerability') addVulnerability(finding, target, targetIsFile, packages, scope, report)
    else if (type === 'misconfiguration') addMisconfiguration(finding, target, targetIsFile, scope, report, true)
    else if (type === 'secret') addSecret(finding, target, targetIsFile, scope, report)
    else if (type === 'license') addLicense(finding, target, cls, scope, report)
    for (const f of report.findings.slice(before)) f.suppressedBy = suppressedBy
  }
}

function targetLocation(target: string, isFile: boolean, lines?: { StartLine?: unknown; EndLine?: unknown }): Location {
  const startLine = positive(lines?.StartLine)
  const endLine = positive(lines?.EndLine) ?? startLine
  return { file: isFile ? normalizePath(target) : withoutDistro(target), isFile, ...(startLine ? { startLine, endLine } : {}) }
}

/** `img.tar (alpine 3.10.2)` is where Trivy's SARIF says `img.tar`: one place, one spelling. */
export const withoutDistro = (target: string): string => target.replace(/\s+\([^()]*\)$/, '')

function addVulnerability(
  v: Record<string, unknown> | undefined,
  target: string,
  targetIsFile: boolean,
  packages: (Record<string, unknown> | undefined)[],
  scope: Scope,
  report: ToolReport,
): void {
  if (!v) return
  const id = str(v.VulnerabilityID)
  const name = str(v.PkgName) ?? ''
  const installedVersion = str(v.InstalledVersion)
  if (!id) {
    report.notes.push(
      `a vulnerability of ${name || 'an unnamed package'} in ${target || 'a result'} has no VulnerabilityID and was skipped`,
    )
    return
  }
  // A language package inside an image names its own path; in the repository the lockfile's lines.
  const pkgPath = str(v.PkgPath)
  const locations: Location[] = []
  if (pkgPath) locations.push({ file: pkgPath, isFile: false })
  else {
    const pkg = packages.find((p) => p?.Name === name && p?.Version === installedVersion)
    const lines = arrayOf(pkg?.Locations).map(record)
    if (lines.length && targetIsFile) for (const l of lines) locations.push(targetLocation(target, true, l))
    else locations.push(targetLocation(target, targetIsFile))
  }
  report.findings.push({
    tool: 'Trivy',
    kind: 'vulnerability',
    ruleId: id,
    severity: severityFromLabel(v.Severity) ?? 'unknown',
    title: str(v.Title) ?? id,
    helpUrl: str(v.PrimaryURL),
    locations,
    package: {
      name,
      installedVersion,
      fixedVersion: str(v.FixedVersion),
      purl: str(record(v.PkgIdentifier)?.PURL),
    },
    target: scope.object ? `${scope.object} (${target})` : target,
    source: scope.source,
  })
}

function addMisconfiguration(
  m: Record<string, unknown> | undefined,
  target: string,
  targetIsFile: boolean,
  scope: Scope,
  report: ToolReport,
  suppressed = false,
): void {
  if (!m) return
  // PASS appears with --include-non-failures, EXCEPTION for Trivy's own exceptions.
  const status = str(m.Status) ?? 'FAIL'
  if (status !== 'FAIL' && !(suppressed && status === 'EXCEPTION')) return
  const id = str(m.ID) ?? str(m.AVDID)
  if (!id) {
    report.notes.push(`a misconfiguration in ${target || 'a result'} has no ID and was skipped`)
    return
  }
  const avd = str(m.AVDID)
  if (avd && avd !== id && canonicalTrivyRule(id) !== canonicalTrivyRule(avd)) report.aliases.set(id, canonicalTrivyRule(avd))
  const cause = record(m.CauseMetadata)
  const resource = str(cause?.Resource) ?? scope.object
  report.findings.push({
    tool: 'Trivy',
    kind: 'misconfiguration',
    ruleId: id,
    aliasOf: avd,
    severity: severityFromLabel(m.Severity) ?? 'unknown',
    title: str(m.Title) ?? id,
    helpUrl: str(m.PrimaryURL),
    message: str(m.Message),
    locations: [targetLocation(target, targetIsFile, cause)],
    resource,
    target: scope.object ? target : undefined,
    source: scope.source,
  })
}

function addSecret(s: Record<string, unknown> | undefined, target: string, targetIsFile: boolean, scope: Scope, report: ToolReport): void {
  if (!s) return
  const id = str(s.RuleID)
  if (!id) {
    report.notes.push(`a secret in ${target || 'a result'} has no RuleID and was skipped`)
    return
  }
  // Never the code lines: only Trivy's masked Match, and only to tell two secrets apart.
  report.findings.push({
    tool: 'Trivy',
    kind: 'secret',
    ruleId: id,
    severity: severityFromLabel(s.Severity) ?? 'unknown',
    title: str(s.Title) ?? id,
    locations: [targetLocation(target, targetIsFile, s)],
    masked: str(s.Match),
    target: scope.object ? target : undefined,
    source: scope.source,
  })
}

function addLicense(l: Record<string, unknown> | undefined, target: string, cls: string, scope: Scope, report: ToolReport): void {
  if (!l) return
  const name = str(l.Name)
  if (!name) {
    report.notes.push(`a license finding in ${target || 'a result'} has no Name and was skipped`)
    return
  }
  const pkgName = str(l.PkgName)
  const file = str(l.FilePath)
  const inRepo = !scope.image && cls === 'license-file' && file !== undefined
  report.findings.push({
    tool: 'Trivy',
    kind: 'license',
    ruleId: name,
    severity: severityFromLabel(l.Severity) ?? 'unknown',
    title: pkgName ? `${name} license in ${pkgName}` : `${name} license in ${file ?? target}`,
    helpUrl: str(l.Link),
    message: str(l.Category) ? `classified ${l.Category}` : undefined,
    locations: [file ? { file: inRepo ? normalizePath(file) : file, isFile: inRepo } : { file: target, isFile: false }],
    ...(pkgName ? { package: { name: pkgName } } : {}),
    target,
    source: scope.source,
  })
}

/** True when a parsed JSON document looks like Trivy's, in any of its shapes. */
export function looksLikeTrivy(doc: unknown): boolean {
  if (doc === null) return true
  if (Array.isArray(doc)) return doc.length === 0 || doc.every((r) => isRecord(r) && 'Target' in r)
  return isRecord(doc) && ('SchemaVersion' in doc || 'ArtifactName' in doc || 'ClusterName' in doc || 'Results' in doc)
}
