import { isRecord } from '@infra-actions/common'
import { PlanFormatError, type RawChange, type RawPlan, type RawResourceChange } from './parse.js'
import type { ChangeSection, PlanSink } from './read-plan.js'

/**
 * The plan model both plan-comment and destroy-gate read: every resource change classified once,
 * counted the way Terraform's own "Plan: ..." line counts. Values are not copied; items keep a
 * reference to the raw change so a 70 MB plan is not held twice.
 */
export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget' | 'create-forget' | 'unknown'

export interface ResourceItem {
  address: string
  previousAddress: string | undefined
  moduleAddress: string | undefined
  mode: string
  type: string
  name: string
  index: string | number | undefined
  deposed: string | undefined
  /** The raw actions array, e.g. ["create","delete"]. */
  actions: readonly string[]
  action: PlanAction
  /** For replacements: which half happens first. */
  replaceOrder: 'delete-first' | 'create-first' | undefined
  reason: string | undefined
  replacePaths: readonly (readonly (string | number)[])[]
  importing: boolean
  importId: string | undefined
  /** True for managed resources whose actions delete a real object (delete, both replace orders). */
  destroys: boolean
  change: RawChange
}

export interface DeferredItem {
  reason: string
  item: ResourceItem
}

export interface OutputItem {
  name: string
  action: string
  sensitive: boolean
  change: RawChange
}

export interface CheckProblem {
  address: string
  status: string
  problems: string[]
}

export interface PlanCounts {
  add: number
  change: number
  destroy: number
  replace: number
  import: number
  move: number
  forget: number
  read: number
  noop: number
  drift: number
  deferred: number
  deposed: number
}

/** Every count at zero: a plan with nothing in it. */
export const emptyCounts = (): PlanCounts => ({
  add: 0,
  change: 0,
  destroy: 0,
  replace: 0,
  import: 0,
  move: 0,
  forget: 0,
  read: 0,
  noop: 0,
  drift: 0,
  deferred: 0,
  deposed: 0,
})

export interface PlanModel {
  formatVersion: string
  terraformVersion: string | undefined
  errored: boolean
  /** undefined when the plan does not say (OpenTofu, Terraform < 1.8). */
  complete: boolean | undefined
  /** Every resource change except plain no-ops (moves and imports are kept). */
  changes: ResourceItem[]
  drift: ResourceItem[]
  deferred: DeferredItem[]
  outputs: OutputItem[]
  checks: CheckProblem[]
  counts: PlanCounts
  /** Resource changes whose actions this reader does not know. */
  unknownActions: ResourceItem[]
  hasChanges: boolean
}

// A Map, not an object: an action list like ["constructor"] must not find Object.prototype's.
const ACTIONS = new Map<string, PlanAction>([
  ['no-op', 'no-op'],
  ['create', 'create'],
  ['read', 'read'],
  ['update', 'update'],
  ['delete', 'delete'],
  ['delete,create', 'replace'],
  ['create,delete', 'replace'],
  ['forget', 'forget'],
  ['create,forget', 'create-forget'],
  ['forget,create', 'create-forget'],
])

export function classifyActions(actions: readonly string[]): PlanAction {
  return ACTIONS.get(actions.join(',')) ?? 'unknown'
}

export function toResourceItem(raw: RawResourceChange, where: string): ResourceItem {
  if (!isRecord(raw)) throw new PlanFormatError(`${where} is not an object.`)
  const change: RawChange = isRecord(raw.change) ? (raw.change as RawChange) : {}
  const actions = Array.isArray(change.actions) && change.actions.every((a) => typeof a === 'string') ? (change.actions as string[]) : []
  if (typeof raw.address !== 'string' || actions.length === 0) {
    throw new PlanFormatError(`${where} has no address or no change.actions; the plan is damaged.`)
  }
  const action = classifyActions(actions)
  const mode = typeof raw.mode === 'string' ? raw.mode : 'managed'
  const importing = change.importing !== undefined && change.importing !== null
  const importId = isRecord(change.importing) && typeof change.importing.id === 'string' ? change.importing.id : undefined
  const previous = typeof raw.previous_address === 'string' && raw.previous_address !== raw.address ? raw.previous_address : undefined
  return {
    address: raw.address,
    previousAddress: previous,
    moduleAddress: typeof raw.module_address === 'string' ? raw.module_address : undefined,
    mode,
    type: typeof raw.type === 'string' ? raw.type : '',
    name: typeof raw.name === 'string' ? raw.name : '',
    index: typeof raw.index === 'string' || typeof raw.index === 'number' ? raw.index : undefined,
    deposed: typeof raw.deposed === 'string' ? raw.deposed : undefined,
    actions,
    action,
    replaceOrder: action === 'replace' ? (actions[0] === 'delete' ? 'delete-first' : 'create-first') : undefined,
    reason: typeof raw.action_reason === 'string' ? raw.action_reason : undefined,
    replacePaths: Array.isArray(change.replace_paths) ? (change.replace_paths.filter(Array.isArray) as (string | number)[][]) : [],
    importing,
    importId,
    // Fail-safe: anything with "delete" in it deletes, as Terraform's own docs advise scanning for.
    destroys: mode !== 'data' && actions.includes('delete'),
    change,
  }
}

