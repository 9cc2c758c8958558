import { hash } from 'node:crypto'
import path from 'node:path'

/**
 * One finding model for every scanner. Readers turn each format into `RawFinding`s; `finalize`
 * gives each its rule (aliases folded), its dedupe key and its identity. The key tells the same
 * finding reported twice within one run apart from a different one; the identity is what
 * baselines compare, so it holds no line number and no scanner-version spelling.
 */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown'

/** Worst first: the order of every list we render. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'unknown']

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, unknown: 4 }

export const severityRank = (s: Severity): number => RANK[s] ?? -1

export type Kind = 'vulnerability' | 'misconfiguration' | 'secret' | 'license' | 'other'

export interface Location {
  /** Relative path with forward slashes, or a scan target that is not a file (an image, a k8s object). */
  file: string
  /** False for image names, cluster objects and paths inside images: no annotation, no code-scanning file. */
  isFile: boolean
  startLine?: number
  endLine?: number
}

export interface PackageRef {
  name: string
  installedVersion?: string
  fixedVersion?: string
  purl?: string
}

export interface Suppression {
  by: 'ignore-file' | 'scanner'
  reason: string
  /** SARIF's suppression kind: our ignore file is `external`, a `checkov:skip` comment `inSource`. */
  kind: 'external' | 'inSource'
  expires?: string
  /** Where the entry is: `.github/scan-ignore.yml:12`, or the scanner's own source. */
  source?: string
}

export interface RawFinding {
  tool: string
  kind: Kind
  /** The rule id as the scanner wrote it. */
  ruleId: string
  /** Other spellings of the same rule seen in the same record (Trivy's AVDID). */
  aliasOf?: string
  severity: Severity
  title: string
  helpUrl?: string
  /** A short scanner message about this occurrence (Trivy's `Message`, a SARIF message). */
  message?: string
  locations: Location[]
  package?: PackageRef
  resource?: string
  /** An image, lockfile or module the finding was seen in. */
  target?: string
  /** Trivy's masked `Match` of a secret: part of its identity, never the secret. */
  masked?: string
  /** A fingerprint the producing tool gave (SARIF `partialFingerprints`), or ours from a merged SARIF. */
  fingerprint?: string
  suppressedBy?: Suppression
  source: string
}

export interface Finding extends RawFinding {
  rule: string
  key: string
  identity: string
  sources: string[]
  suppression?: Suppression
  /** Set when a baseline was given. */
  baseline?: 'new' | 'unchanged'
  /** `scanReport/v1`: identity hash and occurrence, stable across runs. */
  partialFingerprint: string
}

/**
 * A finding with every field of the model in one order, whichever reader makes it: the readers
 * fill in what they know, merging the rest. One shape from reader to writer, with every field
 * in the object itself, keeps the code that goes over 100,000 of them fast and their memory small.
 */
export function newFinding(tool: string, kind: Kind, ruleId: string, severity: Severity, title: string, source: string): RawFinding {
  const f: RawFinding & Partial<Finding> = {
    tool,
    kind,
    ruleId,
    aliasOf: undefined,
    severity,
    title,
    helpUrl: undefined,
    message: undefined,
    locations: [],
    package: undefined,
    resource: undefined,
    target: undefined,
    masked: undefined,
    fingerprint: undefined,
    suppressedBy: undefined,
    source,
    rule: undefined,
    key: undefined,
    identity: undefined,
    sources: undefined,
    suppression: undefined,
    baseline: undefined,
    partialFingerprint: undefined,
  }
  return f
}

/**
 * Trivy 0.69 renamed its checks (trivy-checks v2): `AVD-AWS-0086` became `AWS-0086` and
 * `DS002` (with AVDID `AVD-DS-0002`) became `DS-0002`. Both spellings are one rule here: the
 * `AVD-` prefix goes and the number is padded to four digits behind a dash.
 */
export function canonicalTrivyRule(id: string): string {
  // A scan names a few hundred rules at most, each thousands of times: worked out once each.
  let canonical = CANONICAL.get(id)
  if (canonical === undefined) {
    const m = /^(?:AVD-)?([A-Za-z]{2,6})-?(\d{1,4})$/.exec(id.trim())
    canonical = m ? `${(m[1] as string).toUpperCase()}-${(m[2] as string).padStart(4, '0')}` : id.trim()
    if (CANONICAL.size >= 10_000) CANONICAL.clear()
    CANONICAL.set(id, canonical)
  }
  return canonical
}

const CANONICAL = new Map<string, string>()

/**
 * One copy of each string that many findings repeat (rule ids, titles, links, paths, packages):
 * JSON.parse gives every occurrence a copy of its own. One per run, shared by its readers.
 */
export class Strings {
  readonly #seen = new Map<string, string>()

  of(s: string): string {
    const known = this.#seen.get(s)
    if (known !== undefined) return known
    this.#seen.set(s, s)
    return s
  }

  maybe(s: string | undefined): string | undefined {
    return s === undefined ? s : this.of(s)
  }
}

export function severityFromLabel(label: unknown): Severity | undefined {
  if (typeof label !== 'string') return undefined
  // The spellings scanners write, looked up as they are; anything else trimmed and upper-cased.
  return LABELS.get(label) ?? severityOfLabel(label.trim().toUpperCase())
}

