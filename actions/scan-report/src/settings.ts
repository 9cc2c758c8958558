import { statSync, type Stats } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigurationError, describeFileError, InputError, Inputs, isFileError, quote, readRegularFile } from '@infra-actions/common'
import { commentKey } from '@infra-actions/github'
import type { FailOn } from './decide.js'
import type { IgnoreFile } from './ignore-file.js'
import { expandPatterns, type ResultFile } from './load.js'
import { SEVERITIES, type Severity } from './model.js'

export const DEFAULT_IGNORE_FILE = '.github/scan-ignore.yml'
export const GITHUB_COMMENT_LIMIT = 65536

/** Every input of scan-report, read and validated once. */
export interface ScanReportSettings {
  /** The result files of `trivy`, `checkov` and `sarif`, globs expanded. */
  files: ResultFile[]
  failOn: FailOn
  checkovSeverity: Severity
  ignore: IgnoreFile | undefined
  baseline: ResultFile | undefined
  newOnly: boolean
  sarifOutput: string
  category: string
  commentMode: 'update' | 'off'
  key: string
  token: string
  /** The login the token posts as (`comment-author`), when the API cannot say. */
  commentAuthor: string | undefined
  prNumber: number | undefined
  maxAnnotations: number
  maxLength: number
  /** The workspace: relative paths are resolved against it. */
  root: string
  /** The directory Trivy scanned, relative to the workspace with forward slashes; '' for the workspace itself. */
  trivyRoot: string
  /** trivy-root names no directory of the checkout (a typo?): warned about, its paths placed all the same. */
  trivyRootMissing: boolean
}

export async function readSettings(
  inputs: Inputs = new Inputs(),
  root: string = process.cwd(),
  today = todayUtc(),
): Promise<ScanReportSettings> {
  // Every input is read before any is judged, so a test can see that all of them are read.
  const raw = {
    trivy: inputs.list('trivy'),
    checkov: inputs.list('checkov'),
    sarif: inputs.list('sarif'),
    ignoreFile: inputs.string('ignore-file', { default: DEFAULT_IGNORE_FILE }),
    baseline: inputs.optionalString('baseline'),
    sarifOutput: inputs.optionalString('sarif-output'),
    trivyRoot: inputs.string('trivy-root'),
  }
  const failOn = inputs.enumeration<FailOn>('fail-on', [...SEVERITIES, 'none'], 'high')
  const checkovSeverity = inputs.enumeration<Severity>('checkov-severity', SEVERITIES, 'medium')
  const newOnly = inputs.boolean('new-only', false)
  const category = inputs.string('category', { default: 'scan-report' }).replace(/\/+$/, '')
  if (!/^[\w./:@-]+$/.test(category))
    throw new InputError('category', `may hold letters, digits and . / : @ - _ only, got ${quote(category)}`)
  const settings: ScanReportSettings = {
    files: [],
    failOn,
    checkovSeverity,
    ignore: undefined,
    baseline: undefined,
    newOnly,
    sarifOutput: path.resolve(root, raw.sarifOutput ?? path.join(process.env.RUNNER_TEMP || tmpdir(), 'scan-report.sarif')),
    category,
    commentMode: inputs.enumeration('comment-mode', ['update', 'off'], 'update'),
    key: inputs.string('key', { default: category }),
    token: inputs.string('github-token'),
    commentAuthor: inputs.optionalString('comment-author'),
    prNumber: inputs.optionalInteger('pr-number', { min: 1 }),
    maxAnnotations: inputs.integer('max-annotations', { default: 10, min: 0, max: 50 }),
    maxLength: inputs.integer('max-length', { default: GITHUB_COMMENT_LIMIT, min: 2000, max: GITHUB_COMMENT_LIMIT }),
    root,
    ...scannedDirectory(raw.trivyRoot, root),
  }
  settings.key = commentKey(settings.key, settings.maxLength, inputs.optionalString('key') === undefined ? 'category' : undefined)
  if (!raw.trivy.length && !raw.checkov.length && !raw.sarif.length)
    throw new ConfigurationError("Give at least one of the inputs 'trivy', 'checkov' or 'sarif': the result files to report on.")
  settings.files = [
    ...expandPatterns('trivy', raw.trivy, root),
    ...expandPatterns('checkov', raw.checkov, root),
    ...expandPatterns('sarif', raw.sarif, root),
  ]
  if (raw.baseline) {
    settings.baseline = expandPatterns('baseline', [raw.baseline], root)[0]
  }
  settings.ignore = await readIgnore(raw.ignoreFile, root, today)
  if (
    isInside(
      settings.sarifOutput,
      settings.files.map((f) => f.file),
    )
  )
    throw new InputError('sarif-output', `would overwrite one of the result files it reads (${settings.sarifOutput})`)
  return settings
}

/**
 * Input 'trivy-root' as a path of the workspace ('' for its root): relative to it or absolute
 * inside it, never outside (Trivy's paths would then be no files of the checkout).
 */
export function scannedDirectory(value: string, root: string): { trivyRoot: string; trivyRootMissing: boolean } {
  if (value === '') return { trivyRoot: '', trivyRootMissing: false }
  const rel = path.relative(root, path.resolve(root, value))
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel))
    throw new InputError('trivy-root', `must be a directory inside the workspace (${root}), like 'infra'; got ${quote(value)}`)
  let stat: Stats | undefined
  try {
    stat = statSync(path.resolve(root, value), { throwIfNoEntry: false })
  } catch (error) {
    if (!isFileError(error)) throw error
    throw new InputError('trivy-root', `cannot be read: ${describeFileError(error)} (${quote(value)})`)
  }
  // A scan of one file: Trivy names its target by itself; the root would place it under its own name.
  if (stat?.isFile())
    throw new InputError(
      'trivy-root',
      `names a file (${quote(value)}); give the directory Trivy scanned, or nothing for a scan of one file`,
    )
  return { trivyRoot: rel.split(path.sep).join('/'), trivyRootMissing: !stat?.isDirectory() }
}

/** The default ignore file is read when present; one named explicitly must exist. */
async function readIgnore(value: string, root: string, today: string): Promise<IgnoreFile | undefined> {
  const file = path.resolve(root, value)
  if (value === DEFAULT_IGNORE_FILE && !exists(file)) return undefined
  const { parseIgnoreFile } = await import('./ignore-file.js')
  return parseIgnoreFile(readRegularFile(file, `Input 'ignore-file' (${value})`).toString('utf8'), value, today)
}

const exists = (file: string): boolean => {
  try {
    statSync(file)
    return true
  } catch {
    return false
  }
}

const isInside = (file: string, files: string[]): boolean => files.includes(file)

/** The bytes of the result files the inputs name (0 for what cannot be found: readSettings says why). */
export function resultBytes(inputs: Inputs = new Inputs(), root: string = process.cwd()): number {
  let bytes = 0
  for (const input of ['trivy', 'checkov', 'sarif', 'baseline'] as const) {
    try {
      for (const f of expandPatterns(input, inputs.list(input), root)) bytes += statSync(f.file).size
    } catch {
      // Said by readSettings, on the thread that runs the action.
    }
  }
  return bytes
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10)
}
