import { createHash } from 'node:crypto'
import { ConfigurationError, isRecord, type PlanCounts, type PlanModel } from '@infra-actions/common'

/**
 * What one plan-comment step leaves for an aggregating step: counts, a few destroyed
 * addresses and where the details are. Versioned, so an old summary is refused clearly.
 */
export interface PlanSummary {
  schema: 'infra-actions/plan-summary@1'
  key: string
  environment: string | undefined
  title: string
  summary: string
  counts: PlanCounts
  hasChanges: boolean
  errored: boolean
  complete: boolean | undefined
  /** Up to 20 destroyed or replaced addresses. */
  destroyed: string[]
  sha: string | undefined
  detailsUrl: string | undefined
}

export const SUMMARY_SCHEMA = 'infra-actions/plan-summary@1'

export function toSummary(
  model: PlanModel,
  fields: { key: string; environment: string | undefined; title: string; summary: string; sha: string | undefined },
): Omit<PlanSummary, 'detailsUrl'> {
  return {
    schema: SUMMARY_SCHEMA,
    ...fields,
    counts: model.counts,
    hasChanges: model.hasChanges,
    errored: model.errored,
    complete: model.complete,
    destroyed: model.changes
      .filter((c) => c.destroys)
      .slice(0, 20)
      .map((c) => c.address),
  }
}

export function parseSummary(text: string, file: string): PlanSummary {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ConfigurationError(`Input 'summaries': ${file} is not valid JSON.`)
  }
  // Summary files travel as artifacts, so every field the comment shows is checked for its type:
  // a number where a count goes, strings where addresses go.
  const counts = isRecord(value) && isRecord(value.counts) ? value.counts : undefined
  const valid =
    isRecord(value) &&
    value.schema === SUMMARY_SCHEMA &&
    typeof value.key === 'string' &&
    (value.environment === undefined || typeof value.environment === 'string') &&
    counts !== undefined &&
    Object.values(counts).every((n) => Number.isSafeInteger(n) && (n as number) >= 0) &&
    typeof value.hasChanges === 'boolean' &&
    typeof value.errored === 'boolean' &&
    Array.isArray(value.destroyed) &&
    value.destroyed.every((a) => typeof a === 'string')
  if (!valid)
    throw new ConfigurationError(`Input 'summaries': ${file} is not a plan summary written by plan-comment (schema ${SUMMARY_SCHEMA}).`)
  return value as unknown as PlanSummary
}

/** A file-name-safe form of a key, unique per key. */
export function slug(key: string): string {
  const readable =
    key
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'root'
  return `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`
}
