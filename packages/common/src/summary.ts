import * as core from '@actions/core'
import { utf8Bytes } from './budget.js'
import { describeFileError } from './files.js'

/** GitHub drops a step summary over 1 MiB entirely; we keep a margin for what others append. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024

/**
 * Append Markdown to this step's job summary (`core.summary`). Callers budget their rendering
 * with `fitToBudget(..., { measure: utf8Bytes, max: SUMMARY_LIMIT_BYTES })`; this is the last
 * guard, cutting at a line end and saying so rather than letting GitHub discard the whole
 * summary. Returns false when the runner gives no summary file (local runs).
 */
export async function writeJobSummary(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set; the job summary is skipped.')
    return false
  }
  try {
    await core.summary.addRaw(limitBytes(markdown, SUMMARY_LIMIT_BYTES), true).write()
  } catch (error) {
    // The summary is a report, not the result: the outputs and the verdict must still be set.
    core.warning(`The job summary could not be written: ${describeFileError(error)}`)
    return false
  } finally {
    core.summary.emptyBuffer()
  }
  return true
}

export function limitBytes(markdown: string, max: number): string {
  if (utf8Bytes(markdown) <= max) return markdown
  const note = '\n\n_The summary was cut here to stay within GitHub’s 1 MiB limit for a step summary._'
  let cut = Buffer.from(markdown, 'utf8')
    .subarray(0, max - utf8Bytes(note))
    .toString('utf8')
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')))
  return `${cut}${note}`
}
