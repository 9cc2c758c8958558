import { plural, visible } from '@infra-actions/common'
import { AddressMatcher, type PlanModel, type ResourceItem } from '@infra-actions/terraform'
import type { GateRules } from './settings.js'

/**
 * The gate's decision, a pure function of the plan and the rules. It fails closed: a plan it
 * cannot fully read (errored, unknown actions) is blocked whatever the numbers say.
 */
export type Verdict =
  | 'counted'
  | 'protected'
  | 'forget-protected'
  | 'moved-out-of-protection'
  | 'ignored'
  | 'moved-into-ignore'
  | 'imported-into-ignore'
  | 'replace-not-counted'
  | 'forget'
  | 'deferred'

export interface GateRow {
  /** The address as the summary shows it: with `(deposed …)` and `(moved from …)`. */
  address: string
  actions: string
  reason: string | undefined
  verdict: Verdict
  /** The pattern that made it protected or ignored. */
  pattern: string | undefined
}

export interface Override {
  /** Who allowed it, e.g. "alice (allow-destroy input)". */
  by: string
}

export interface Overrides {
  /** The workflow's allow-destroy input. */
  allowDestroy?: Override
  /** A person's approval (an allow-label or an approving review) that counted. */
  approval?: Override
  /** Why the approvals that were looked for did not count, for the reason. */
  refusals?: string[]
}

export interface Decision {
  allowed: boolean
  reason: string
  rows: GateRow[]
  /** The rows counted and protected, as the summary and the log show them. */
  counted: string[]
  protectedHits: string[]
  /** Their addresses, each once, for the outputs (a deposed object is at its resource's address). */
  countedAddresses: string[]
  protectedAddresses: string[]
  /** Protected resources a move takes out of every protected pattern: `from → to, by pattern`. */
  movedOut: string[]
  /** Resources a move or an import takes into `ignore` (counted as destroys): `from → to, by pattern`. */
  movedIn: string[]
  /** Protected resources the plan forgets (`removed` with `destroy = false`). */
  forgottenProtected: string[]
  destroyCount: number
  replaceCount: number
  /** The destroys went through an override: warn. */
  overridden: boolean
  /** The plan could not be verified (errored, unknown actions). */
  unverifiable: boolean
}

