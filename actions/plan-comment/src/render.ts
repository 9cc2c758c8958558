import {
  alert,
  code,
  ellipsize,
  details,
  fitToBudget,
  plural,
  table,
  tableRow,
  text,
  textOf,
  thousands,
  deferredText,
  type Block,
  type DeferredText,
  type BlockText,
  type BudgetResult,
  type Cut,
  type Lighter,
} from '@infra-actions/common'
import {
  attributeChanges,
  attributeValues,
  formatShown,
  Secrets,
  showValue,
  planSummaryLine,
  type AttributeChange,
  type AttributeValue,
  type DeferredItem,
  type OutputItem,
  type PlanCounts,
  type PlanModel,
  type RawChange,
  type ResourceItem,
  type Shown,
} from '@infra-actions/terraform'
import { explain } from './reasons.js'

/**
 * The plan as Markdown blocks, in reading order: heading, warnings and counts first (always
 * kept), then resources grouped by action with destroys and replacements first (kept: reviewers
 * must see every object that goes away), then the rest (droppable), each with a compact form
 * that leaves out its attribute diff. `assemble` fits them into a budget.
 */
export interface RenderOptions {
  title: string
  environment: string | undefined
  key: string
  /** The root module directory, shown in the heading unless it is `.`. */
  workingDirectory?: string
  sha: string | undefined
  /** Link for the sha, when the repository is known. */
  commitUrl?: string | undefined
  runUrl: string | undefined
  /** Attribute changes shown per resource before "… and N more". */
  maxAttributes?: number
}

export interface RenderedPlan {
  blocks: Block[]
  /** Scrubs sensitive values out of any text derived from this plan. */
  redact: (text: string) => string
}

type GroupKey = 'delete' | 'replace' | 'unknown' | 'update' | 'create' | 'forget' | 'move' | 'import' | 'read'

interface Group {
  key: GroupKey
  id: string
  heading: string
  keep: boolean
  showDiff: boolean
}

/** The groups in display order: destroys and replacements first. */
const GROUPS: readonly Group[] = [
  { key: 'delete', id: 'destroyed resources', heading: '🗑️ Destroy', keep: true, showDiff: false },
  { key: 'replace', id: 'replaced resources', heading: '♻️ Replace', keep: true, showDiff: true },
  { key: 'unknown', id: 'resources with unknown actions', heading: '❓ Unknown action', keep: true, showDiff: false },
  { key: 'update', id: 'updated resources', heading: '✏️ Update in place', keep: false, showDiff: true },
  { key: 'create', id: 'created resources', heading: '➕ Create', keep: false, showDiff: false },
  { key: 'forget', id: 'forgotten resources', heading: '🫥 Forget (removed from state, not destroyed)', keep: false, showDiff: false },
  { key: 'move', id: 'moved resources', heading: '🚚 Move', keep: false, showDiff: false },
  { key: 'import', id: 'imported resources', heading: '📥 Import', keep: false, showDiff: false },
  { key: 'read', id: 'data sources', heading: '📖 Read during apply', keep: false, showDiff: false },
]
const GROUP = new Map(GROUPS.map((g) => [g.key, g]))

function groupOf(item: ResourceItem): GroupKey {
  switch (item.action) {
    case 'delete':
      return item.mode === 'data' ? 'read' : 'delete'
    case 'forget':
    case 'create-forget':
      return 'forget'
    case 'no-op':
      return item.importing ? 'import' : 'move'
    default:
      return item.action
  }
}

/** An item as its rendering needs it: its line's facts and, computed from its values, its tables. */
interface ItemRecord {
  item: ResourceItem
  diff: AttributeDiff | undefined
  list: AttributeList | undefined
}
interface AttributeDiff {
  changes: AttributeChange[]
  total: number
}
interface AttributeList {
  values: AttributeValue[]
  total: number
  empty: number
  /** What the list shows: the new object, what an import adopts, what a delete takes away. */
  kind: 'create' | 'replace' | 'import' | 'delete'
}
interface DriftRecord {
  address: string
  actions: readonly string[]
  action: string
  diff: AttributeDiff | undefined
}
interface OutputRecord {
  name: string
  action: string
  before: Shown
  after: Shown
}

