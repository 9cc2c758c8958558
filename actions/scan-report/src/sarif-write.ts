import { gzipSync } from 'node:zlib'
import { own, thousands } from '@infra-actions/common'
import { SARIF_LEVEL, SECURITY_SEVERITY, severityRank, type Finding, type Location, type Severity } from './model.js'
import type { ToolReport } from './report.js'

/**
 * The merged SARIF 2.1.0 log for code scanning: one run per tool under the driver's own name
 * (existing alerts stay attached), a distinct `automationDetails.id` per run (code scanning
 * rejects two runs of one tool and category), `security-severity` on every rule, our own
 * `partialFingerprints`, relative URIs, and suppressed and baselined findings kept and marked.
 * Within code scanning's upload limits; what had to go is counted, least severe first.
 */
export const LIMITS = { resultsPerRun: 25_000, runsPerFile: 20, locationsPerResult: 1_000, gzipBytes: 10 * 1000 * 1000 }

export interface SarifOptions {
  category: string
  hasBaseline: boolean
  limits?: Partial<typeof LIMITS>
}

export interface SarifCut {
  /** Results left out, per severity. */
  results: Record<Severity, number>
  /** Whole runs (tools) left out. */
  runs: string[]
  /** Locations beyond code scanning's 1,000 per result. */
  locations: number
  /** Why results went: the per-run count or the compressed size. */
  reasons: string[]
}

/**
 * Where the log's UTF-8 bytes go, in pieces of at most 1 MiB as they are made: the file being
 * written (the log is never held whole), or memory. A piece is lent: copy it to keep it.
 */
export interface SarifSink {
  write(piece: Uint8Array): void
  /** Forgets what was written: the log is made again, smaller. */
  restart(): void
  /** The size of what was written, gzipped at level 1 (less than upload-sarif's default compresses). */
  compressedSize(): Promise<number>
}

/** A sink that keeps the log in memory (tests, and logs too small to matter). */
export function memorySink(): SarifSink & { readonly text: string } {
  let pieces: Buffer[] = []
  return {
    write: (piece) => void pieces.push(Buffer.from(piece)),
    restart: () => void (pieces = []),
    compressedSize: async () => gzipSync(Buffer.concat(pieces), { level: 1 }).length,
    get text() {
      return Buffer.concat(pieces).toString('utf8')
    },
  }
}

export interface SarifLog {
  results: number
  gzipBytes: number
  cut: SarifCut | undefined
}

interface ToolInfo {
  name: string
  version?: string
  fullName?: string
  informationUri?: string
}

const INFORMATION_URI: Record<string, string> = {
  Trivy: 'https://github.com/aquasecurity/trivy',
  Checkov: 'https://github.com/bridgecrewio/checkov',
}

/** One entry per tool, the first report's details winning (a numeric version only: code scanning compares them). */
export function toolInfos(reports: readonly ToolReport[]): Map<string, ToolInfo> {
  const tools = new Map<string, ToolInfo>()
  for (const r of reports) {
    const t = tools.get(r.tool) ?? { name: r.tool }
    if (!t.version && r.version && /^\d/.test(r.version)) t.version = r.version
    t.fullName ??= r.fullName
    t.informationUri ??= r.informationUri ?? own(INFORMATION_URI, r.tool)
    tools.set(r.tool, t)
  }
  return tools
}

