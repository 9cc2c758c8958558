import {
  alert,
  code,
  ellipsize,
  inCodeSpan,
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
  type PlanCounts,
  type PlanModel,
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
  /**
   * Scrubs the plan's long secrets out of a rendering of it: out of its code spans, where every
   * text of the plan shown as it is goes (`code()`); the few shown as prose are scrubbed before
   * they are escaped. Our own markup is left whole: a secret `details` cannot break a `<details>`.
   */
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

/** Texts kept out of memory once made, read back when the full rendering or a budget shows them. */
export interface TextSpool {
  /** `stream`: texts read back together (one group of the rendering), kept together. */
  keep(text: string, stream: string): DeferredText
}

// `(sensitive)`, `(known after apply)`, `(none)`: built once, not once per attribute.
const VALUELESS = Object.fromEntries(
  (['sensitive', 'unknown', 'absent'] as const).map((kind) => [kind, code(formatShown({ kind }))]),
) as Record<'sensitive' | 'unknown' | 'absent', string>

/** Texts at most this long stay in memory when the others go to the spool. */
const SPOOLED = 512

/**
 * A plan's rendering built one change at a time, so a plan of any size can be rendered as it is
 * read: `change` and `drift` render each item at once (its values are then dropped) and `render`
 * puts the blocks in display order, destroys first, whatever order the plan has. Every sensitive
 * value of the plan must be known before the first change is rendered (`secrets`): a value equal
 * to a secret found anywhere in the plan is masked. With a text spool, the item texts wait there
 * rather than in memory.
 */
export class PlanRenderer {
  private readonly groups = new Map<GroupKey, Block[]>(GROUPS.map((g) => [g.key, []]))
  private readonly driftLines: { full: string; short: string }[] = []
  private readonly limit: number
  private readonly value: (v: Shown) => string

  constructor(
    private readonly options: RenderOptions,
    private readonly secrets: Secrets,
    private readonly texts?: TextSpool,
  ) {
    this.limit = options.maxAttributes ?? MAX_ATTRIBUTES
    this.value = (v: Shown): string => (v.kind === 'value' ? code(formatShown(v, 120, secrets)) : VALUELESS[v.kind])
  }

  /** A change the model keeps (every one but plain no-ops), with its values. */
  change(item: ResourceItem): void {
    const key = groupOf(item)
    const g = GROUP.get(key) as Group
    const block = itemBlock(item, g, this.value, this.secrets, this.limit)
    const texts = this.texts
    if (texts) {
      const keep = (t: BlockText): BlockText => (typeof t === 'string' && t.length > SPOOLED ? texts.keep(t, key) : t)
      block.text = keep(block.text)
      block.lighter = block.lighter?.map((l) => ({ pass: l.pass, text: keep(l.text) }))
    } else {
      const { limit, value, secrets } = this
      // Kept whole until written; then, as before, its large forms become sizes (see render).
      ;(block as Block & { again?: () => Block }).again = () => itemBlock(item, g, value, secrets, limit)
    }
    ;(this.groups.get(key) as Block[]).push(block)
  }

  /** A text of the plan shown as prose, masked before it is escaped (`redact` looks in code spans only). */
  private prose(t: string): string {
    return text(this.secrets.mask(t))
  }

  drift(d: ResourceItem): void {
    const what = d.actions.includes('delete')
      ? 'deleted outside Terraform'
      : d.action === 'update'
        ? 'changed outside Terraform'
        : this.prose(d.actions.join(', '))
    const diff = d.action === 'update' ? diffBlock(d, this.value, this.limit) : ''
    const address = code(this.secrets.maskWhole(d.address))
    this.driftLines.push({ full: `- ${address}: ${what}${diff ? `\n${diff}` : ''}`, short: `- ${address}` })
  }

  /**
   * The plan as blocks. With `write`, the full rendering (no budget, secrets scrubbed) goes to it
   * in pieces of about 1 MiB while the blocks are put together, and the large blocks (a resource
   * with its attribute tables) keep only their sizes and a way to get them back (the text spool,
   * or rendering them again): a plan of thousands of resources is never held as one text, and the
   * comment and the summary take back only what they show.
   */
  render(model: PlanModel, write?: (text: string) => void): RenderedPlan {
    const { secrets, options, value } = this
    const redact = (t: string): string => secrets.redact(t, inCodeSpan(t))
    const prose = (t: string): string => this.prose(t)

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
    keep(heading(model, options, secrets))
    for (const a of alerts(model, secrets)) keep(`\n${a}`)
    keep(countsTable(model.counts, model))

    for (const g of GROUPS) {
      const items = this.groups.get(g.key) as (Block & { again?: () => Block })[]
      if (items.length === 0) continue
      add({ text: `\n#### ${g.heading} (${items.length})\n`, keep: true })
      for (const block of items) {
        add(block)
        // Written already: keep the large forms as sizes and a way to render them again.
        const again = block.again
        if (again) {
          delete block.again
          if (write) blocks[blocks.length - 1] = deferLarge(block, again)
        }
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
          text: `- ${code(secrets.maskWhole(d.item.address))} (${prose(d.item.actions.join(', '))}) — deferred: ${prose(d.reason)}${destroys}`,
          keep: d.item.actions.includes('delete'),
          group: 'deferred',
        })
      }
    }
    const outputs = model.outputs.filter((o) => o.action !== 'no-op')
    if (outputs.length > 0) {
      const rows = outputs.map((o) => {
        const c = o.change
        const marks = [c.before_sensitive, c.after_sensitive]
        const absent: Shown = { kind: 'absent' }
        const before = c.before === undefined || o.action === 'create' ? absent : showValue(c.before, marks)
        const after = o.action === 'delete' ? absent : showValue(c.after, marks, c.after_unknown)
        return [code(secrets.maskWhole(o.name)), prose(o.action), value(before), value(after)]
      })
      add({
        text: `\n#### Outputs (${outputs.length})\n\n${table(['Output', 'Action', 'Before', 'After'], rows)}\n`,
        group: 'outputs',
      })
    }
    if (this.driftLines.length > 0) {
      const n = this.driftLines.length
      add({
        text: `\n${details(`🌀 Drift: ${plural(n, 'resource')} changed outside Terraform`, `These changes already happened; the plan above accounts for them.\n\n${this.driftLines.map((l) => l.full).join('\n')}`)}\n`,
        lighter: [
          {
            text: `\n${details(`🌀 Drift: ${plural(n, 'resource')} changed outside Terraform`, this.driftLines.map((l) => l.short).join('\n'))}\n`,
            pass: DIFFS,
          },
        ],
        group: 'drift',
      })
    }
    if (model.checks.length > 0) {
      const lines = model.checks.map(
        (c) => `- ${code(secrets.maskWhole(c.address))}: **${prose(c.status)}**${c.problems.map((p) => `\n  - ${prose(p)}`).join('')}`,
      )
      keep(`\n#### ❗ Checks that did not pass (${model.checks.length})\n\n${lines.join('\n')}\n`)
    }
    flush()
    return { blocks, redact }
  }
}

