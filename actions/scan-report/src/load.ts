import { readdirSync, statSync, type Dirent } from 'node:fs'
import path from 'node:path'
import picomatch from 'picomatch'
import { ConfigurationError, InputError, openRegularFile, quote } from '@infra-actions/common'
import {
  bytesAt,
  EmptyDocumentError,
  fileSource,
  JsonDuplicateMemberError,
  JsonScanError,
  jsonDamage,
  lineAndColumn,
  rangeSource,
  readJsonWalking,
  type ByteSource,
  type JsonWalk,
} from '@infra-actions/common/json-stream'
import { looksLikeCheckov, readCheckovJson } from './checkov-json.js'
import { Strings, type Severity } from './model.js'
import { ReportShapeError, type ToolReport } from './report.js'
import { ResultStream } from './result-stream.js'
import { looksLikeSarif, readSarif, type Expected, type SarifReadOptions } from './sarif-read.js'
import { looksLikeTrivy, readTrivyJson } from './trivy-json.js'

export type ResultInput = 'trivy' | 'checkov' | 'sarif'

export interface ResultFile {
  input: ResultInput | 'baseline'
  /** Absolute path. */
  file: string
  /** As the user would recognise it: relative to the workspace when inside it. */
  label: string
}

/**
 * The files a list input names. A plain path must exist; a glob must match at least one file
 * (a typo in a path would otherwise pass a scan that never ran). The same file named twice is
 * read once.
 */
export function expandPatterns(input: ResultInput | 'baseline', patterns: readonly string[], root: string): ResultFile[] {
  const out = new Map<string, ResultFile>()
  const add = (file: string): void => {
    if (!out.has(file)) out.set(file, { input, file, label: labelOf(file, root) })
  }
  for (const pattern of patterns) {
    const scan = picomatch.scan(pattern)
    if (!scan.isGlob) {
      const file = path.resolve(root, pattern)
      let isFile: boolean
      try {
        isFile = statSync(file).isFile()
      } catch {
        throw new InputError(input, `names a file that does not exist: ${quote(pattern)} (resolved to ${file})`)
      }
      if (!isFile) throw new InputError(input, `must name result files, but ${quote(pattern)} is not a file`)
      add(file)
      continue
    }
    const base = path.resolve(root, scan.base || '.')
    const isMatch = picomatch(scan.glob, { dot: true })
    const found: string[] = []
    let entries: Dirent[] = []
    try {
      entries = readdirSync(base, { recursive: true, withFileTypes: true })
    } catch {
      // A base directory that does not exist matches nothing, said below.
    }
    for (const e of entries) {
      if (!e.isFile()) continue
      const abs = path.join(e.parentPath, e.name)
      if (isMatch(path.relative(base, abs).split(path.sep).join('/'))) found.push(abs)
    }
    if (found.length === 0) throw new InputError(input, `has a pattern that matches no file: ${quote(pattern)} (searched ${base})`)
    for (const f of found.sort()) add(f)
  }
  return [...out.values()]
}