export async function buildSarif(
  findings: readonly Finding[],
  tools: Map<string, ToolInfo>,
  options: SarifOptions,
  sink: SarifSink,
): Promise<SarifLog> {
  const limits = { ...LIMITS, ...options.limits }
  const cut: SarifCut = { results: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }, runs: [], locations: 0, reasons: [] }
  // Per tool, most severe first and counted before suppressed: the end of the list goes first.
  const byTool = new Map<string, Finding[]>()
  for (const f of findings) {
    const list = byTool.get(f.tool)
    if (list) list.push(f)
    else byTool.set(f.tool, [f])
  }
  for (const list of byTool.values()) list.sort(keepOrder)
  let names = [...byTool.keys()].sort(toolOrder)
  if (names.length > limits.runsPerFile) {
    // The runs whose worst finding is least severe go (then the smaller ones); the rest keep their order.
    const worst = (n: string): Finding => (byTool.get(n) as Finding[])[0] as Finding
    const byWorth = [...names].sort(
      (a, b) =>
        keepOrder(worst(a), worst(b)) || (byTool.get(b) as Finding[]).length - (byTool.get(a) as Finding[]).length || toolOrder(a, b),
    )
    const keep = new Set(byWorth.slice(0, limits.runsPerFile))
    cut.runs = names.filter((n) => !keep.has(n))
    for (const n of cut.runs) for (const f of byTool.get(n) ?? []) cut.results[f.severity]++
    names = names.filter((n) => keep.has(n))
    cut.reasons.push(`code scanning takes at most ${limits.runsPerFile} runs per file`)
  }
  const kept = new Map(names.map((n) => [n, byTool.get(n) as Finding[]]))
  for (const [name, list] of kept) {
    if (list.length <= limits.resultsPerRun) continue
    for (const f of list.slice(limits.resultsPerRun)) cut.results[f.severity]++
    kept.set(name, list.slice(0, limits.resultsPerRun))
    if (!cut.reasons.some((r) => r.includes('results per run')))
      cut.reasons.push(`code scanning takes at most ${thousands(limits.resultsPerRun)} results per run`)
  }
  // A log whose plain text fits needs no compressing to know that it fits.
  const sizeOf = async (plain: number): Promise<number> => (plain <= limits.gzipBytes ? plain : sink.compressedSize())
  let gzipBytes = await sizeOf(render(kept, tools, options, limits, cut, sink))
  // Too large even compressed: drop the least severe results everywhere, in proportion, until it fits.
  for (let attempt = 0; gzipBytes > limits.gzipBytes && attempt < 8; attempt++) {
    const all = [...kept.values()].flat().sort(keepOrder)
    const keep = Math.floor(all.length * (limits.gzipBytes / gzipBytes) * 0.9)
    const dropped = new Set(all.slice(keep))
    for (const f of dropped) cut.results[f.severity]++
    for (const [name, list] of kept)
      kept.set(
        name,
        list.filter((f) => !dropped.has(f)),
      )
    if (!cut.reasons.some((r) => r.includes('compressed')))
      cut.reasons.push(`code scanning takes at most ${limits.gzipBytes / 1e6} MB compressed`)
    cut.locations = 0
    sink.restart()
    gzipBytes = await sizeOf(render(kept, tools, options, limits, cut, sink))
  }
  const results = [...kept.values()].reduce((n, l) => n + l.length, 0)
  const anyCut = cut.runs.length > 0 || cut.locations > 0 || Object.values(cut.results).some((n) => n > 0)
  return {
    results,
    gzipBytes,
    cut: anyCut ? cut : undefined,
  }
}

const PIECE_BYTES = 1 << 20

/**
 * Text appended as UTF-8 to one buffer of 1 MiB, handed to the sink each time it fills: a large
 * log is never one string, nor held. Counts the bytes the sink got.
 */
class Utf8Pieces {
  readonly #buffer = Buffer.allocUnsafe(PIECE_BYTES)
  #used = 0
  #bytes = 0

  constructor(private readonly sink: SarifSink) {}

  write(text: string): void {
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    if (this.#used + text.length * 3 > PIECE_BYTES) {
      this.#hand()
      if (text.length * 3 > PIECE_BYTES) {
        this.#give(Buffer.from(text, 'utf8'))
        return
      }
    }
    this.#used += this.#buffer.write(text, this.#used, 'utf8')
  }

  /** The rest to the sink; the size of all of it. */
  end(): number {
    this.#hand()
    return this.#bytes
  }

  #hand(): void {
    if (this.#used > 0) this.#give(this.#buffer.subarray(0, this.#used))
    this.#used = 0
  }

  #give(piece: Buffer): void {
    this.sink.write(piece)
    this.#bytes += piece.length
  }
}

function keepOrder(a: Finding, b: Finding): number {
  return severityRank(a.severity) - severityRank(b.severity) || Number(!!a.suppression) - Number(!!b.suppression)
}

function toolOrder(a: string, b: string): number {
  const rank = (n: string): number => (n === 'Trivy' ? 0 : n === 'Checkov' || n === 'Bridgecrew' ? 1 : 2)
  return rank(a) - rank(b) || a.localeCompare(b)
}

function render(
  runs: Map<string, Finding[]>,
  tools: Map<string, ToolInfo>,
  options: SarifOptions,
  limits: typeof LIMITS,
  cut: SarifCut,
  sink: SarifSink,
): number {
  // Written as text, result by result: the same log JSON.stringify makes of the objects the
  // schema describes, without building 50,000 of them first. Compact: indentation would double it.
  const parts = new Utf8Pieces(sink)
  parts.write('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[')
  const caches: Caches = { uris: [new Map(), new Map()], lines: new Map() }
  let first = true
  // One id per run: two tools whose names slug alike (`Semgrep OSS`, `semgrep-oss`) get -2, -3…
  const ids = new Set<string>()
  for (const [name, list] of runs) {
    if (!first) parts.write(',')
    first = false
    let id = slug(name)
    for (let n = 2; ids.has(id); n++) id = `${slug(name)}-${n}`
    ids.add(id)
    renderRun(parts, name, id, list, tools.get(name) ?? { name }, options, limits, cut, caches)
  }
  parts.write(']}\n')
  return parts.end()
}

