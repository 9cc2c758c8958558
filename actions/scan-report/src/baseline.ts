import { ConfigurationError, record } from '@infra-actions/common'
import { mergeFindings } from './dedupe.js'
import { parseResultFile, type ResultFile } from './load.js'
import type { Finding, Severity } from './model.js'
import { looksLikeSarif, readSarif, scanReportFingerprint } from './sarif-read.js'

/**
 * The fingerprints of a baseline: a merged SARIF from the base branch. Results this action
 * wrote carry `scanReport/v1`; any other SARIF (a raw Trivy or Checkov one) is read as an
 * input would be and fingerprinted the same way, so a baseline from before this action works.
 */
export function readBaseline(f: ResultFile, options: { checkovSeverity: Severity; root: string }): Set<string> {
  const doc = parseResultFile(f)
  const what = `Input 'baseline' (${f.label})`
  if (!looksLikeSarif(doc))
    throw new ConfigurationError(`${what} is not SARIF: give the merged SARIF (output 'sarif-file') of the base branch's run.`)
  const runs = (record(doc)?.runs as unknown[]).map(record)
  const results = runs.flatMap((r) => (Array.isArray(r?.results) ? r.results : []))
  const ours = results.map(scanReportFingerprint)
  if (ours.every((fp) => fp !== undefined)) return new Set(ours as string[])
  const reports = readSarif(doc, {
    expected: undefined,
    what,
    source: f.label,
    checkovSeverity: options.checkovSeverity,
    root: options.root,
  })
  return new Set(mergeFindings(reports).findings.map((x) => x.partialFingerprint))
}

/** Marks each finding new or unchanged; returns how many baseline findings are gone. */
export function applyBaseline(findings: readonly Finding[], baseline: Set<string> | undefined): number {
  if (!baseline) return 0
  let present = 0
  for (const f of findings) {
    f.baseline = baseline.has(f.partialFingerprint) ? 'unchanged' : 'new'
    if (f.baseline === 'unchanged') present++
  }
  return Math.max(0, baseline.size - present)
}
