import { ConfigurationError } from '@infra-actions/common'

export const REVISION = 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION'
export const LATEST = 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST'

/** A traffic target as the Cloud Run Admin API v2 reads and writes it (`GoogleCloudRunV2TrafficTarget`). */
export interface ApiTrafficTarget {
  type?: string
  revision?: string
  percent?: number
  tag?: string
}

/** A target pinned to a revision by name: every split this action writes is made of these. */
export interface Target {
  revision: string
  percent: number
  tag?: string
}

/** The short name of a revision given as `projects/…/revisions/<name>` or as the name itself. */
export function shortName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1)
}

/**
 * The split with every target pinned by revision name. A `LATEST` target (or an empty list,
 * which the API reads as 100% to the latest ready revision) is pinned to `latestReady`: a tag on
 * `LATEST` would follow every new deploy, and a rollback to `LATEST` would send traffic to the
 * very revision it rolls back from.
 */
export function pinSplit(traffic: readonly ApiTrafficTarget[] | undefined, latestReady: string): Target[] {
  const list = traffic ?? []
  if (list.length === 0) return [{ revision: latestReady, percent: 100 }]
  return list.map((t) => {
    const revision = t.type === LATEST || !t.revision ? latestReady : shortName(t.revision)
    return t.tag ? { revision, percent: t.percent ?? 0, tag: t.tag } : { revision, percent: t.percent ?? 0 }
  })
}

/** True when the API's list has a `LATEST` target (it is pinned in the first update). */
export function hasLatestTarget(traffic: readonly ApiTrafficTarget[] | undefined): boolean {
  return (traffic ?? []).length === 0 || (traffic ?? []).some((t) => t.type === LATEST || !t.revision)
}

/** The percent a revision serves across all its targets. */
export function shareOf(split: readonly Target[], revision: string): number {
  return split.reduce((n, t) => n + (t.revision === revision ? t.percent : 0), 0)
}

/**
 * The split of one step: `revision` gets `percent` under `tag`; the other revisions keep their
 * relative shares of the rest (integers by largest remainder, ties to the earlier target); other
 * tags stay where they are, at the percent they had (a `pr-7` preview at 0% survives). Our tag
 * is taken from any other target that holds it; a target left with neither tag nor traffic goes.
 */
export function stepSplit(start: readonly Target[], revision: string, tag: string, percent: number): Target[] {
  const others = start.filter((t) => t.revision !== revision)
  const pool = others.reduce((n, t) => n + t.percent, 0)
  if (percent < 100 && pool === 0) {
    throw new ConfigurationError(`No other revision serves traffic, so there is nothing to shift to ${revision} from.`)
  }
  const scaled = largestRemainder(
    others.map((t) => t.percent),
    100 - percent,
  )
  const result: Target[] = []
  let placed = false
  const place = (): void => {
    if (placed) return
    placed = true
    result.push({ revision, percent, tag })
  }
  let i = 0
  for (const t of start) {
    if (t.revision === revision) {
      place()
      // Our revision's other tags are kept (at 0%: its traffic is the step's percent).
      if (t.tag && t.tag !== tag) result.push({ revision, percent: 0, tag: t.tag })
      continue
    }
    const share = scaled[i++] as number
    const keepTag = t.tag && t.tag !== tag ? t.tag : undefined
    if (keepTag) result.push({ revision: t.revision, percent: share, tag: keepTag })
    else if (share > 0) result.push({ revision: t.revision, percent: share })
  }
  place()
  return result
}

/** Integer shares of `total` in proportion to `weights` (which sum to more than 0, or all 0 for total 0). */
export function largestRemainder(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  if (sum === 0) return weights.map(() => 0)
  const exact = weights.map((w) => (w * total) / sum)
  const floors = exact.map(Math.floor)
  let left = total - floors.reduce((a, b) => a + b, 0)
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i)
  for (const { i } of order) {
    if (left <= 0) break
    floors[i] = (floors[i] as number) + 1
    left--
  }
  return floors
}

const key = (t: Target): string => `${t.revision}\u0000${t.tag ?? ''}\u0000${t.percent}`

/** The same targets, in any order. */
export function sameSplit(a: readonly Target[], b: readonly Target[]): boolean {
  if (a.length !== b.length) return false
  const left = a.map(key).sort()
  const right = b.map(key).sort()
  return left.every((k, i) => k === right[i])
}

/** The split as the API takes it: every target pinned by revision. */
export function toApi(split: readonly Target[]): ApiTrafficTarget[] {
  return split.map((t) => ({ type: REVISION, revision: t.revision, percent: t.percent, ...(t.tag ? { tag: t.tag } : {}) }))
}

/** `api-00042-new 25% (canary) · api-00041-old 75%`, the tagged 0% targets left out. */
export function describeSplit(split: readonly Target[]): string {
  const shown = split.filter((t) => t.percent > 0)
  return (shown.length ? shown : split).map((t) => `${t.revision} ${t.percent}%${t.tag ? ` (${t.tag})` : ''}`).join(' · ')
}
