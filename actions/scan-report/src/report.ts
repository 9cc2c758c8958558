import type { RawFinding } from './model.js'

/** What a reader got out of one file (or one SARIF run). */
export interface ToolReport {
  /** The driver's own name: `Trivy`, `Checkov`, or another SARIF tool's. */
  tool: string
  version?: string
  /** SARIF driver details kept for the merged file. */
  fullName?: string
  informationUri?: string
  findings: RawFinding[]
  /** Checks that passed (Checkov), counted in the summary only. */
  passed: number
  /** Things read but not turned into findings, said in the summary (e.g. a vulnerability without an id). */
  notes: string[]
  /** Legacy rule names of this file mapped to their canonical ids (Trivy's `ID` → `AVDID`). */
  aliases: Map<string, string>
}

export function emptyReport(tool: string): ToolReport {
  return { tool, findings: [], passed: 0, notes: [], aliases: new Map() }
}

/** A string with something other than white space in it, else undefined. */
export const str = (v: unknown): string | undefined => {
  if (typeof v !== 'string') return undefined
  // Most start with a printable ASCII character: no trimming needed to know.
  const c = v.charCodeAt(0)
  return (c > 0x20 && c < 0x7f) || v.trim() !== '' ? v : undefined
}

export const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined)

const NONE: readonly unknown[] = []

/**
 * A report whose shape is not the one its format has (a list that is an object, a severity no
 * scanner writes, a schema version this action does not know): refused with the file's name, as
 * reading on could pass findings unseen.
 */
export class ReportShapeError extends Error {}

/** A list read from JSON (absent or null: nothing to loop over); anything else is refused. */
export const arrayOf = (v: unknown, name: string): readonly unknown[] => {
  if (Array.isArray(v)) return v
  if (v === undefined || v === null) return NONE
  throw new ReportShapeError(`${name} is ${typeof v === 'object' ? 'an object' : `a ${typeof v}`}, not a list`)
}