/** Where the records wait between reading and rendering: memory, or files (see spool.ts). */
export interface RecordStores {
  store<T>(name: string): RecordStore<T>
}
export interface RecordStore<T> {
  push(record: T): void
  readonly count: number
  /** The records in the order pushed (once all are pushed). */
  read(): Iterable<T>
}

const memoryStores: RecordStores = {
  store<T>(): RecordStore<T> {
    const records: T[] = []
    return {
      push: (r) => void records.push(r),
      get count() {
        return records.length
      },
      read: () => records,
    }
  },
}

/** Texts kept out of memory once written, read back when a budget shows them. */
export interface TextSpool {
  keep(text: string): DeferredText
}

// `(sensitive)`, `(known after apply)`, `(none)`: built once, not once per attribute.
const VALUELESS = Object.fromEntries(
  (['sensitive', 'unknown', 'absent'] as const).map((kind) => [kind, code(formatShown({ kind }))]),
) as Record<'sensitive' | 'unknown', string> & Record<'absent', string>

/**
 * A plan's rendering in two steps, so a plan of any size can be read as a stream:
 *
 * 1. As each change is read (`change`, `drift`, `deferred`, `output`, values included), what its
 *    rendering needs is taken from it: its line, its attribute diff and attribute list as rows of
 *    values with their marks (at most `maxAttributes` each), and its sensitive values. The rows
 *    are kept in record stores (files, for the action), so the values themselves are dropped.
 * 2. Once every change has been read, and so every sensitive value is known, `render` turns the
 *    records into Markdown: a value that equals a secret found anywhere in the plan is masked,
 *    wherever in the plan it was read. Display order is destroys first, whatever order the plan
 *    has: each group's records are read back in turn.
 */
export class PlanRenderer {
  // Per source, merged at render in the order the limits of Secrets were always applied in
  // (changes, drift, deferred, outputs), whatever order the plan is read in.
  private readonly secretsOf = { changes: new Secrets(), drift: new Secrets(), deferred: new Secrets(), outputs: new Secrets() }
  private readonly items = new Map<GroupKey, RecordStore<ItemRecord>>()
  private readonly driftRecords: RecordStore<DriftRecord>
  private readonly outputRecords: RecordStore<OutputRecord>
  private readonly limit: number

  constructor(
    private readonly options: RenderOptions,
    private readonly stores: RecordStores = memoryStores,
    private readonly texts?: TextSpool,
  ) {
    this.limit = options.maxAttributes ?? 50
    for (const g of GROUPS) this.items.set(g.key, stores.store<ItemRecord>(g.key))
    this.driftRecords = stores.store<DriftRecord>('drift')
    this.outputRecords = stores.store<OutputRecord>('outputs')
  }

  /** A change the model keeps (every one but plain no-ops), with its values. */
  change(item: ResourceItem): void {
    this.secretsOf.changes.addChange(item.change)
    const key = groupOf(item)
    const g = GROUP.get(key) as Group
    const c = item.change
    const limit = this.limit
    const marks = [c.before_sensitive, c.after_sensitive]
    const diff = g.showDiff ? attributeChanges(c, limit) : undefined
    let list: AttributeList | undefined
    if (item.action === 'create' || item.action === 'create-forget') {
      list = { ...attributeValues(c.after, { sensitive: marks, unknown: c.after_unknown }, limit), kind: 'create' }
    } else if (item.action === 'replace') {
      list = { ...attributeValues(c.after, { sensitive: marks, unknown: c.after_unknown }, limit), kind: 'replace' }
    } else if (item.importing) {
      list = { ...attributeValues(c.after ?? c.before, { sensitive: marks, unknown: c.after_unknown }, limit), kind: 'import' }
    } else if (item.action === 'delete' && item.mode !== 'data') {
      list = { ...attributeValues(c.before, { sensitive: marks }, limit, identifying), kind: 'delete' }
    }
    ;(this.items.get(key) as RecordStore<ItemRecord>).push({ item: withoutValues(item), diff: diff?.total ? diff : undefined, list })
  }

  drift(item: ResourceItem): void {
    this.secretsOf.drift.addChange(item.change)
    const diff = item.action === 'update' ? attributeChanges(item.change, this.limit) : undefined
    this.driftRecords.push({ address: item.address, actions: item.actions, action: item.action, diff: diff?.total ? diff : undefined })
  }

  deferred(d: DeferredItem): void {
    this.secretsOf.deferred.addChange(d.item.change)
  }