export function decide(model: PlanModel, rules: GateRules, override: Overrides = {}): Decision {
  const protectedMatcher = new AddressMatcher(rules.protected)
  const ignoreMatcher = new AddressMatcher(rules.ignore)
  const rows: GateRow[] = []
  const counted: string[] = []
  const protectedHits: string[] = []
  const countedAddresses = new Set<string>()
  const protectedAddresses = new Set<string>()
  const movedOut: string[] = []
  const movedIn: string[] = []
  const forgottenProtected: string[] = []
  let replaceCount = 0
  let replacementCounted = false
  const label = (item: ResourceItem): string =>
    `${item.address}${item.deposed ? ` (deposed ${item.deposed})` : ''}${item.previousAddress !== undefined ? ` (moved from ${item.previousAddress})` : ''}`
  const count = (row: GateRow, item: ResourceItem): void => {
    counted.push(row.address)
    countedAddresses.add(item.address)
  }
  // Where an ignore pattern would hide a resource from the next plan: a move or an import into an
  // ignored path, whose address the PR's author picks. Counted as the destroy it makes possible.
  const intoIgnore = (item: ResourceItem): { verdict: Verdict; pattern: string; what: string } | undefined => {
    const moved = ignoreMatcher.movedInto(item)
    if (moved !== undefined)
      return { verdict: 'moved-into-ignore', pattern: moved, what: `${item.previousAddress} → ${item.address}, by ${moved}` }
    // An import adopts an object of its own type: a pattern ignoring the whole type already
    // ignored that object's destroy wherever it was, so only a narrower one hides something.
    const imported = item.importing && !ignoreMatcher.coversType(item.type) ? ignoreMatcher.matchEvery(item) : undefined
    if (imported !== undefined)
      return { verdict: 'imported-into-ignore', pattern: imported, what: `import → ${item.address}, by ${imported}` }
    return undefined
  }

  for (const item of model.changes) {
    const row: GateRow = {
      address: label(item),
      actions: item.actions.join(', '),
      reason: item.reason,
      verdict: 'counted',
      pattern: undefined,
    }
    const prot = protectedMatcher.match(item)
    if (item.action === 'forget' || item.action === 'create-forget') {
      // The object stays, out of Terraform's reach, and could be imported again where no
      // protected pattern reaches: forgetting a protected resource is blocked like destroying it.
      if (prot !== undefined) {
        Object.assign(row, { verdict: 'forget-protected', pattern: prot })
        forgottenProtected.push(row.address)
        protectedAddresses.add(item.address)
      } else row.verdict = 'forget'
      rows.push(row)
      continue
    }
    // Moved where no protected pattern reaches: the next plan could destroy it unprotected. (A
    // destroy moved out is a protected hit below.)
    const escaped = item.destroys ? undefined : protectedMatcher.movedOutOf(item)
    if (escaped !== undefined) {
      Object.assign(row, { verdict: 'moved-out-of-protection', pattern: escaped })
      rows.push(row)
      movedOut.push(`${item.previousAddress} → ${item.address}, by ${escaped}`)
      protectedAddresses.add(item.address)
      continue
    }
    const into = prot === undefined ? intoIgnore(item) : undefined
    if (into !== undefined) movedIn.push(into.what)
    const isReplace = item.destroys && item.action === 'replace'
    if (isReplace) replaceCount++
    if (!item.destroys && into === undefined) continue
    if (prot !== undefined) {
      Object.assign(row, { verdict: 'protected', pattern: prot })
      protectedHits.push(row.address)
      protectedAddresses.add(item.address)
      count(row, item)
      if (isReplace) replacementCounted = true
    } else if (into !== undefined) {
      // Whatever count-replace says: a replacement moved into ignore is still the move.
      Object.assign(row, { verdict: into.verdict, pattern: into.pattern })
      count(row, item)
    } else {
      const ign = ignoreMatcher.matchEvery(item)
      if (ign !== undefined) Object.assign(row, { verdict: 'ignored', pattern: ign })
      else if (isReplace && !rules.countReplace) row.verdict = 'replace-not-counted'
      else {
        count(row, item)
        if (isReplace) replacementCounted = true
      }
    }
    rows.push(row)
  }
  for (const d of model.deferred) {
    if (d.item.actions.includes('delete'))
      rows.push({ address: d.item.address, actions: d.item.actions.join(', '), reason: d.reason, verdict: 'deferred', pattern: undefined })
  }
  const base = {
    rows,
    counted,
    protectedHits,
    countedAddresses: [...countedAddresses],
    protectedAddresses: [...protectedAddresses],
    movedOut,
    movedIn,
    forgottenProtected,
    destroyCount: counted.length,
    replaceCount,
  }

  if (model.errored) {
    return {
      ...base,
      allowed: false,
      overridden: false,
      unverifiable: true,
      reason: 'Cannot verify the plan: it errored (errored: true), so its list of changes is partial.',
    }
  }
  if (model.unknownActions.length > 0) {
    const actions = [...new Set(model.unknownActions.map((u) => u.actions.join(',')))].join('; ')
    return {
      ...base,
      allowed: false,
      overridden: false,
      unverifiable: true,
      reason: `Cannot verify the plan: ${plural(model.unknownActions.length, 'resource change')} with actions this gate does not know (${actions}). Upgrade infra-actions.`,
    }
  }
  // Protection is never overridden: listed (at most three), then what to do.
  const blocked = (what: string, list: string[], separator: string, todo: string): Decision => ({
    ...base,
    allowed: false,
    overridden: false,
    unverifiable: false,
    reason: `The plan ${what} (${list.slice(0, 3).map(visible).join(separator)}${list.length > 3 ? `${separator}…` : ''}); no override allows that. ${todo}`,
  })
  if (protectedHits.length > 0)
    return blocked(
      `destroys ${plural(protectedHits.length, 'protected resource')}`,
      protectedHits,
      ', ',
      "To destroy one, remove it from 'protected' in a reviewed change.",
    )
  if (forgottenProtected.length > 0)
    return blocked(
      `forgets ${plural(forgottenProtected.length, 'protected resource')}`,
      forgottenProtected,
      ', ',
      "Terraform would stop managing it (the object stays), and it could be imported again where no protected pattern reaches. To forget one, remove it from 'protected' in a reviewed change.",
    )
  if (movedOut.length > 0)
    return blocked(
      `moves ${plural(movedOut.length, 'protected resource')} out of 'protected'`,
      movedOut,
      '; ',
      "Add the new address to 'protected' in a reviewed change (or a pattern that covers both).",
    )
  const n = counted.length
  const limit = rules.maxDestroy
  const destroyed = n - movedIn.length
  const counts = [
    destroyed > 0 || movedIn.length === 0
      ? `destroys ${plural(destroyed, 'resource')}${replacementCounted ? ' (replacements included)' : ''}`
      : '',
    movedIn.length > 0
      ? `takes ${plural(movedIn.length, 'resource')} into 'ignore' (${movedIn.slice(0, 3).map(visible).join('; ')}${movedIn.length > 3 ? '; …' : ''}), counted as ${movedIn.length === 1 ? 'a destroy' : 'destroys'}`
      : '',
  ]
    .filter(Boolean)
    .join(' and ')
  if (limit === -1 || n <= limit) {
    const most = limit === -1 ? 'unlimited' : limit
    const reason =
      n === 0
        ? 'The plan destroys nothing the gate counts.'
        : movedIn.length === 0
          ? `The plan destroys ${n} of at most ${most} allowed.`
          : `The plan ${counts}: ${n} counted, at most ${most} allowed.`
    return { ...base, allowed: true, overridden: false, unverifiable: false, reason }
  }
  const over = `The plan ${counts}; at most ${limit} ${limit === 1 ? 'is' : 'are'} allowed`
  const by = override.allowDestroy ?? override.approval
  if (by) return { ...base, allowed: true, overridden: true, unverifiable: false, reason: `${over}, but ${by.by} allowed it.` }
  const refusal = override.refusals?.length ? ` ${override.refusals.join(' ')}` : ''
  return { ...base, allowed: false, overridden: false, unverifiable: false, reason: `${over}.${refusal}` }
}
