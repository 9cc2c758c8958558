import { isRecord, nonEmptyString } from '@infra-actions/common'
import { applySplit, splitOf, waitForSplit, type ApplyDeps } from './apply.js'
import { UPDATE_DEADLINE_MS, type SavedRollout } from './cloud-run-traffic.js'
import { STATE_ANNOTATION, decodeState } from './state.js'
import { describeSplit, sameSplit, shortName, stepSplit, type Target } from './traffic.js'

export interface RestoreDeps extends ApplyDeps {
  info: (message: string) => void
  warning: (message: string) => void
}

/** The rollout the main step saved, if it saved one this version can read. */
export function parseSaved(value: string): SavedRollout | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.start)) return undefined
  const service = nonEmptyString(parsed.service)
  const revision = nonEmptyString(parsed.revision)
  const start = parsed.start.filter(isRecord).map((t) => ({
    revision: String(t.revision),
    percent: Number(t.percent),
    ...(typeof t.tag === 'string' ? { tag: t.tag } : {}),
  }))
  if (!service || !revision || start.length === 0) return undefined
  return { service, revision, start: start as Target[], run: typeof parsed.run === 'string' ? parsed.run : '' }
}

/**
 * The post step: when the main step saved a rollout and did not finish it (cancelled, killed,
 * a rollback that failed), restore the starting split, unless someone else has taken the
 * service over since (another run's state annotation, or a split this rollout never wrote).
 */
export async function restoreUnfinished(saved: SavedRollout, deps: RestoreDeps): Promise<'restored' | 'in-place' | 'left'> {
  const service = await deps.api.getService(saved.service)
  const current = splitOf(service)
  const state = decodeState(service.annotations?.[STATE_ANNOTATION])
  const name = shortName(saved.service)
  const deadline = deps.now() + UPDATE_DEADLINE_MS
  if (sameSplit(current, saved.start)) {
    if (state)
      await applySplit(deps, saved.service, { want: saved.start, state: undefined, expected: [current], deadlineMs: UPDATE_DEADLINE_MS })
    else await waitForSplit(deps, saved.service, saved.start, deadline)
    deps.info(`The starting split of ${name} is in place: ${describeSplit(saved.start)}.`)
    return 'in-place'
  }
  // Ours only while the split is the one our state says we wrote: someone who changed the traffic
  // by hand since (the annotation stays) has taken the service over.
  const ours =
    state !== undefined &&
    state.run === saved.run &&
    state.revision === saved.revision &&
    sameSplit(current, stepSplit(saved.start, state.revision, state.tag, state.percent))
  if (!ours) {
    deps.warning(
      `The rollout of ${saved.revision} did not finish, but ${name}'s traffic is no longer this run's (${describeSplit(current)}); it is left as it is.`,
    )
    return 'left'
  }
  deps.info(`The rollout of ${saved.revision} did not finish (at ${state.percent}%); restoring ${describeSplit(saved.start)}.`)
  await applySplit(deps, saved.service, { want: saved.start, state: undefined, expected: [current], deadlineMs: UPDATE_DEADLINE_MS })
  deps.info(`Restored the starting split of ${name}: ${describeSplit(saved.start)}.`)
  return 'restored'
}
