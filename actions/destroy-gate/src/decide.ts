import { plural, visible } from '@infra-actions/common'
import { AddressMatcher, type PlanModel, type ResourceItem } from '@infra-actions/terraform'
import type { GateRules } from './settings.js'

/**
 * The gate's decision, a pure function of the plan and the rules. It fails closed: a plan it
 * cannot fully read (errored, unknown actions) is blocked whatever the numbers say.
 */
export type Verdict = 'counted' | 'protected' | 'ignored' | 'moved-into-ignore' | 'replace-not-counted' | 'forget' | 'deferred'

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
  /** Resources a move takes into `ignore` (counted as destroys): `from → to, by pattern`. */
  movedIn: string[]
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
  let replaceCount = 0
  const label = (item: ResourceItem): string =>
    `${item.address}${item.deposed ? ` (deposed ${item.deposed})` : ''}${item.previousAddress !== undefined ? ` (moved from ${item.previousAddress})` : ''}`

  for (const item of model.changes) {
    // Moved where no protected pattern reaches: the next plan could destroy it unprotected. (A
    // destroy moved out is a protected hit below.)
    const escaped = item.destroys ? undefined : protectedMatcher.movedOutOf(item)
    if (escaped !== undefined) {
      movedOut.push(`${item.previousAddress} → ${item.address}, by ${escaped}`)
      protectedAddresses.add(item.address)
    }
    if (item.action === 'forget' || item.action === 'create-forget') {
      rows.push({ address: label(item), actions: item.actions.join(', '), reason: item.reason, verdict: 'forget', pattern: undefined })
      continue
    }
    if (!item.destroys) {
      // Moved where an ignore pattern hides it: the next plan could destroy it there uncounted, so
      // the move counts as the destroy (an approval can allow it). Protection where it goes wins.
      const hidden = escaped === undefined ? ignoreMatcher.movedInto(item) : undefined
      if (hidden !== undefined && protectedMatcher.match(item) === undefined) {
        const row: GateRow = {
          address: label(item),
          actions: item.actions.join(', '),
          reason: item.reason,
          verdict: 'moved-into-ignore',
          pattern: hidden,
        }
        rows.push(row)
        movedIn.push(`${item.previousAddress} → ${item.address}, by ${hidden}`)
        counted.push(row.address)
        countedAddresses.add(item.address)
      }
      continue
    }
    const isReplace = item.action === 'replace'
    if (isReplace) replaceCount++
    const row: GateRow = {
      address: label(item),
      actions: item.actions.join(', '),
      reason: item.reason,
      verdict: 'counted',
      pattern: undefined,
    }
    const prot = protectedMatcher.match(item)
    const ign = ignoreMatcher.matchEvery(item)
    if (prot !== undefined) {
      row.verdict = 'protected'
      row.pattern = prot
      protectedHits.push(row.address)
      protectedAddresses.add(item.address)
      counted.push(row.address)
      countedAddresses.add(item.address)
    } else if (ign !== undefined) {
      row.verdict = 'ignored'
      row.pattern = ign
    } else if (isReplace && !rules.countReplace) {
      row.verdict = 'replace-not-counted'
    } else {
      counted.push(row.address)
      countedAddresses.add(item.address)
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
  if (movedOut.length > 0)
    return blocked(
      `moves ${plural(movedOut.length, 'protected resource')} out of 'protected'`,
      movedOut,
      '; ',
      "Add the new address to 'protected' in a reviewed change (or a pattern that covers both).",
    )
  const n = counted.length
  const limit = rules.maxDestroy
  if (limit === -1 || n <= limit) {
    const reason =
      n === 0
        ? 'The plan destroys nothing the gate counts.'
        : `The plan destroys ${n} of at most ${limit === -1 ? 'unlimited' : limit} allowed.`
    return { ...base, allowed: true, overridden: false, unverifiable: false, reason }
  }
  const included = [
    replaceCount > 0 && rules.countReplace ? 'replacements included' : '',
    movedIn.length > 0
      ? `${movedIn.length} a move into 'ignore', counted as a destroy: ${movedIn.slice(0, 3).map(visible).join('; ')}${movedIn.length > 3 ? '; …' : ''}`
      : '',
  ].filter(Boolean)
  const over = `The plan destroys ${plural(n, 'resource')}${included.length ? ` (${included.join('; ')})` : ''}; at most ${limit} ${limit === 1 ? 'is' : 'are'} allowed`
  const by = override.allowDestroy ?? override.approval
  if (by) return { ...base, allowed: true, overridden: true, unverifiable: false, reason: `${over}, but ${by.by} allowed it.` }
  const refusal = override.refusals?.length ? ` ${override.refusals.join(' ')}` : ''
  return { ...base, allowed: false, overridden: false, unverifiable: false, reason: `${over}.${refusal}` }
}
