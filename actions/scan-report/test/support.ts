import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { corpusPath } from '../../../test/support/corpus.js'
import { mergeFindings } from '../src/dedupe.js'
import { readResultFile, type ResultFile, type ResultInput } from '../src/load.js'
import type { Severity } from '../src/model.js'
import type { ToolReport } from '../src/report.js'

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** A corpus file (`trivy/x.json`) or a fixture (`fixtures/x.sarif`) as an input would name it. */
export function file(input: ResultInput, name: string): ResultFile {
  if (path.isAbsolute(name)) return { input, file: name, label: path.basename(name) }
  const [dir, rest] = name.split(/\/(.*)/s) as [string, string]
  const abs = dir === 'fixtures' ? path.join(FIXTURES, rest) : corpusPath(dir, rest)
  return { input, file: abs, label: name }
}

export function read(input: ResultInput, name: string, checkovSeverity: Severity = 'medium'): ToolReport[] {
  return readResultFile(file(input, name), { checkovSeverity, root: ROOT })
}

export function merged(...files: [ResultInput, string][]) {
  return mergeFindings(files.flatMap(([i, n]) => read(i, n)))
}

// The Multitool helper is shared with the integration tests of the built action.
export { validateSarif } from '../../../test/support/sarif-multitool.js'
