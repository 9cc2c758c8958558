import {
  canonicalTrivyRule,
  compareFiles,
  keyAndIdentity,
  severityRank,
  shortHash,
  type Finding,
  type Location,
  type RawFinding,
} from './model.js'
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
  // A finding read once has one source: the same frozen list for all of them (absorb copies).
  const single = new Map<string, readonly string[]>()
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
      let sources = single.get(raw.source)
      if (!sources) single.set(raw.source, (sources = Object.freeze([raw.source])))
      f.sources = sources as string[]
      f.partialFingerprint = ''
      byKey.set(key, f)
    }
  }
  duplicates += foldLineOnly(byKey)
  const findings = [...byKey.values()]
  assignFingerprints(findings, byKey)
  return { findings, duplicates }
}

function ruleOf(f: RawFinding, aliases: Map<string, string>): string {
  if (f.tool !== 'Trivy' || f.kind !== 'misconfiguration') return f.ruleId
  return canonicalTrivyRule(aliases.get(f.ruleId) ?? f.aliasOf ?? f.ruleId)
}

function absorb(into: Finding, raw: RawFinding): void {
  into.locations = uniqueLocations(into.locations.concat(raw.locations))
  addSources(into, [raw.source])
  if (severityRank(raw.severity) < severityRank(into.severity)) into.severity = raw.severity
  into.helpUrl ??= raw.helpUrl
  into.message ??= raw.message
  into.resource ??= raw.resource
  into.target ??= raw.target
  // Suppressed only when every report of it is (a VEX statement for one image is not for another).
  if (!raw.suppressedBy) into.suppressedBy = undefined
  if (raw.package && into.package) {
    into.package.fixedVersion ??= raw.package.fixedVersion
    into.package.purl ??= raw.package.purl
  }
  // The JSON's title is the scanner's; a SARIF title may only be the rule id.
  if (into.title === into.ruleId && raw.title !== raw.ruleId) into.title = raw.title
}

/** Sources added to a finding's list, each once; a new list, since lists can be shared. */
function addSources(into: Finding, sources: readonly string[]): void {
  for (const s of sources) if (!into.sources.includes(s)) into.sources = [...into.sources, s]
}

/** The locations without repeats (same file and lines), first ones kept; the same array when there are none. */
function uniqueLocations(locations: Location[]): Location[] {
  if (locations.length < 2) return locations
  if (locations.length <= 32) {
    // A few: compared pairwise, which builds nothing.
    let out: Location[] | undefined
    for (let i = 1; i < locations.length; i++) {
      const l = locations[i] as Location
      let repeated = false
      for (let k = 0; k < i && !repeated; k++) {
        const m = locations[k] as Location
        repeated = m.file === l.file && m.startLine === l.startLine && m.endLine === l.endLine
      }
      if (repeated) out ??= locations.slice(0, i)
      else out?.push(l)
    }
    return out ?? locations
  }
  const seen = new Set<string>()
  return locations.filter((l) => {
    const k = `${l.file}\u0000${l.startLine ?? ''}\u0000${l.endLine ?? ''}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Lines by file, by rule, by tool: where a finding without a resource may have one with. */
type Lines = Map<string, Map<string, Map<string, Map<number, Finding>>>>

/** The files of one tool's rule in `lines` (made when `make`). */
function filesOf(lines: Lines, f: Finding, make = false): Map<string, Map<number, Finding>> | undefined {
  let rules = lines.get(f.tool)
  if (!rules) {
    if (!make) return undefined
    lines.set(f.tool, (rules = new Map()))
  }
  let files = rules.get(f.rule)
  if (!files && make) rules.set(f.rule, (files = new Map()))
  return files
}

const foldable = (f: Finding): boolean => f.kind === 'misconfiguration' || f.kind === 'secret'

/**
 * SARIF names no resource, so a misconfiguration read from a scan's SARIF is keyed by its line;
 * when the same scan's JSON found it with its resource at that line, they are one finding.
 */
function foldLineOnly(byKey: Map<string, Finding>): number {
  // The places (tool, rule, file) of findings without a resource: only there is a line looked up.
  const lines: Lines = new Map()
  const lineOnly: Finding[] = []
  for (const f of byKey.values()) {
    const l = f.locations[0]
    if (f.resource !== undefined || !l || !foldable(f)) continue
    const files = filesOf(lines, f, true) as Map<string, Map<number, Finding>>
    if (!files.has(l.file)) files.set(l.file, new Map())
    lineOnly.push(f)
  }
  if (lineOnly.length === 0) return 0
  // Each line of each finding with a resource at one of those places; a later finding wins.
  let indexed = 0
  for (const f of byKey.values()) {
    if (f.resource === undefined || !foldable(f)) continue
    const files = filesOf(lines, f)
    if (!files) continue
    for (const l of f.locations) {
      const at = files.get(l.file)
      if (!at) continue
      if (l.startLine) at.set(l.startLine, f)
      else {
        // A whole-file finding (Checkov's [0,0], Trivy without lines): a SARIF writer puts it at
        // line 1, or at no line.
        at.set(0, f)
        if (!at.has(1)) at.set(1, f)
      }
      indexed++
    }
  }
  if (indexed === 0) return 0
  let folded = 0
  for (const f of lineOnly) {
    const l = f.locations[0] as Location
    const match = filesOf(lines, f)
      ?.get(l.file)
      ?.get(l.startLine ?? 0)
    if (!match) continue
    absorb(match, f)
    addSources(match, f.sources)
    byKey.delete(f.key)
    folded++
  }
  return folded
}

/**
 * `scanReport/v1` for every finding: its identity's hash, then its place among the findings of
 * that identity. A finding whose key is its identity shares it with no other finding so keyed
 * (their keys would be one); only findings keyed by more (a line, a version) are grouped, with
 * the finding, if any, whose key is their identity.
 */
function assignFingerprints(findings: Finding[], byKey: Map<string, Finding>): void {
  const groups = new Map<string, Finding[]>()
  for (const f of findings) {
    if (f.key === f.identity) continue
    const g = groups.get(f.identity)
    if (g) g.push(f)
    else groups.set(f.identity, [f])
  }
  for (const [identity, group] of groups) {
    const same = byKey.get(identity)
    if (same && same.key === same.identity) group.push(same)
    const hash = shortHash(identity)
    if (group.length > 1) group.sort(byPlace)
    // Joined rather than concatenated: one flat string, not a rope over a slice of the digest.
    group.forEach((f, i) => (f.partialFingerprint = [hash, i].join(':')))
  }
  for (const f of findings) if (f.key === f.identity && !f.partialFingerprint) f.partialFingerprint = [shortHash(f.identity), 0].join(':')
}

function byPlace(a: Finding, b: Finding): number {
  const la = a.locations[0]
  const lb = b.locations[0]
  return (
    compareFiles(la?.file ?? '', lb?.file ?? '') ||
    (la?.startLine ?? 0) - (lb?.startLine ?? 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  )
}
