import { ConfigurationError, record } from '@infra-actions/common'
import { assignFileFingerprints, mergeFindings } from './dedupe.js'
import { parseResultFile, type ResultFile } from './load.js'
import type { Finding, Severity } from './model.js'
import { looksLikeSarif, readSarif, scanReportFingerprint } from './sarif-read.js'

/** What a baseline holds, to tell new findings from existing ones. */
export interface Baseline {
  /** `scanReport/v1` of every finding. */
  fingerprints: Set<string>
  /** Every finding's fingerprint as a reading without resources (SARIF) gives it. */
  withoutResources: Set<string>
  /** The fingerprints of its misconfigurations that had no resource (read from SARIF). */
  resourceless: Set<string>
}

/**
 * The fingerprints of a baseline: a merged SARIF from the base branch. Results this action
 * wrote carry `scanReport/v1`; any other SARIF (a raw Trivy or Checkov one) is read as an
 * input would be and fingerprinted the same way, so a baseline from before this action works.
 * A misconfiguration read from JSON has a resource in its identity and one read from SARIF
 * has none: the baseline is also read without resources, so that either kind of scan on either
 * side matches the other (by rule, file and place among the file's findings of that rule).
 */
export function readBaseline(f: ResultFile, options: { checkovSeverity: Severity; root: string }): Baseline {
  const doc = parseResultFile(f)
  const what = `Input 'baseline' (${f.label})`
  if (!looksLikeSarif(doc))
    throw new ConfigurationError(`${what} is not SARIF: give the merged SARIF (output 'sarif-file') of the base branch's run.`)
  const runs = (record(doc)?.runs as unknown[]).map(record)
  const results = runs.flatMap((r) => (Array.isArray(r?.results) ? r.results : []))
  const read = mergeFindings(
    readSarif(doc, { expected: undefined, what, source: f.label, checkovSeverity: options.checkovSeverity, root: options.root }),
  ).findings
  const withoutResources = new Set(read.map((x) => x.partialFingerprint))
  const ours = results.map(scanReportFingerprint)
  if (ours.every((fp) => fp !== undefined)) {
    const resourceless = new Set<string>()
    results.forEach((r, i) => {
      const p = record(record(r)?.properties)
      if (p?.kind === 'misconfiguration' && p.resource === undefined) resourceless.add(ours[i] as string)
    })
    return { fingerprints: new Set(ours as string[]), withoutResources, resourceless }
  }
  const resourceless = new Set(read.filter((x) => x.kind === 'misconfiguration').map((x) => x.partialFingerprint))
  return { fingerprints: withoutResources, withoutResources, resourceless }
}

/** Marks each finding new or unchanged; returns how many baseline findings are gone. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline | undefined): number {
  if (!baseline) return 0
  if (baseline.resourceless.size > 0) assignFileFingerprints(findings)
  let present = 0
  for (const f of findings) {
    const known =
      baseline.fingerprints.has(f.partialFingerprint) ||
      // No resource here (SARIF): its fingerprint is one a baseline read without resources has.
      (f.kind === 'misconfiguration' && f.resource === undefined && baseline.withoutResources.has(f.partialFingerprint)) ||
      // A resource here, none in the baseline: compared without it.
      (f.fileFingerprint !== undefined && baseline.resourceless.has(f.fileFingerprint))
    f.baseline = known ? 'unchanged' : 'new'
    if (known) present++
  }
  return Math.max(0, baseline.fingerprints.size - present)
}
