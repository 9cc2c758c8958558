import { isRecord, nonEmptyString } from '@infra-actions/common'
import type { Target } from './traffic.js'

/**
 * The service annotation that holds a rollout's progress, so a re-run on another runner knows
 * what to restore and where to go on. Cloud Run rejects `run.googleapis.com/`,
 * `cloud.googleapis.com/`, `serving.knative.dev/` and `autoscaling.knative.dev/` keys; this
 * prefix is this project's own.
 */
export const STATE_ANNOTATION = 'infra-actions/cloud-run-traffic'

export interface RolloutState {
  v: 1
  /** The revision being rolled out. */
  revision: string
  tag: string
  /** The split before the rollout started, pinned: what a rollback restores. */
  start: Target[]
  /** The new revision's percent in the split last written. */
  percent: number
  /** The run that wrote it (`GITHUB_RUN_ID`), and its URL when known. */
  run: string
  runUrl?: string
  /** When it was written (ISO 8601). */
  at: string
}

export function encodeState(state: RolloutState): string {
  return JSON.stringify(state)
}

/** The state in an annotation's value; undefined when it is not one this version wrote. */
export function decodeState(value: string | undefined): RolloutState | undefined {
  if (value === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (!isRecord(parsed) || parsed.v !== 1) return undefined
  const revision = nonEmptyString(parsed.revision)
  const tag = nonEmptyString(parsed.tag)
  const start = Array.isArray(parsed.start) ? parsed.start.map(target) : []
  if (!revision || !tag || start.length === 0 || start.some((t) => t === undefined)) return undefined
  if (typeof parsed.percent !== 'number' || !Number.isInteger(parsed.percent)) return undefined
  return {
    v: 1,
    revision,
    tag,
    start: start as Target[],
    percent: parsed.percent,
    run: typeof parsed.run === 'string' ? parsed.run : '',
    ...(nonEmptyString(parsed.runUrl) ? { runUrl: parsed.runUrl as string } : {}),
    at: typeof parsed.at === 'string' ? parsed.at : '',
  }
}

function target(value: unknown): Target | undefined {
  if (!isRecord(value)) return undefined
  const revision = nonEmptyString(value.revision)
  const percent = value.percent
  if (!revision || typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) return undefined
  const tag = nonEmptyString(value.tag)
  return tag ? { revision, percent, tag } : { revision, percent }
}

/** The service's annotations with ours set to `state`, or removed when `state` is undefined. */
export function withState(
  annotations: Readonly<Record<string, string>> | undefined,
  state: RolloutState | undefined,
): Record<string, string> {
  const next: Record<string, string> = {}
  for (const [k, v] of Object.entries(annotations ?? {})) if (k !== STATE_ANNOTATION) next[k] = v
  if (state) next[STATE_ANNOTATION] = encodeState(state)
  return next
}