  output(o: OutputItem): void {
    this.secretsOf.outputs.addChange(o.change)
    if (o.action === 'no-op') return
    const c = o.change
    const marks = [c.before_sensitive, c.after_sensitive]
    const absent: Shown = { kind: 'absent' }
    this.outputRecords.push({
      name: o.name,
      action: o.action,
      before: c.before === undefined || o.action === 'create' ? absent : showValue(c.before, marks),
      after: o.action === 'delete' ? absent : showValue(c.after, marks, c.after_unknown),
    })
  }

  /**
   * The plan as blocks. With `write`, the full rendering (no budget, secrets scrubbed) goes to it
   * in pieces of about 1 MiB while the blocks are made, and the large blocks (a resource with its
   * attribute tables) keep only their sizes and a way to get them back (the text spool, or
   * rendering them again): a plan of thousands of resources is never held as one text, and the
   * comment and the summary take back only what they show.
   */
  render(model: PlanModel, write?: (text: string) => void): RenderedPlan {
    const { options, limit } = this
    const secrets = new Secrets()
    for (const source of Object.values(this.secretsOf)) secrets.absorb(source)
    const redact = (t: string): string => secrets.redact(t)
    const value = (v: Shown): string => (v.kind === 'value' ? code(formatShown(v, 120, secrets)) : VALUELESS[v.kind])

    const blocks: Block[] = []
    let pending = ''
    const flush = (): void => {
      if (write && pending) write(redact(pending))
      pending = ''
    }
    const add = (block: Block): void => {
      if (write) {
        pending += blocks.length === 0 ? textOf(block.text) : `\n${textOf(block.text)}`
        if (pending.length >= 1 << 20) flush()
      }
      blocks.push(block)
    }
    const keep = (t: string): void => add({ text: t, keep: true })
    keep(heading(model, options))
    for (const a of alerts(model)) keep(`\n${a}`)
    keep(countsTable(model.counts, model))

    for (const g of GROUPS) {
      const store = this.items.get(g.key) as RecordStore<ItemRecord>
      if (store.count === 0) continue
      add({ text: `\n#### ${g.heading} (${store.count})\n`, keep: true })
      for (const record of store.read()) {
        const block = itemBlock(record, g, value, limit)
        add(block)
        // Written already: keep the large forms as sizes and a way to get them back.
        if (write) blocks[blocks.length - 1] = deferLarge(block, this.texts, () => itemBlock(record, g, value, limit))
      }
    }
    if (model.deferred.length > 0) {
      add({
        text: `\n#### ⏸️ Deferred to a later plan (${model.deferred.length})\n\nThese are not part of this plan; a later plan will propose them.\n`,
        keep: true,
      })
      for (const d of model.deferred) {
        const destroys = d.item.actions.includes('delete') ? ' ⚠️ **would destroy**' : ''
        add({
          text: `- ${code(d.item.address)} (${text(d.item.actions.join(', '))}) — deferred: ${text(d.reason)}${destroys}`,
          keep: d.item.actions.includes('delete'),
          group: 'deferred',
        })
      }
    }
    if (this.outputRecords.count > 0) {
      const rows: string[][] = []
      for (const o of this.outputRecords.read()) rows.push([code(o.name), text(o.action), value(o.before), value(o.after)])
      add({
        text: `\n#### Outputs (${rows.length})\n\n${table(['Output', 'Action', 'Before', 'After'], rows)}\n`,
        group: 'outputs',
      })
    }
    if (this.driftRecords.count > 0) {
      const n = this.driftRecords.count
      const lines: string[] = []
      const short: string[] = []
      for (const d of this.driftRecords.read()) {
        const what = d.actions.includes('delete')
          ? 'deleted outside Terraform'
          : d.action === 'update'
            ? 'changed outside Terraform'
            : text(d.actions.join(', '))
        const diff = d.diff ? diffBlock(d.diff, value) : ''
        lines.push(`- ${code(d.address)}: ${what}${diff ? `\n${diff}` : ''}`)
        short.push(`- ${code(d.address)}`)
      }
      add({
        text: `\n${details(`🌀 Drift: ${plural(n, 'resource')} changed outside Terraform`, `These changes already happened; the plan above accounts for them.\n\n${lines.join('\n')}`)}\n`,
        lighter: [{ text: `\n${details(`🌀 Drift: ${plural(n, 'resource')} changed outside Terraform`, short.join('\n'))}\n`, pass: DIFFS }],
        group: 'drift',
      })
    }
    if (model.checks.length > 0) {
      const lines = model.checks.map(
        (c) => `- ${code(c.address)}: **${text(c.status)}**${c.problems.map((p) => `\n  - ${text(redact(p))}`).join('')}`,
      )
      keep(`\n#### ❗ Checks that did not pass (${model.checks.length})\n\n${lines.join('\n')}\n`)
    }
    flush()
    return { blocks, redact }
  }
}

