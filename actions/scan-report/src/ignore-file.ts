import { LineCounter, parseDocument } from 'yaml'
import { z } from 'zod'
import { parseYamlConfig, lineOf, withoutByteOrderMark } from '@infra-actions/common/yaml-config'

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
  /** Findings it matched in some of their places but not all (so it suppressed none of them). */
  partly: number
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
  const doc = parseDocument(withoutByteOrderMark(textContent), { lineCounter: counter })
  const entries = (parsed ?? []).map((e, i) => {
    const line = lineOf(doc, counter, [i])
    return {
      ...e,
      where: `${label}${line ? `:${line}` : ''}`,
      expired: e.expires !== undefined && e.expires < today,
      matched: 0,
      partly: 0,
    }
  })
  return { label, entries }
}