const RULE_NAME: Record<string, string> = {
  vulnerability: 'Vulnerability',
  misconfiguration: 'Misconfiguration',
  secret: 'Secret',
  license: 'License',
}

const json = JSON.stringify

/** Each location's file as a JSON string of its URI, for `isFile` false and true. */
type UriCache = [Map<string, string>, Map<string, string>]

/** What many results repeat, made once per log. */
interface Caches {
  uris: UriCache
  /** Titles and messages made one line. */
  lines: Map<string, string>
}

function renderRun(
  parts: Utf8Pieces,
  name: string,
  /** The run's part of its automationDetails.id, unique in the log. */
  id: string,
  list: readonly Finding[],
  tool: ToolInfo,
  options: SarifOptions,
  limits: typeof LIMITS,
  cut: SarifCut,
  caches: Caches,
): void {
  const rules: Record<string, unknown>[] = []
  const ruleIndex = new Map<string, number>()
  const ruleSeverity: Severity[] = []
  const ruleKind: string[] = []
  for (const f of list) {
    const i = ruleIndex.get(f.rule)
    if (i !== undefined) {
      if (severityRank(f.severity) < severityRank(ruleSeverity[i] as Severity)) ruleSeverity[i] = f.severity
      continue
    }
    ruleIndex.set(f.rule, rules.length)
    ruleSeverity.push(f.severity)
    ruleKind.push(f.kind)
    const help = httpUrl(f.helpUrl)
    const title = oneLine(f.title) || f.rule
    // Code scanning wants a full description and help on every rule (GH2012).
    rules.push({
      id: f.rule,
      ...(RULE_NAME[f.kind] ? { name: RULE_NAME[f.kind] } : {}),
      shortDescription: { text: title },
      fullDescription: { text: title },
      ...(help ? { helpUri: help } : {}),
      help: { text: help ? `${title}: ${help}` : `${title} (${name} rule ${f.rule}).` },
    })
  }
  rules.forEach((r, i) => {
    const s = ruleSeverity[i] as Severity
    r.defaultConfiguration = { level: SARIF_LEVEL[s] }
    r.properties = { 'security-severity': SECURITY_SEVERITY[s], tags: ['security', ruleKind[i] as string, s] }
  })
  const driver: Record<string, unknown> = { name, ...pick(tool, ['fullName', 'version', 'informationUri']), rules }
  const automationDetails = { id: `${options.category}/${id}/` }
  parts.write(`{"tool":${json({ driver })},"automationDetails":${json(automationDetails)},"columnKind":"utf16CodeUnits","results":[`)
  // Each rule's opening members, written once: `{"ruleId":"…","ruleIndex":n,`.
  const opening = new Map([...ruleIndex].map(([id, i]) => [id, `{"ruleId":${json(id)},"ruleIndex":${i},`]))
  for (let i = 0; i < list.length; i++) {
    const f = list[i] as Finding
    const result = renderResult(f, opening.get(f.rule) as string, options, limits, cut, caches)
    parts.write(i > 0 ? `,${result}` : result)
  }
  parts.write(']}')
}

/** One result: the object the SARIF schema describes (members in this order), as JSON.stringify writes it. */
function renderResult(f: Finding, opening: string, options: SarifOptions, limits: typeof LIMITS, cut: SarifCut, caches: Caches): string {
  if (f.locations.length > limits.locationsPerResult) cut.locations += f.locations.length - limits.locationsPerResult
  let out = `${opening}"level":"${SARIF_LEVEL[f.severity]}","message":{"text":${json(messageOf(f, caches.lines))}},"locations":[`
  const n = Math.min(f.locations.length, limits.locationsPerResult)
  for (let i = 0; i < n; i++) out += (i > 0 ? ',' : '') + locationJson(f.locations[i] as Location, caches.uris)
  // Ours: hex digits, a colon and a number, nothing JSON escapes.
  out += `],"partialFingerprints":{"scanReport/v1":"${f.partialFingerprint}"}`
  if (f.suppression)
    out += `,"suppressions":[{"kind":${json(f.suppression.kind)},"status":"accepted","justification":${json(justification(f))}}]`
  if (options.hasBaseline && f.baseline) out += `,"baselineState":${json(f.baseline)}`
  out += `,"properties":{"kind":"${f.kind}"`
  if (f.package) {
    out += member('package', f.package.name)
    if (f.package.installedVersion) out += member('installedVersion', f.package.installedVersion)
    if (f.package.fixedVersion) out += member('fixedVersion', f.package.fixedVersion)
    if (f.package.purl) out += member('purl', f.package.purl)
  }
  if (f.resource && f.kind !== 'secret') out += member('resource', f.resource)
  if (f.target) out += member('target', f.target)
  return `${out}}}`
}