/** The item without its attribute values (its line needs none; the records keep the rows). */
function withoutValues(item: ResourceItem): ResourceItem {
  const c = item.change
  const change: RawChange = { actions: c.actions }
  if (c.replace_paths !== undefined) change.replace_paths = c.replace_paths
  if (c.importing !== undefined) change.importing = c.importing
  return { ...item, change }
}

/**
 * The plan as blocks, from a model read whole (its items with their values): the records are
 * made and kept in memory, then rendered. With `write`, as PlanRenderer.render.
 */
export function renderPlan(model: PlanModel, options: RenderOptions, write?: (text: string) => void): RenderedPlan {
  const renderer = new PlanRenderer(options)
  for (const item of model.changes) renderer.change(item)
  for (const item of model.drift) renderer.drift(item)
  for (const d of model.deferred) renderer.deferred(d)
  for (const o of model.outputs) renderer.output(o)
  return renderer.render(model, write)
}

/** Forms longer than this are kept as sizes once written (most item lines are far shorter). */
const LARGE = 2000

function deferLarge(block: Block, texts: TextSpool | undefined, again: () => Block): Block {
  const defer = (t: BlockText, form: (b: Block) => BlockText): BlockText =>
    typeof t === 'string' && t.length > LARGE ? (texts ? texts.keep(t) : deferredText(t, () => textOf(form(again())))) : t
  return {
    ...block,
    text: defer(block.text, (b) => b.text),
    lighter: block.lighter?.map((l, k) => ({ pass: l.pass, text: defer(l.text, (b) => (b.lighter as Lighter[])[k]!.text) })),
  }
}

function heading(model: PlanModel, o: RenderOptions): string {
  const icon = model.errored ? '❌' : model.counts.destroy > 0 ? '⚠️' : model.hasChanges ? '📝' : '✅'
  const dir = o.workingDirectory && o.workingDirectory !== '.' ? o.workingDirectory : ''
  // A key someone chose (not the default derived from directory and environment) is shown too.
  const derived = [o.workingDirectory ?? '.', o.environment ? `${o.workingDirectory ?? '.'}:${o.environment}` : undefined]
  const key = o.key && !derived.includes(o.key) && o.key !== o.environment && o.key !== dir ? o.key : ''
  const where = [o.environment ? code(o.environment) : '', dir ? code(dir) : '', key ? code(key) : ''].filter(Boolean).join(' · ')
  const meta = [
    o.sha
      ? `Planned at ${/^[0-9a-f]{7,64}$/.test(o.sha) && o.commitUrl ? `[${code(o.sha.slice(0, 7))}](${o.commitUrl})` : code(o.sha.slice(0, 7))}`
      : '',
    o.runUrl ? `[workflow run](${o.runUrl})` : '',
    model.terraformVersion ? `Terraform/OpenTofu ${code(model.terraformVersion)}` : '',
  ].filter(Boolean)
  return [
    `### ${icon} ${text(o.title)}${where ? ` — ${where}` : ''}`,
    '',
    `**${planSummaryLine(model)}**`,
    meta.length ? `\n${meta.join(' · ')}` : '',
  ].join('\n')
}