/**
 * The plan as blocks, from a model read whole (its items with their values): its secrets, then
 * its changes and drift rendered. With `write`, as PlanRenderer.render.
 */
export function renderPlan(model: PlanModel, options: RenderOptions, write?: (text: string) => void): RenderedPlan {
  const secrets = new Secrets()
  for (const item of model.changes) secrets.addChange(item.change)
  for (const item of model.drift) secrets.addChange(item.change)
  for (const d of model.deferred) secrets.addChange(d.item.change)
  for (const o of model.outputs) secrets.addChange(o.change)
  const renderer = new PlanRenderer(options, secrets)
  for (const item of model.changes) renderer.change(item)
  for (const item of model.drift) renderer.drift(item)
  return renderer.render(model, write)
}

/** Forms longer than this are kept as sizes once written (most item lines are far shorter). */
const LARGE = 2000

function deferLarge(block: Block, again: () => Block): Block {
  const defer = (t: BlockText, form: (b: Block) => BlockText): BlockText =>
    typeof t === 'string' && t.length > LARGE ? deferredText(t, () => textOf(form(again()))) : t
  return {
    ...block,
    text: defer(block.text, (b) => b.text),
    lighter: block.lighter?.map((l, k) => ({ pass: l.pass, text: defer(l.text, (b) => (b.lighter as Lighter[])[k]!.text) })),
  }
}