/** What a model builder does besides counting: see each item with its values as it is read. */
export interface BuildOptions {
  /**
   * Each change, values included, in plan order: plain no-ops too, which the model does not keep
   * (a no-op's values hold the plan's secrets as much as a change's).
   */
  onChange?: (item: ResourceItem) => void
  onDrift?: (item: ResourceItem) => void
  onDeferred?: (item: DeferredItem) => void
  /** Each output, once the document is read (a name given twice keeps its last value), by name. */
  onOutput?: (item: OutputItem) => void
  /**
   * false: the model's resource items keep no attribute values (before, after and their masks),
   * so a plan of any size is held as its addresses and actions: whoever needs values takes them
   * in the callbacks. Outputs keep theirs (they are few and small). Default true.
   */
  keepValues?: boolean
}

/**
 * The model, built one element at a time as the reader hands them over (a PlanSink), then
 * finished with the document's other members. A damaged element is refused once the whole
 * document has been read and checked, so a broken file is refused as broken JSON first, as
 * before, and the first damaged element of resource_changes, then of drift, then of deferred
 * changes is the one named.
 */
export class PlanBuilder implements PlanSink {
  private readonly counts: PlanCounts = emptyCounts()
  private readonly changes: ResourceItem[] = []
  private readonly unknownActions: ResourceItem[] = []
  private readonly drift: ResourceItem[] = []
  private readonly deferred: DeferredItem[] = []
  private readonly outputs = new Map<string, unknown>()
  private readonly damaged = new Map<ChangeSection, PlanFormatError>()

  constructor(private readonly options: BuildOptions = {}) {}

  element(section: ChangeSection, value: unknown, index: number): void {
    if (this.damaged.has(section)) return
    try {
      if (section === 'resource_changes') this.change(value as RawResourceChange, index)
      else if (section === 'resource_drift') {
        const item = driftItem(value, index)
        this.options.onDrift?.(item)
        this.drift.push(this.lean(item))
      } else {
        const entry = isRecord(value) ? value : {}
        const d: DeferredItem = {
          reason: typeof entry.reason === 'string' ? entry.reason : 'unknown',
          item: toResourceItem(entry.resource_change as RawResourceChange, `deferred_changes[${index}].resource_change`),
        }
        this.options.onDeferred?.(d)
        this.deferred.push({ reason: d.reason, item: this.lean(d.item) })
      }
    } catch (error) {
      if (!(error instanceof PlanFormatError)) throw error
      this.damaged.set(section, error)
    }
  }

  output(name: string, value: unknown): void {
    this.outputs.set(name, value)
  }

  private change(raw: RawResourceChange, index: number): void {
    const item = toResourceItem(raw, `resource_changes[${index}]`)
    const counts = this.counts
    if (item.deposed !== undefined) counts.deposed++
    if (item.importing) counts.import++
    if (item.previousAddress !== undefined) counts.move++
    const managed = item.mode !== 'data'
    switch (item.action) {
      case 'create':
        if (managed) counts.add++
        break
      case 'update':
        if (managed) counts.change++
        break
      case 'delete':
        if (managed) counts.destroy++
        break
      case 'replace':
        if (managed) {
          counts.add++
          counts.destroy++
          counts.replace++
        }
        break
      case 'forget':
        counts.forget++
        break
      case 'create-forget':
        counts.add++
        counts.forget++
        break
      case 'read':
        counts.read++
        break
      case 'no-op':
        counts.noop++
        break
      case 'unknown':
        this.unknownActions.push(item)
        break
    }
    this.options.onChange?.(item)
    if (isKept(item)) this.changes.push(this.lean(item))
  }

  /** The item as the model keeps it: without attribute values unless asked to keep them. */
  private lean(item: ResourceItem): ResourceItem {
    if (this.options.keepValues !== false) return item
    const {
      before: _b,
      after: _a,
      after_unknown: _u,
      before_sensitive: _bs,
      after_sensitive: _as,
      generated_config: _g,
      ...rest
    } = item.change as RawChange & { before_identity?: unknown; after_identity?: unknown }
    const {
      before_identity: _bi,
      after_identity: _ai,
      ...change
    } = rest as RawChange & { before_identity?: unknown; after_identity?: unknown }
    item.change = change
    return item
  }