function alerts(model: PlanModel): string[] {
  const out: string[] = []
  if (model.errored) {
    out.push(
      alert(
        'CAUTION',
        "**The plan errored.** Terraform stopped planning part-way: the changes below are only what was planned before the error, and this plan cannot be applied. Fix the error in the plan step's log and plan again.",
      ),
    )
  } else if (model.complete === false) {
    out.push(
      alert(
        'WARNING',
        '**This plan is incomplete** (`-target` or deferred changes): applying it leaves work for a later plan, which may propose more changes, destroys included.',
      ),
    )
  }
  if (model.unknownActions.length > 0) {
    out.push(
      alert(
        'CAUTION',
        `${plural(model.unknownActions.length, 'resource change')} with actions this tool does not know (${model.unknownActions
          .slice(0, 5)
          .map((i) => code(i.actions.join(',')))
          .join(', ')}). Read the plan itself before approving.`,
      ),
    )
  }
  const c = model.counts
  if (c.destroy > 0) {
    const deletes = c.destroy - c.replace
    const parts = [
      deletes > 0 ? `**${plural(deletes, 'resource')} will be destroyed**` : '',
      c.replace > 0 ? `**${plural(c.replace, 'resource')} will be replaced** (destroyed and created again)` : '',
    ].filter(Boolean)
    out.push(alert('CAUTION', `${parts.join(' and ')}. Review them below before approving.`))
  }
  if (!model.hasChanges && !model.errored) out.push('No changes. Your infrastructure matches the configuration.')
  return out
}

function countsTable(c: PlanCounts, model: PlanModel): string {
  if (!model.hasChanges && c.drift === 0 && c.deferred === 0) return ''
  const cols: [string, number][] = [
    ['➕ Add', c.add],
    ['✏️ Change', c.change],
    ['🗑️ Destroy', c.destroy],
    ['♻️ Replace', c.replace],
    ['📥 Import', c.import],
    ['🚚 Move', c.move],
    ['🫥 Forget', c.forget],
  ]
  if (c.drift > 0) cols.push(['🌀 Drift', c.drift])
  if (c.deferred > 0) cols.push(['⏸️ Deferred', c.deferred])
  const strong = (label: string, n: number): string =>
    n > 0 && (label.includes('Destroy') || label.includes('Replace')) ? `**${n}**` : String(n)
  return `\n${table(
    cols.map(([h]) => h),
    [cols.map(([h, n]) => strong(h, n))],
    cols.map(() => 'right'),
  )}`
}

/**
 * One list line for a resource. `maxText` shortens each address and id shown (the compact form a
 * budget uses), so one enormous address cannot crowd the other destroys out of a comment.
 */
function itemLine(item: ResourceItem, maxText = Number.POSITIVE_INFINITY): string {
  const c = (s: string): string => code(ellipsize(s, maxText))
  const notes: string[] = []
  const why = explain(item)
  if (why) notes.push(why)
  if (item.previousAddress !== undefined && item.action !== 'no-op') notes.push(`moved from ${c(item.previousAddress)}`)
  if (item.previousAddress !== undefined && item.action === 'no-op') notes.push(`from ${c(item.previousAddress)}`)
  if (item.importing) notes.push(item.importId !== undefined ? `imported from id ${c(item.importId)}` : 'imported')
  if (item.action === 'create-forget') notes.push('a new object is created and the old one forgotten')
  return `- ${c(item.address)}${notes.length ? ` — ${notes.join('; ')}` : ''}`
}

/** Addresses in the compact form of a line: long enough to tell them apart, never a page. */
const COMPACT_TEXT = 300

/**
 * The budget's passes: what a new, adopted or deleted resource looks like goes first (the full
 * rendering keeps it), then what an update changes. Counts, destroys and replacements stay.
 */
const ATTRIBUTE_LISTS = 0
const DIFFS = 1

/** Top-level attributes that identify an object that goes away. */
const IDENTIFYING = new Set(['id', 'name', 'self_link', 'arn', 'location', 'region', 'zone', 'project', 'labels', 'tags'])
const identifying = (path: readonly (string | number)[]): boolean => typeof path[0] === 'string' && IDENTIFYING.has(path[0])

const LIST_SUMMARY: Record<AttributeList['kind'], (n: number) => string> = {
  create: (n) => plural(n, 'attribute'),
  replace: (n) => `${plural(n, 'attribute')} of the new object`,
  import: (n) => `${plural(n, 'attribute')} adopted`,
  delete: (n) => plural(n, 'identifying attribute'),
}

/**
 * One resource: its line, what changes (updates, replacements), and what the object is (creates,
 * imports, the new side of a replacement, what a delete takes away), each collapsed, with the
 * lighter forms the budget uses (no attribute list, then no diff, then a shortened line).
 */