/** `,"name":value`, or nothing for undefined (JSON.stringify leaves such a member out). */
const member = (name: string, value: string | undefined): string => (value === undefined ? '' : `,"${name}":${json(value)}`)

function justification(f: Finding): string {
  const s = f.suppression!
  return `${s.reason}${s.expires ? ` (until ${s.expires})` : ''}${s.source ? ` [${s.source}]` : ''}`
}

/**
 * The result's text. Never a secret's value: a secret is said by its rule's title alone.
 * `lines` remembers the texts already made one line: titles and messages repeat.
 */
export function messageOf(f: Finding, lines?: Map<string, string>): string {
  const line = (s: string): string => {
    if (!lines) return oneLine(s)
    let l = lines.get(s)
    if (l === undefined) lines.set(s, (l = oneLine(s)))
    return l
  }
  const title = line(f.title)
  switch (f.kind) {
    case 'vulnerability': {
      const p = f.package
      const installed = p?.installedVersion ? ` ${p.installedVersion}` : ''
      return `${title} in ${p?.name || 'a package'}${installed}${p?.fixedVersion ? ` (fixed in ${p.fixedVersion})` : ' (no fix yet)'}.`
    }
    case 'secret':
      return `${title}: a secret in ${f.locations[0]?.file ?? 'this file'}.`
    case 'misconfiguration':
      return `${title}${f.message ? `: ${line(f.message)}` : ''}${f.resource ? ` (${f.resource})` : ''}.`
    default:
      return `${title}${f.message && f.message !== f.title ? `: ${line(f.message)}` : ''}.`
  }
}

/** A finding without a line (a whole file, a package in an image) is at line 1, as Trivy writes it. */
function locationJson(l: Location, uris: UriCache): string {
  const cache = uris[l.isFile ? 1 : 0]
  let uri = cache.get(l.file)
  if (uri === undefined) cache.set(l.file, (uri = json(relativeUri(l))))
  const startLine = l.startLine ?? 1
  const endLine = Math.max(l.endLine ?? startLine, startLine)
  return `{"physicalLocation":{"artifactLocation":{"uri":${uri}},"region":{"startLine":${startLine},"endLine":${endLine}}}}`
}

/** Lone surrogates (JSON allows `\\ud800`) as U+FFFD: encodeURIComponent throws on them. */
const wellFormed = (s: string): string => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')

/**
 * A relative URI reference for a location. Trivy's `img.tar (alpine 3.10)` drops its distro
 * suffix, as Trivy's own SARIF does; every segment is percent-encoded so `redis:6.0` cannot
 * read as a URI scheme and spaces are legal.
 */
export function relativeUri(l: Location): string {
  const file = l.isFile ? l.file : l.file.replace(/\s*\([^()]*(?:\([^()]*\))?[^()]*\)\s*$/, '')
  // A path inside an image (`/etc/ssl/x.pl`) is no path of the checkout: relative, like the rest.
  return (
    file
      .replace(/^\/+/, '')
      .split('/')
      .map((s) => encodeURIComponent(wellFormed(s)))
      .join('/') || '.'
  )
}

function httpUrl(u: string | undefined): string | undefined {
  if (!u) return undefined
  try {
    const url = new URL(u)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
    // WHATWG leaves `[`, `]` and `|` in a path; an RFC 3986 URI (and so the SARIF schema) does not.
    const rest = `${url.pathname}${url.search}${url.hash}`.replace(/[[\]|]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    return `${url.origin}${rest}`
  } catch {
    return undefined
  }
}

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim()

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'tool'
  )
}

function pick(o: ToolInfo, keys: (keyof ToolInfo)[]): Partial<ToolInfo> {
  const out: Partial<ToolInfo> = {}
  for (const k of keys) if (o[k]) out[k] = o[k]
  return out
}