function labelOf(file: string, root: string): string {
  const rel = path.relative(root, file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file
}

/** A result file parsed whole, with errors that name the input and the file. */
export function parseResultFile(f: ResultFile): unknown {
  return readResultDocument(f, WHOLE)
}

const WHOLE: JsonWalk = { walk: () => false, take: () => undefined }

/**
 * A result file read as a stream in chunks (`walk` says which arrays go element by element to
 * their readers), the whole of it checked to be one JSON document. Errors name the input and the
 * file, and say where the damage is by line and column, never by quoting the text there.
 */
export function readResultDocument(f: ResultFile, walk: JsonWalk): unknown {
  const what = `Input '${f.input}' (${f.label})`
  const file = fileSource(openRegularFile(f.file, what), what)
  try {
    // A byte order mark (PowerShell 5's utf8) is no part of the JSON; JSON.parse was given the text after it.
    const source = bytesAt(file, 0, 3).equals(BOM) ? rangeSource(file, BOM.length) : file
    try {
      return readJsonWalking(source, walk)
    } catch (error) {
      throw refusal(error, source, what)
    }
  } finally {
    file.close()
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

function refusal(error: unknown, source: ByteSource, what: string): unknown {
  if (error instanceof EmptyDocumentError) return new ConfigurationError(`${what} is empty: did the scan step fail before writing it?`)
  if (error instanceof JsonDuplicateMemberError)
    return new ConfigurationError(
      `${what} has the member ${quote(error.member)} twice in one object (${lineAndColumn(source, error.position)}); no scanner writes that, and one copy could hide the findings of the other.`,
    )
  if (error instanceof JsonScanError)
    return new ConfigurationError(
      `${what} is not valid JSON: ${jsonDamage(source, error)} A truncated file means the scan was interrupted; it is neither Trivy, Checkov nor SARIF output.`,
    )
  return error
}

export type Format = 'trivy-json' | 'checkov-json' | 'sarif'

/**
 * The formats whose shape a parsed file has, from its content alone (names and extensions say
 * nothing): more than one is a file of several reports merged (`jq -s add`).
 */
export function detectFormats(doc: unknown): Format[] {
  // `[]` is an empty legacy Trivy report or an empty Checkov list: no findings either way.
  if (Array.isArray(doc) && doc.length === 0) return []
  return FORMATS.filter(([, looksLike]) => looksLike(doc)).map(([format]) => format)
}

const FORMATS: [Format, (doc: unknown) => boolean][] = [
  ['sarif', looksLikeSarif],
  ['trivy-json', looksLikeTrivy],
  ['checkov-json', looksLikeCheckov],
]

const EXPECTED: Record<ResultInput, Expected> = { trivy: 'Trivy', checkov: 'Checkov', sarif: undefined }

export interface ReadOptions {
  checkovSeverity: Severity
  /** The workspace. */
  root: string
  /** Input 'trivy-root': the directory Trivy scanned, relative to the workspace ('' for its root). */
  trivyRoot?: string
  strings?: Strings
}

/**
 * One result file read into reports (one per SARIF run), or an error naming the input and file.
 * `strings` is shared by the files of one run, so what they repeat is kept once.
 */
export function readResultFile(f: ResultFile, options: ReadOptions): ToolReport[] {
  try {
    return readReports(f, options)
  } catch (error) {
    if (!(error instanceof ReportShapeError)) throw error
    throw new ConfigurationError(
      `Input '${f.input}' (${f.label}) is not a report as its scanner writes it: ${error.message}. Its findings are not read; check how the file was made.`,
    )
  }
}

function readReports(f: ResultFile, options: ReadOptions): ToolReport[] {
  const strings = options.strings ?? new Strings()
  const what = `Input '${f.input}' (${f.label})`
  const input = f.input === 'baseline' ? 'sarif' : f.input
  const { checkovSeverity, root } = options
  // Only Trivy's own files: a baseline is our merged SARIF, its paths already the workspace's.
  const trivyRoot = f.input === 'trivy' ? (options.trivyRoot ?? '') : ''
  const reading: SarifReadOptions = { expected: EXPECTED[input], what, source: f.label, checkovSeverity, root, trivyRoot }
  const stream = new ResultStream({ ...reading, input, strings })
  const doc = readResultDocument(f, stream)
  if (Array.isArray(doc) && doc.length === 0) return []
  const formats = detectFormats(doc)
  const format = formats[0]
  if (formats.length > 1 || (stream.format && format !== stream.format)) {
    // What the stream took its results as, then what the whole document looks like.
    const shapes = new Set([...(stream.format ? [stream.format] : []), ...(formats.length ? formats : ['neither'])])
    throw new ConfigurationError(
      `${what} mixes the shapes of several report formats (${[...shapes].join(' and ')}); give each scanner's output in a file of its own.`,
    )
  }
  if (!format) {
    const shape = Array.isArray(doc)
      ? 'a JSON array'
      : doc !== null && typeof doc === 'object'
        ? `an object with ${keysOf(doc)}`
        : `a JSON ${typeof doc}`
    throw new ConfigurationError(`${what} is neither a Trivy report, a Checkov report nor SARIF 2.1.0: it is ${shape}.`)
  }
  if (format === 'sarif') {
    const reports = readSarif(doc, reading, strings, stream.runs)
    // Counted twice when the same scan's JSON came in input 'trivy', placed: said where it can be seen.
    if (f.input === 'sarif' && options.trivyRoot)
      for (const r of reports)
        if (r.tool === 'Trivy')
          r.notes.push(
            `the Trivy run of ${f.label} came in input 'sarif', so its paths are as Trivy wrote them: trivy-root applies to input 'trivy' only`,
          )
    return reports
  }
  const tool = format === 'trivy-json' ? 'trivy' : 'checkov'
  if (input !== tool) {
    const named = tool === 'trivy' ? 'a Trivy JSON report' : 'a Checkov JSON report'
    throw new ConfigurationError(
      `${what} is ${named}; give it in input '${tool}'${input === 'sarif' ? " (input 'sarif' takes SARIF only)" : ''}.`,
    )
  }
  return [
    format === 'trivy-json'
      ? readTrivyJson(doc, f.label, strings, stream.trivy, trivyRoot)
      : readCheckovJson(doc, f.label, checkovSeverity, strings, stream.checkov),
  ]
}

function keysOf(doc: object): string {
  const keys = Object.keys(doc).slice(0, 6)
  return keys.length ? `the keys ${keys.map((k) => quote(k)).join(', ')}` : 'no keys'
}
