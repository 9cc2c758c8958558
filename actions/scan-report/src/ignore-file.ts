import picomatch from 'picomatch'
import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { parseYamlConfig, lineOf } from '@infra-actions/common/yaml-config'
import { canonicalTrivyRule, type Finding } from './model.js'

/**
 * The ignore file: a YAML list of suppressions, each with the rule id, optionally a path glob
 * and a package, a required reason and an optional expiry date. An expired entry no longer
 * suppresses: the finding counts again and the step says which line to renew or remove.
 */
export interface IgnoreEntry {
  id: string
  path?: string
  package?: string
  reason: string
  expires?: string
  /** Where it is, for messages: `.github/scan-ignore.yml:12`. */
  where: string
  expired: boolean
  matched: number
}

export interface IgnoreFile {
  label: string
  entries: IgnoreEntry[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

const isRealDate = (s: string): boolean => {
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

const entrySchema = z
  .object({
    id: z.string().trim().min(1, 'must name the rule (a CVE, AWS-0086, CKV_AWS_20, …)'),
    path: z.string().trim().min(1).optional(),
    package: z.string().trim().min(1).optional(),
    reason: z.string().trim().min(1, 'must say why the finding is accepted'),
    expires: z.string().regex(DATE, 'must be a date written YYYY-MM-DD').refine(isRealDate, 'is not a real date').optional(),
  })
  .strict()

const schema = z.array(entrySchema).nullable()

/** Parses and validates; every error names the file and the line. `today` is YYYY-MM-DD (UTC). */
export function parseIgnoreFile(textContent: string, label: string, today: string): IgnoreFile {
  // An empty file (or only comments) suppresses nothing.
  const parsed = textContent.trim() === '' ? [] : parseYamlConfig(textContent, label, schema)
  const counter = new LineCounter()
  const doc = parseDocument(textContent, { lineCounter: counter })
  const entries = (parsed ?? []).map((e, i) => {
    const line = lineOf(doc, counter, [i])
    return {
      ...e,
      where: `${label}${line ? `:${line}` : ''}`,
      expired: e.expires !== undefined && e.expires < today,
      matched: 0,
    }
  })
  return { label, entries }
}

const normalizeId = (id: string): string => canonicalTrivyRule(id).toUpperCase()

/**
 * Marks the findings an entry suppresses. A finding the scanner itself suppressed keeps that
 * reason. The first entry that matches wins; expired entries match nothing.
 */
export function applyIgnores(findings: readonly Finding[], ignore: IgnoreFile | undefined): void {
  for (const f of findings) if (f.suppressedBy) f.suppression = f.suppressedBy
  if (!ignore || ignore.entries.length === 0) return
  const matchers = ignore.entries.map((e) => ({
    entry: e,
    id: normalizeId(e.id),
    path: e.path ? picomatch(e.path, { dot: true }) : undefined,
    package: e.package?.toLowerCase(),
  }))
  for (const f of findings) {
    if (f.suppression) continue
    const ids = new Set([normalizeId(f.rule), normalizeId(f.ruleId)])
    for (const m of matchers) {
      if (m.entry.expired || !ids.has(m.id)) continue
      if (m.package !== undefined && f.package?.name.toLowerCase() !== m.package) continue
      if (m.path && !f.locations.some((l) => m.path!(l.file)) && !(f.target && m.path(f.target))) continue
      m.entry.matched++
      f.suppression = { by: 'ignore-file', kind: 'external', reason: m.entry.reason, expires: m.entry.expires, source: m.entry.where }
      break
    }
  }
}
