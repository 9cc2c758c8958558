import { isRecord, record } from '@infra-actions/common'
import {
  canonicalTrivyRule,
  newFinding,
  underRoot,
  severityFromLabel,
  Strings,
  type Kind,
  type Location,
  type RawFinding,
  type Suppression,
} from './model.js'
import { arrayOf, emptyReport, positive, ReportShapeError, str, type ToolReport } from './report.js'

/**
 * Trivy's JSON in every shape it has had: SchemaVersion 2 (`Results` omitted when empty), the
 * pre-0.20 bare array of results, `null` for an empty legacy scan, and `trivy k8s` reports
 * (`Resources[]`, or the older `Vulnerabilities[]` / `Misconfigurations[]` of resources).
 */
export function readTrivyJson(doc: unknown, source: string, strings = new Strings(), report = emptyReport('Trivy'), root = ''): ToolReport {
  if (doc === null) return report
  if (Array.isArray(doc)) {
    for (const r of doc) readTrivyResult(record(r), { source, image: false, strings, root }, report)
    return report
  }
  const top = record(doc) ?? {}
  // `trivy k8s --report summary` counts findings per object and lists none: it would read as no findings.
  if ('ClusterName' in top && 'Findings' in top && !('Resources' in top))
    throw new ReportShapeError(
      'it is a trivy k8s summary report (--report summary), which counts findings without listing them; give --report all',
    )
  report.version = str(record(top.Trivy)?.Version)
  const scope = trivyScope(top, source, strings, root)
  for (const r of arrayOf(top.Results, 'Results')) readTrivyResult(record(r), scope, report)
  // trivy k8s: results under each cluster object; its targets are images and objects, not files.
  for (const group of ['Resources', 'Vulnerabilities', 'Misconfigurations']) {
    if (!('ClusterName' in top) && group !== 'Resources') continue
    for (const res of arrayOf(top[group], group)) {
      const o = record(res)
      if (!o) continue
      const object = [o.Namespace, o.Kind, o.Name].filter((p) => typeof p === 'string' && p !== '').join('/')
      for (const r of arrayOf(o.Results, 'Results')) readTrivyResult(record(r), { source, image: true, object, strings, root }, report)
    }
  }
  return report
}

/**
 * What every result of a SchemaVersion 2 report shares, from the members before `Results` (where
 * Trivy writes them): a reader of the stream takes each result as it is read (readTrivyResult).
 */
export function trivyScope(top: Record<string, unknown>, source: string, strings: Strings, root: string): Scope {
  // Trivy has written SchemaVersion 2 since v0.20; another is a format this reader does not know.
  if (top.SchemaVersion !== undefined && top.SchemaVersion !== 2) {
    const newer = typeof top.SchemaVersion === 'number' && top.SchemaVersion > 2 ? ' (a newer Trivy: upgrade infra-actions?)' : ''
    throw new ReportShapeError(`it has SchemaVersion ${JSON.stringify(top.SchemaVersion)}, and this action reads SchemaVersion 2${newer}`)
  }
  return { source, image: top.ArtifactType === 'container_image' || top.ArtifactType === 'vm', strings, root }
}

export interface Scope {
  source: string
  /** The artifact is an image or a cluster: no target is a file of the repository. */
  image: boolean
  /** `namespace/Kind/name` of a k8s object. */
  object?: string
  strings: Strings
  /** The directory Trivy scanned, in the workspace (input `trivy-root`): its file targets are placed under it. */
  root: string
}

/** One result (one target) and what every finding of it shares, worked out once. */
interface Target {
  scope: Scope
  /** As Trivy wrote it. */
  name: string
  cls: string
  isFile: boolean
  /** The target as a location's file: normalized when it is a file, without its distro suffix when not. */
  file: string
  packages: readonly unknown[]
  /** Packages by name, built the first time a vulnerability has to look its lines up. */
  byName?: Map<string, Record<string, unknown>[]>
}

/** One result (one target): its findings added to `report`. */
export function readTrivyResult(result: Record<string, unknown> | undefined, scope: Scope, report: ToolReport): void {
  if (!result) return
  const name = str(result.Target) ?? ''
  const cls = str(result.Class) ?? legacyClass(result, name)
  // OS packages live in an image, not in a file of the repository.
  const inRepo = !scope.image && cls !== 'os-pkgs' && cls !== 'license'
  const placed = inRepo ? underRoot(scope.root, name) : undefined
  const isFile = placed?.inside === true
  const t: Target = {
    scope,
    name: scope.strings.of(name),
    cls,
    isFile,
    file: scope.strings.of(placed ? placed.file : withoutDistro(name)),
    packages: arrayOf(result.Packages, 'Packages'),
  }
  for (const v of arrayOf(result.Vulnerabilities, 'Vulnerabilities')) addVulnerability(record(v), t, report)
  for (const m of arrayOf(result.Misconfigurations, 'Misconfigurations')) addMisconfiguration(record(m), t, report)
  for (const s of arrayOf(result.Secrets, 'Secrets')) addSecret(record(s), t, report)
  for (const l of arrayOf(result.Licenses, 'Licenses')) addLicense(record(l), t, report)
  // `--show-suppressed`: findings Trivy's own ignore file or a VEX statement suppressed.
  for (const m of arrayOf(result.ExperimentalModifiedFindings, 'ExperimentalModifiedFindings')) {
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
    if (type === 'vulnerability') addVulnerability(finding, t, report)
    else if (type === 'misconfiguration') addMisconfiguration(finding, t, report, true)
    else if (type === 'secret') addSecret(finding, t, report)
    else if (type === 'license') addLicense(finding, t, report)
    for (let k = before; k < report.findings.length; k++) (report.findings[k] as { suppressedBy?: Suppression }).suppressedBy = suppressedBy
  }
}