  /** The model, from the document's other members (checked by checkPlanDocument). */
  finish(plan: RawPlan): PlanModel {
    for (const section of ['resource_changes', 'resource_drift', 'deferred_changes'] as const) {
      const error = this.damaged.get(section)
      if (error) throw error
    }
    const counts = this.counts
    counts.drift = this.drift.length
    counts.deferred = this.deferred.length
    const outputs = outputsOf(Object.fromEntries(this.outputs))
    for (const o of outputs) this.options.onOutput?.(o)
    const hasChanges =
      counts.add + counts.change + counts.destroy + counts.import + counts.move + counts.forget > 0 ||
      this.unknownActions.length > 0 ||
      outputs.some((o) => o.action !== 'no-op')
    return {
      formatVersion: plan.format_version,
      terraformVersion: typeof plan.terraform_version === 'string' ? plan.terraform_version : undefined,
      errored: plan.errored === true,
      complete: typeof plan.complete === 'boolean' ? plan.complete : undefined,
      changes: this.changes,
      drift: this.drift,
      deferred: this.deferred,
      outputs,
      checks: checksOf(plan.checks),
      counts,
      unknownActions: this.unknownActions,
      hasChanges,
    }
  }
}

/** The model of a plan already read whole (parsePlanText), its items keeping their values. */
export function analyzePlan(plan: RawPlan, options: BuildOptions = {}): PlanModel {
  const builder = new PlanBuilder(options)
  for (const section of ['resource_changes', 'resource_drift', 'deferred_changes'] as const) {
    const elements = plan[section]
    if (Array.isArray(elements)) elements.forEach((e, i) => builder.element(section, e, i))
  }
  if (isRecord(plan.output_changes)) for (const [name, value] of Object.entries(plan.output_changes)) builder.output(name, value)
  return builder.finish(plan)
}

/** Whether the model keeps a change in `changes`: all but plain no-ops (moves and imports are kept). */
export const isKept = (item: ResourceItem): boolean => item.action !== 'no-op' || item.importing || item.previousAddress !== undefined

/** A drift entry as an item. */
export function driftItem(value: unknown, index: number): ResourceItem {
  // Terraform 1.0.0 printed drift entries without an address; drift is informational, so
  // rebuild it instead of refusing the plan.
  return toResourceItem(withAddress(value as RawResourceChange), `resource_drift[${index}]`)
}

function withAddress(raw: RawResourceChange): RawResourceChange {
  if (!isRecord(raw) || typeof raw.address === 'string') return raw
  const prefix = typeof raw.module_address === 'string' ? `${raw.module_address}.` : ''
  const data = raw.mode === 'data' ? 'data.' : ''
  const index = typeof raw.index === 'number' ? `[${raw.index}]` : typeof raw.index === 'string' ? `[${JSON.stringify(raw.index)}]` : ''
  return { ...raw, address: `${prefix}${data}${String(raw.type)}.${String(raw.name)}${index}` }
}

function outputsOf(value: unknown): OutputItem[] {
  if (!isRecord(value)) return []
  return Object.keys(value)
    .sort()
    .map((name) => {
      const change = (isRecord(value[name]) ? value[name] : {}) as RawChange
      const actions = Array.isArray(change.actions) ? change.actions.join(',') : 'unknown'
      return {
        name,
        action: ACTIONS.get(actions) ?? actions,
        sensitive: change.before_sensitive === true || change.after_sensitive === true,
        change,
      }
    })
}

function checksOf(value: unknown): CheckProblem[] {
  if (!Array.isArray(value)) return []
  const out: CheckProblem[] = []
  for (const check of value) {
    if (!isRecord(check)) continue
    const address = isRecord(check.address) && typeof check.address.to_display === 'string' ? check.address.to_display : '(unknown)'
    const instances = Array.isArray(check.instances) ? check.instances.filter(isRecord) : []
    const failing = instances.filter((i) => i.status === 'fail' || i.status === 'error')
    if (failing.length === 0 && (check.status === 'fail' || check.status === 'error'))
      out.push({ address, status: String(check.status), problems: [] })
    for (const inst of failing) {
      const instAddress = isRecord(inst.address) && typeof inst.address.to_display === 'string' ? inst.address.to_display : address
      const problems = (Array.isArray(inst.problems) ? inst.problems : [])
        .map((p) => (isRecord(p) && typeof p.message === 'string' ? p.message : ''))
        .filter(Boolean)
      out.push({ address: instAddress, status: String(inst.status), problems })
    }
  }
  return out
}

/** Terraform's own one-line summary. */
export function planSummaryLine(model: PlanModel): string {
  const c = model.counts
  if (!model.hasChanges) return 'No changes. Your infrastructure matches the configuration.'
  const resources = c.add + c.change + c.destroy + c.import + c.move + c.forget + model.unknownActions.length
  if (resources === 0) {
    // Terraform prints no "Plan:" line when only root outputs change.
    const n = model.outputs.filter((o) => o.action !== 'no-op').length
    return `No resource changes; ${n} output ${n === 1 ? 'value changes' : 'values change'}.`
  }
  const parts = [`${c.add} to add`, `${c.change} to change`, `${c.destroy} to destroy`]
  if (c.import > 0) parts.unshift(`${c.import} to import`)
  if (c.forget > 0) parts.push(`${c.forget} to forget`)
  return `Plan: ${parts.join(', ')}.`
}
