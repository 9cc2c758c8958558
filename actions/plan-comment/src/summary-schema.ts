import { z } from 'zod'
import { ConfigurationError } from '@infra-actions/common'
import { SUMMARY_SCHEMA, type PlanSummary } from './summary-file.js'

/** Reading the summary files of aggregate mode (zod loads only in that mode). */
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

// Summary files travel as artifacts, so every field the comment shows is checked: every count
// present and a whole number, strings where addresses go.
const summarySchema = z.object({
  schema: z.literal(SUMMARY_SCHEMA),
  key: z.string().min(1),
  environment: z.string().optional(),
  title: z.string(),
  summary: z.string(),
  counts: z.object({
    add: count,
    change: count,
    destroy: count,
    replace: count,
    import: count,
    move: count,
    forget: count,
    read: count,
    noop: count,
    drift: count,
    deferred: count,
    deposed: count,
  }),
  hasChanges: z.boolean(),
  errored: z.boolean(),
  complete: z.boolean().optional(),
  /** Up to 20 destroyed or replaced addresses. */
  destroyed: z.array(z.string()).max(1000),
  sha: z.string().optional(),
  detailsUrl: z.string().optional(),
}) satisfies z.ZodType<PlanSummary>

export function parseSummary(text: string, file: string): PlanSummary {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new ConfigurationError(`Input 'summaries': ${file} is not valid JSON.`)
  }
  const result = summarySchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(top level)'
    throw new ConfigurationError(
      `Input 'summaries': ${file} is not a plan summary written by plan-comment (schema ${SUMMARY_SCHEMA}): ${where}: ${issue?.message ?? 'invalid'}.`,
    )
  }
  return result.data
}