/**
 * A result without `Class` (Trivy before 0.20): an OS's packages when its `Type` is a
 * distribution (or the target ends in one, `img (alpine 3.7.1)`), else configuration or a lockfile.
 */
function legacyClass(result: Record<string, unknown>, target: string): string {
  if (Array.isArray(result.Misconfigurations)) return 'config'
  const type = str(result.Type)
  return (type !== undefined && OS_TYPES.has(type.toLowerCase())) || /\s\([^()]*\d[^()]*\)$/.test(target) ? 'os-pkgs' : 'lang-pkgs'
}

/** The distributions Trivy names as a result's `Type` for OS packages. */
const OS_TYPES = new Set([
  'alpine',
  'alma',
  'amazon',
  'azurelinux',
  'bottlerocket',
  'cbl-mariner',
  'centos',
  'chainguard',
  'coreos',
  'debian',
  'echo',
  'fedora',
  'minimos',
  'opensuse',
  'opensuse-leap',
  'opensuse-tumbleweed',
  'opensuse.leap',
  'opensuse.tumbleweed',
  'oracle',
  'photon',
  'redhat',
  'rocky',
  'sles',
  'suse linux enterprise server',
  'suse linux enterprise micro',
  'ubuntu',
  'wolfi',
])

/** The target as a location, with the lines when they are known. */
function targetLocation(file: string, isFile: boolean, lines?: Record<string, unknown>): Location {
  const startLine = positive(lines?.StartLine)
  if (!startLine) return { file, isFile }
  return { file, isFile, startLine, endLine: positive(lines?.EndLine) ?? startLine }
}

/** `img.tar (alpine 3.10.2)` is where Trivy's SARIF says `img.tar`: one place, one spelling. */
export const withoutDistro = (target: string): string => target.replace(/\s+\([^()]*\)$/, '')

function addVulnerability(v: Record<string, unknown> | undefined, t: Target, report: ToolReport): void {
  if (!v) return
  const { scope } = t
  const { strings } = scope
  const id = str(v.VulnerabilityID)
  const name = str(v.PkgName) ?? ''
  const installedVersion = str(v.InstalledVersion)
  if (!id) return skipped(report, t, `a vulnerability of ${name || 'an unnamed package'}`, 'VulnerabilityID')
  // A language package inside an image names its own path; in the repository the lockfile's lines.
  const pkgPath = str(v.PkgPath)
  const locations: Location[] = []
  // Relative to the scanned directory too, outside an image (a jar of the checkout): placed like the target.
  if (pkgPath) {
    const placed = scope.image ? pkgPath : underRoot(scope.root, pkgPath).file
    locations.push({ file: strings.of(placed), isFile: false })
  } else {
    const lines = arrayOf(packageOf(t, name, installedVersion)?.Locations, 'Locations')
    if (lines.length && t.isFile) for (const l of lines) locations.push(targetLocation(t.file, true, record(l)))
    else locations.push(targetLocation(t.file, t.isFile))
  }
  const f = trivyFinding(t, 'vulnerability', id, v, str(v.Title) ?? id)
  f.helpUrl = strings.maybe(str(v.PrimaryURL))
  f.locations = locations
  f.package = {
    name: strings.of(name),
    installedVersion: strings.maybe(installedVersion),
    fixedVersion: strings.maybe(str(v.FixedVersion)),
    purl: strings.maybe(str(record(v.PkgIdentifier)?.PURL)),
  }
  f.target = scope.object ? `${scope.object} (${t.name})` : t.isFile ? t.file : t.name
  report.findings.push(f)
}

/** The first package of the result with this name and version (whose `Locations` are the lockfile's lines). */
function packageOf(t: Target, name: string, version: string | undefined): Record<string, unknown> | undefined {
  if (!t.byName) {
    t.byName = new Map()
    for (const p of t.packages) {
      if (!isRecord(p) || typeof p.Name !== 'string') continue
      const list = t.byName.get(p.Name)
      if (list) list.push(p)
      else t.byName.set(p.Name, [p])
    }
  }
  return t.byName.get(name)?.find((p) => p.Version === version)
}

