import { createHash } from 'node:crypto'
import type { PlanCounts, PlanModel } from '@infra-actions/terraform'

/**
 * What one plan-comment step leaves for an aggregating step: counts, a few destroyed
 * addresses and where the details are. Versioned, so an old summary is refused clearly.
 */
export const SUMMARY_SCHEMA = 'infra-actions/plan-summary@1'

export interface PlanSummary {
  schema: typeof SUMMARY_SCHEMA
  key: string
  environment?: string | undefined
  title: string
  summary: string
  counts: PlanCounts
  hasChanges: boolean
  errored: boolean
  complete?: boolean | undefined
  /** Up to 20 destroyed or replaced addresses. */
  destroyed: string[]
  sha?: string | undefined
  detailsUrl?: string | undefined
}

/** A plan that leaves changes for a later plan (`complete: false`, deferred changes): it has not looked at everything. */
export const isIncomplete = (s: Pick<PlanSummary, 'complete' | 'counts'>): boolean => s.complete === false || s.counts.deferred > 0

/** `mask` hides the plan's secrets in the addresses (an aggregating step shows them). */
export function toSummary(
  model: PlanModel,
  fields: { key: string; environment: string | undefined; title: string; summary: string; sha: string | undefined },
  mask: (text: string) => string = (t) => t,
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
      .map((c) => mask(c.address)),
  }
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
