import { canonicalTrivyRule, keyAndIdentity, severityRank, shortHash, type Finding, type Location, type RawFinding } from './model.js'
import type { ToolReport } from './report.js'

export interface Merged {
  findings: Finding[]
  /** Reports of one finding beyond its first (same file twice, JSON and SARIF of one scan, …). */
  duplicates: number
}

/**
 * Every report's findings as one list: rules with their aliases folded, the same finding
 * reported twice merged into one that keeps every location and source, and each given its
 * `scanReport/v1` fingerprint (identity hash, then its occurrence among findings of that
 * identity, ordered by place: what code scanning's own `primaryLocationLineHash` does).
 */
export function mergeFindings(reports: readonly ToolReport[]): Merged {
  // Names like `s3-bucket-logging` that a JSON report paired with their AVD id.
  const aliases = new Map<string, string>()
  for (const r of reports) for (const [from, to] of r.aliases) aliases.set(from, to)
  const byKey = new Map<string, Finding>()
  let duplicates = 0
  for (const report of reports) {
    for (const raw of report.findings) {
      const rule = ruleOf(raw, aliases)
      const { key, identity } = keyAndIdentity(raw, rule)
      const seen = byKey.get(key)
      if (seen) {
        absorb(seen, raw)
        duplicates++
        continue
      }
      // The raw finding becomes the merged one in place: 100,000 copies would only feed the collector.
      const f = raw as Finding
      f.locations = uniqueLocations(raw.locations)
      f.rule = rule
      f.key = key
      f.identity = identity
      f.sources = [raw.source]
      f.partialFingerprint = ''
      byKey.set(key, f)
    }
  }
  duplicates += foldLineOnly(byKey)
  const findings = [...byKey.values()]
  assignFingerprints(findings)
  return { findings, duplicates }
}

function ruleOf(f: RawFinding, aliases: Map<string, string>): string {
  if (f.tool !== 'Trivy' || f.kind !== 'misconfiguration') return f.ruleId
  return canonicalTrivyRule(aliases.get(f.ruleId) ?? f.aliasOf ?? f.ruleId)
}

function absorb(into: Finding, raw: RawFinding): void {
  into.locations = uniqueLocations([...into.locations, ...raw.locations])
  if (!into.sources.includes(raw.source)) into.sources.push(raw.source)
  if (severityRank(raw.severity) < severityRank(into.severity)) into.severity = raw.severity
  into.helpUrl ??= raw.helpUrl
  into.message ??= raw.message
  into.resource ??= raw.resource
  into.target ??= raw.target
  into.suppressedBy ??= raw.suppressedBy
  if (raw.package && into.package) {
    into.package.fixedVersion ??= raw.package.fixedVersion
    into.package.purl ??= raw.package.purl
  }
  // The JSON's title is the scanner's; a SARIF title may only be the rule id.
  if (into.title === into.ruleId && raw.title !== raw.ruleId) into.title = raw.title
}

function uniqueLocations(locations: readonly Location[]): Location[] {
  if (locations.length < 2) return [...locations]
  const seen = new Set<string>()
  return locations.filter((l) => {
    const k = `${l.file}\u0000${l.startLine ?? ''}\u0000${l.endLine ?? ''}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/**
 * SARIF names no resource, so a misconfiguration read from a scan's SARIF is keyed by its line;
 * when the same scan's JSON found it with its resource at that line, they are one finding.
 */
function foldLineOnly(byKey: Map<string, Finding>): number {
  const foldable = (f: Finding): boolean => f.kind === 'misconfiguration' || f.kind === 'secret'
  const wanted = new Set<string>()
  for (const f of byKey.values()) if (f.resource === undefined && foldable(f)) wanted.add(`${f.tool}|${f.rule}|${f.locations[0]?.file}`)
  if (wanted.size === 0) return 0
  const withResource = new Map<string, Finding>()
  for (const f of byKey.values()) {
    if (f.resource === undefined || !foldable(f)) continue
    const place = `${f.tool}|${f.rule}|`
    for (const l of f.locations) if (l.startLine && wanted.has(place + l.file)) withResource.set(`${place}${l.file}|${l.startLine}`, f)
  }
  if (withResource.size === 0) return 0
  let folded = 0
  for (const [key, f] of byKey) {
    if (f.resource !== undefined || !foldable(f)) continue
    const l = f.locations[0]
    const match = l?.startLine ? withResource.get(`${f.tool}|${f.rule}|${l.file}|${l.startLine}`) : undefined
    if (!match) continue
    absorb(match, f)
    for (const s of f.sources) if (!match.sources.includes(s)) match.sources.push(s)
    byKey.delete(key)
    folded++
  }
  return folded
}

function assignFingerprints(findings: Finding[]): void {
  const groups = new Map<string, Finding[]>()
  for (const f of findings) {
    const g = groups.get(f.identity)
    if (g) g.push(f)
    else groups.set(f.identity, [f])
  }
  for (const [identity, group] of groups) {
    const hash = shortHash(identity)
    if (group.length > 1) group.sort(byPlace)
    group.forEach((f, i) => (f.partialFingerprint = `${hash}:${i}`))
  }
}

function byPlace(a: Finding, b: Finding): number {
  const la = a.locations[0]
  const lb = b.locations[0]
  return (
    (la?.file ?? '').localeCompare(lb?.file ?? '') ||
    (la?.startLine ?? 0) - (lb?.startLine ?? 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  )
}