function addMisconfiguration(m: Record<string, unknown> | undefined, t: Target, report: ToolReport, suppressed = false): void {
  if (!m) return
  const { scope } = t
  const { strings } = scope
  // PASS appears with --include-non-failures, EXCEPTION for Trivy's own exceptions.
  const status = str(m.Status) ?? 'FAIL'
  // Any other status is not Trivy's: dropping it would pass a failed check unseen.
  if (!MISCONFIGURATION_STATUSES.has(status))
    throw new ReportShapeError(
      `a misconfiguration in ${t.name || 'a result'} has Status ${JSON.stringify(status)}, which Trivy does not write (PASS, FAIL, EXCEPTION)`,
    )
  if (status !== 'FAIL' && !(suppressed && status === 'EXCEPTION')) return
  const id = str(m.ID) ?? str(m.AVDID)
  if (!id) return skipped(report, t, 'a misconfiguration', 'ID')
  const avd = str(m.AVDID)
  if (avd && avd !== id && canonicalTrivyRule(id) !== canonicalTrivyRule(avd)) report.aliases.set(id, canonicalTrivyRule(avd))
  const cause = record(m.CauseMetadata)
  const f = trivyFinding(t, 'misconfiguration', id, m, str(m.Title) ?? id)
  f.aliasOf = strings.maybe(avd)
  f.helpUrl = strings.maybe(str(m.PrimaryURL))
  f.message = strings.maybe(str(m.Message))
  f.locations = [targetLocation(t.file, t.isFile, cause)]
  f.resource = strings.maybe(str(cause?.Resource)) ?? scope.object
  f.target = scope.object ? t.name : undefined
  report.findings.push(f)
}

function addSecret(s: Record<string, unknown> | undefined, t: Target, report: ToolReport): void {
  if (!s) return
  const id = str(s.RuleID)
  if (!id) return skipped(report, t, 'a secret', 'RuleID')
  // Never the code lines: only Trivy's masked Match, and only to tell two secrets apart.
  const f = trivyFinding(t, 'secret', id, s, str(s.Title) ?? id)
  f.locations = [targetLocation(t.file, t.isFile, s)]
  f.masked = str(s.Match)
  f.target = t.scope.object ? t.name : undefined
  report.findings.push(f)
}

function addLicense(l: Record<string, unknown> | undefined, t: Target, report: ToolReport): void {
  if (!l) return
  const { scope } = t
  const name = str(l.Name)
  if (!name) return skipped(report, t, 'a license finding', 'Name')
  const pkgName = str(l.PkgName)
  const file = str(l.FilePath)
  const placed = !scope.image && t.cls === 'license-file' && file !== undefined ? underRoot(scope.root, file) : undefined
  const inRepo = placed?.inside === true
  const title = pkgName ? `${name} license in ${pkgName}` : `${name} license in ${file ?? t.name}`
  const f = trivyFinding(t, 'license', name, l, title)
  f.helpUrl = str(l.Link)
  f.message = str(l.Category) ? `classified ${l.Category}` : undefined
  f.locations = [file ? { file: placed?.file ?? file, isFile: inRepo } : { file: t.name, isFile: false }]
  if (pkgName) f.package = { name: pkgName }
  f.target = t.name
  report.findings.push(f)
}

/** Says in the summary's notes that a record of this target was left out for want of its id. */
function skipped(report: ToolReport, t: Target, what: string, field: string): void {
  report.notes.push(`${what} in ${t.name || 'a result'} has no ${field} and was skipped`)
}

const MISCONFIGURATION_STATUSES = new Set(['PASS', 'FAIL', 'EXCEPTION'])

/**
 * A finding of Trivy's in this target, with the severity its record gives; id and title kept once
 * per run. Trivy writes one of its five severities on every record: anything else is refused,
 * not read as UNKNOWN (which no threshold but `unknown` fails).
 */
function trivyFinding(t: Target, kind: Kind, id: string, record: Record<string, unknown>, title: string): RawFinding {
  const { strings, source } = t.scope
  const severity = severityFromLabel(record.Severity)
  if (severity === undefined) {
    const given = record.Severity === undefined ? 'no Severity' : `Severity ${JSON.stringify(record.Severity).slice(0, 40)}`
    throw new ReportShapeError(
      `the ${kind} ${JSON.stringify(id).slice(0, 80)} in ${t.name || 'a result'} has ${given}, not one of Trivy's (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)`,
    )
  }
  return newFinding('Trivy', kind, strings.of(id), severity, strings.of(title), source)
}

/** True when a parsed JSON document looks like Trivy's, in any of its shapes. */
export function looksLikeTrivy(doc: unknown): boolean {
  if (doc === null) return true
  if (Array.isArray(doc)) return doc.length === 0 || doc.every((r) => isRecord(r) && 'Target' in r)
  return isRecord(doc) && ('SchemaVersion' in doc || 'ArtifactName' in doc || 'ClusterName' in doc || 'Results' in doc)
}