function severityOfLabel(label: string): Severity | undefined {
  switch (label) {
    case 'CRITICAL':
      return 'critical'
    case 'HIGH':
    case 'IMPORTANT':
      return 'high'
    case 'MEDIUM':
    case 'MODERATE':
      return 'medium'
    case 'LOW':
      return 'low'
    case 'UNKNOWN':
    case 'INFO':
    case 'NONE':
    case 'NEGLIGIBLE':
      return 'unknown'
    default:
      return undefined
  }
}

const LABELS = new Map<string, Severity>()
for (const label of ['CRITICAL', 'HIGH', 'IMPORTANT', 'MEDIUM', 'MODERATE', 'LOW', 'UNKNOWN', 'INFO', 'NONE', 'NEGLIGIBLE'])
  for (const spelling of [label, label.toLowerCase()]) LABELS.set(spelling, severityOfLabel(label) as Severity)

/** GitHub's bands for `security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
export function severityFromScore(score: unknown): Severity | undefined {
  const n = typeof score === 'number' ? score : typeof score === 'string' && score.trim() !== '' ? Number(score) : NaN
  if (!Number.isFinite(n) || n < 0 || n > 10) return undefined
  if (n > 9) return 'critical'
  if (n >= 7) return 'high'
  if (n >= 4) return 'medium'
  if (n > 0) return 'low'
  return 'unknown'
}

/** The score we write, mid-band so GitHub ranks a finding as our gate does (Trivy's own values). */
export const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', unknown: '0.0' }

export const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  unknown: 'note',
}

/** Paths in the order of localeCompare, without asking ICU about one path twice (findings share files). */
export const compareFiles = (a: string, b: string): number => (a === b ? 0 : a.localeCompare(b))

/** A path as code scanning and our ignore globs see it: forward slashes, no `./` or leading `/`. */
export function normalizePath(file: string): string {
  // Most paths are relative already, with forward slashes: nothing to build.
  const first = file.charCodeAt(0)
  if (first !== 0x2e && first !== 0x2f && !file.includes('\\')) return file
  let p = file.replace(/\\/g, '/')
  while (p.startsWith('./')) p = p.slice(2)
  return p.replace(/^\/+/, '')
}

/**
 * A path as Trivy wrote it, relative to the directory it scanned, as a path of the workspace
 * (normalized): under `root` (input `trivy-root`, normalized; '' when Trivy scanned the
 * workspace root), its `..` segments resolved
 * (`../../modules/x.tf` of a scan of `envs/prod`). `inside` is false, and the path left as
 * written, when it is no file of the checkout that can be told: it leaves the workspace, it is
 * absolute (`/abs/x.tf`, `C:\x.tf`, `file:///x.tf`: not relative to the scanned directory), or empty.
 */
export function underRoot(root: string, written: string): { file: string; inside: boolean } {
  const file = normalizePath(written)
  if (file === '' || file === '.' || /^(?:[\\/]|[a-z][a-z0-9+.-]*:)/i.test(written)) return { file: written, inside: false }
  const placed = path.posix.normalize(root ? `${root}/${file}` : file).replace(/\/$/, '')
  // `..`, `infra/../..`, and the scanned directory itself (`.`) are no files of the checkout.
  const inside = placed !== '..' && !placed.startsWith('../') && placed !== '.'
  return { file: inside ? placed : written, inside }
}

export function shortHash(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 32)
}

const primaryFile = (f: RawFinding): string => f.locations[0]?.file ?? f.target ?? ''

/**
 * Key and identity of a finding. Vulnerabilities are one finding per rule, package and installed
 * version wherever they were seen (several images, several lockfiles); their identity leaves
 * the version out, so a bump that is still vulnerable is not "new". Misconfigurations are one
 * per rule, file and resource; without a resource (SARIF carries none) the line tells them apart
 * within a run and the identity falls back to rule and file.
 */
export function keyAndIdentity(f: RawFinding, rule: string): { key: string; identity: string } {
  const file = primaryFile(f)
  const line = f.locations[0]?.startLine ?? 0
  const t = f.tool
  switch (f.kind) {
    case 'vulnerability': {
      const name = (f.package?.name ?? '').toLowerCase()
      return { key: [t, 'v', rule, name, f.package?.installedVersion ?? ''].join('|'), identity: [t, 'v', rule, name].join('|') }
    }
    case 'license': {
      const key = `${t}|l|${rule}|${f.package?.name ?? file}`
      return { key, identity: key }
    }
    case 'secret': {
      const subject = f.resource ?? (f.masked !== undefined ? `#${shortHash(f.masked)}` : '')
      const identity = `${t}|s|${rule}|${file}|${subject}`
      // A mask is asterisks: two secrets of one file can share it, and only the line tells them apart.
      return { key: f.resource !== undefined ? identity : `${identity}@${line}`, identity }
    }
    case 'misconfiguration': {
      // With a resource the key is the identity: one string for both (joined: flat, not a rope).
      const identity = [t, 'm', rule, file, f.resource ?? ''].join('|')
      return { key: f.resource !== undefined ? identity : `${identity}@${line}`, identity }
    }
    default:
      return {
        key: `${t}|o|${rule}|${file}|@${line}|${f.fingerprint ?? ''}`,
        identity: f.fingerprint ? `${t}|o|${rule}|fp:${f.fingerprint}` : `${t}|o|${rule}|${file}`,
      }
  }
}