function heading(model: PlanModel, o: RenderOptions, secrets: Secrets): string {
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
    model.terraformVersion ? `Terraform/OpenTofu ${code(secrets.maskWhole(model.terraformVersion))}` : '',
  ].filter(Boolean)
  return [
    `### ${icon} ${text(o.title)}${where ? ` — ${where}` : ''}`,
    '',
    `**${planSummaryLine(model)}**`,
    meta.length ? `\n${meta.join(' · ')}` : '',
  ].join('\n')
}

function alerts(model: PlanModel, secrets: Secrets): string[] {
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
          .map((i) => code(secrets.maskWhole(i.actions.join(','))))
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
function itemLine(item: ResourceItem, secrets: Secrets, maxText = Number.POSITIVE_INFINITY): string {
  // A text to shorten is scrubbed first: a cut could leave most of a secret where no scrubber finds it.
  const c = (s: string): string => code(s.length > maxText ? ellipsize(secrets.mask(s), maxText) : secrets.maskWhole(s))
  const notes: string[] = []
  const why = explain(item, (s) => secrets.maskWhole(s))
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

/**
 * Rows of one attribute table or diff: every attribute of a real resource (a GKE cluster has a few
 * hundred leaves), in the full rendering too; only a pathological one is cut, with "… and N more".
 */
const MAX_ATTRIBUTES = 2_000

/**
 * One resource: its line, what changes (updates, replacements), and what the object is (creates,
 * imports, the new side of a replacement, what a delete takes away), each collapsed, with the
 * lighter forms the budget uses (no attribute list, then no diff, then a shortened line).
 */
function itemBlock(item: ResourceItem, g: Group, value: (v: Shown) => string, secrets: Secrets, limit: number): Block {
  const line = itemLine(item, secrets)
  const c = item.change
  const marks = [c.before_sensitive, c.after_sensitive]
  const diff = g.showDiff ? diffBlock(item, value, limit) : ''
  let list = ''
  if (item.action === 'create' || item.action === 'create-forget') {
    list = valuesBlock(
      attributeValues(c.after, { sensitive: marks, unknown: c.after_unknown }, limit),
      (n) => plural(n, 'attribute'),
      value,
    )
  } else if (item.action === 'replace') {
    list = valuesBlock(
      attributeValues(c.after, { sensitive: marks, unknown: c.after_unknown }, limit),
      (n) => `${plural(n, 'attribute')} of the new object`,
      value,
    )
  } else if (item.importing) {
    // What is adopted is the object as it is (before); an import that also updates shows the update in its diff.
    list = valuesBlock(
      attributeValues(c.before ?? c.after, { sensitive: marks, unknown: c.before == null ? c.after_unknown : undefined }, limit),
      (n) => `${plural(n, 'attribute')} adopted`,
      value,
    )
  } else if (item.action === 'delete' && item.mode !== 'data') {
    list = valuesBlock(
      attributeValues(c.before, { sensitive: marks }, limit, identifying),
      (n) => plural(n, 'identifying attribute'),
      value,
      false,
    )
  }
  const short = itemLine(item, secrets, COMPACT_TEXT)
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

function diffBlock(item: ResourceItem, value: (v: Shown) => string, limit: number): string {
  const { changes, total } = attributeChanges(item.change, limit)
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
  const measure = options.measure ?? ((t: string) => t.length)
  // `(sensitive)` can be longer than the secret it stands for: a text that grew past the limit
  // when scrubbed is fitted again to a budget smaller by what it grew.
  let max = options.max
  for (;;) {
    const result = fitToBudget(rendered.blocks, {
      max,
      measure: options.measure,
      omitted: (group, n) => `- … and ${n} more ${group} not shown here.`,
      footer: (cut) => cutFooter(cut, options, options.limitText ?? `${thousands(options.announcedMax ?? options.max)} characters`),
    })
    const text = rendered.redact(result.text)
    const over = max === Number.POSITIVE_INFINITY ? 0 : measure(text) - options.max
    if (over <= 0 || max <= 0) return { text, cut: result.cut }
    max -= over + 64
  }
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