function itemBlock(record: ItemRecord, g: Group, value: (v: Shown) => string, _limit: number): Block {
  const { item } = record
  const line = itemLine(item)
  const diff = record.diff ? diffBlock(record.diff, value) : ''
  const list = record.list ? valuesBlock(record.list, LIST_SUMMARY[record.list.kind], value, record.list.kind !== 'delete') : ''
  const short = itemLine(item, COMPACT_TEXT)
  const join = (...parts: string[]): string => parts.filter(Boolean).join('\n')
  const lighter = []
  if (list) lighter.push({ text: join(line, diff), pass: ATTRIBUTE_LISTS })
  if (diff || short !== line) lighter.push({ text: short, pass: DIFFS })
  return { text: join(line, diff, list), lighter, keep: g.keep, group: g.id }
}

/** A collapsed table of attribute values, indented under its list item; '' when there is none. */
function valuesBlock(
  r: { values: { path: string; value: Shown }[]; total: number; empty: number },
  summary: (n: number) => string,
  value: (v: Shown) => string,
  sayEmpty = true,
): string {
  if (r.total === 0) return ''
  const lines = [`  <details><summary>${summary(r.total)}</summary>`, '', '  | Attribute | Value |', '  | --- | --- |']
  for (const a of r.values) lines.push(`  ${tableRow([code(a.path || '(whole object)'), value(a.value)])}`)
  const notes = [
    r.total > r.values.length ? `… and ${r.total - r.values.length} more.` : '',
    sayEmpty && r.empty > 0 ? `${plural(r.empty, 'null or empty value')} not shown.` : '',
  ].filter(Boolean)
  if (notes.length) lines.push('', `  ${notes.join(' ')}`)
  lines.push('', '  </details>')
  return lines.join('\n')
}

function diffBlock({ changes, total }: AttributeDiff, value: (v: Shown) => string): string {
  if (total === 0) return ''
  // Built line by line, already indented under the list item (this runs for every update).
  const lines = [
    `  <details><summary>${plural(total, 'attribute')} ${total === 1 ? 'changes' : 'change'}</summary>`,
    '',
    '  | Attribute | Before | After |',
    '  | --- | --- | --- |',
  ]
  for (const c of changes)
    lines.push(
      `  ${tableRow([`${code(c.path || '(whole object)')}${c.forcesReplacement ? ' ⚠️ forces replacement' : ''}`, value(c.before), value(c.after)])}`,
    )
  if (total > changes.length) lines.push('', `  … and ${total - changes.length} more changed attributes.`)
  lines.push('', '  </details>')
  return lines.join('\n')
}

export interface AssembleOptions {
  max: number
  /** The limit to name in the footer, when `max` keeps room for something else. */
  announcedMax?: number
  /** The limit in words, e.g. "GitHub's 1 MiB job summary limit". */
  limitText?: string
  measure?: (s: string) => number
  /** Where the whole rendering can be read when this one was cut. */
  fullPlanUrl?: string | undefined
  fullPlanNote?: string
}

/** The blocks within a budget, with a footer saying exactly what was cut and where the rest is. */
export function assemble(rendered: RenderedPlan, options: AssembleOptions): BudgetResult {
  const result = fitToBudget(rendered.blocks, {
    max: options.max,
    measure: options.measure,
    omitted: (group, n) => `- … and ${n} more ${group} not shown here.`,
    footer: (cut) => cutFooter(cut, options, options.limitText ?? `${thousands(options.announcedMax ?? options.max)} characters`),
  })
  return { text: rendered.redact(result.text), cut: result.cut }
}

function cutFooter(cut: Cut, o: AssembleOptions, limit: string): string {
  const what: string[] = []
  const lists = cut.lightened.get(ATTRIBUTE_LISTS) ?? 0
  const diffs = cut.lightened.get(DIFFS) ?? 0
  if (lists > 0) what.push(`the attribute lists of ${plural(lists, 'resource')} (created, imported, replaced or destroyed)`)
  if (diffs > 0) what.push(`the attribute changes of ${plural(diffs, 'resource')}`)
  for (const [group, n] of cut.dropped) what.push(`${n} ${group}`)
  const where = o.fullPlanUrl
    ? `The full plan: [rendered plan](${o.fullPlanUrl}).`
    : (o.fullPlanNote ?? 'The full plan is in the job summary of this run.')
  return `\n---\n> [!NOTE]\n> Shortened to fit ${limit}: ${what.join(', ') || 'some detail'} not shown. ${where}`
}

export { type Cut }
