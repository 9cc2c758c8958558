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
  thousands,
  type Block,
  type BudgetResult,
  type Cut,
} from '@infra-actions/common'
import {
  attributeChanges,
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
  /** Scrubs sensitive values out of any text derived from this plan. */
  redact: (text: string) => string
}

interface Group {
  id: string
  heading: string
  keep: boolean
  items: ResourceItem[]
  showDiff: boolean
}

// `(sensitive)`, `(known after apply)`, `(none)`: built once, not once per attribute.
const VALUELESS = Object.fromEntries(
  (['sensitive', 'unknown', 'absent'] as const).map((kind) => [kind, code(formatShown({ kind }))]),
) as Record<'sensitive' | 'unknown' | 'absent', string>

export function renderPlan(model: PlanModel, options: RenderOptions): RenderedPlan {
  const secrets = new Secrets()
  for (const item of model.changes) secrets.addChange(item.change)
  for (const item of model.drift) secrets.addChange(item.change)
  for (const d of model.deferred) secrets.addChange(d.item.change)
  for (const o of model.outputs) secrets.addChange(o.change)
  const redact = (t: string): string => secrets.redact(t)
  const value = (v: Shown): string => (v.kind === 'value' ? code(formatShown(v, 120, secrets)) : VALUELESS[v.kind])

  const blocks: Block[] = []
  const keep = (t: string): void => {
    blocks.push({ text: t, keep: true })
  }
  keep(heading(model, options))
  for (const a of alerts(model)) keep(`\n${a}`)
  keep(countsTable(model.counts, model))

  const groups = groupItems(model)
  for (const g of groups) {
    if (g.items.length === 0) continue
    blocks.push({ text: `\n#### ${g.heading} (${g.items.length})\n`, keep: true })
    for (const item of g.items) {
      const line = itemLine(item)
      const diff = g.showDiff ? diffBlock(item, value, options.maxAttributes ?? 50) : ''
      blocks.push({ text: diff ? `${line}\n${diff}` : line, compact: itemLine(item, COMPACT_TEXT), keep: g.keep, group: g.id })
    }
  }
  if (model.deferred.length > 0) {
    blocks.push({
      text: `\n#### ⏸️ Deferred to a later plan (${model.deferred.length})\n\nThese are not part of this plan; a later plan will propose them.\n`,
      keep: true,
    })
    for (const d of model.deferred) {
      const destroys = d.item.actions.includes('delete') ? ' ⚠️ **would destroy**' : ''
      blocks.push({
        text: `- ${code(d.item.address)} (${text(d.item.actions.join(', '))}) — deferred: ${text(d.reason)}${destroys}`,
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
      return [code(o.name), text(o.action), value(before), value(after)]
    })
    blocks.push({
      text: `\n#### Outputs (${outputs.length})\n\n${table(['Output', 'Action', 'Before', 'After'], rows)}\n`,
      group: 'outputs',
    })
  }
  if (model.drift.length > 0) {
    const lines = model.drift.map((d) => {
      const what = d.actions.includes('delete')
        ? 'deleted outside Terraform'
        : d.action === 'update'
          ? 'changed outside Terraform'
          : text(d.actions.join(', '))
      const diff = d.action === 'update' ? diffBlock(d, value, options.maxAttributes ?? 50) : ''
      return `- ${code(d.address)}: ${what}${diff ? `\n${diff}` : ''}`
    })
    blocks.push({
      text: `\n${details(`🌀 Drift: ${plural(model.drift.length, 'resource')} changed outside Terraform`, `These changes already happened; the plan above accounts for them.\n\n${lines.join('\n')}`)}\n`,
      compact: `\n${details(`🌀 Drift: ${plural(model.drift.length, 'resource')} changed outside Terraform`, model.drift.map((d) => `- ${code(d.address)}`).join('\n'))}\n`,
      group: 'drift',
    })
  }
  if (model.checks.length > 0) {
    const lines = model.checks.map(
      (c) => `- ${code(c.address)}: **${text(c.status)}**${c.problems.map((p) => `\n  - ${text(redact(p))}`).join('')}`,
    )
    keep(`\n#### ❗ Checks that did not pass (${model.checks.length})\n\n${lines.join('\n')}\n`)
  }
  return { blocks, redact }
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

function groupItems(model: PlanModel): Group[] {
  const groups: Record<string, Group> = {
    delete: { id: 'destroyed resources', heading: '🗑️ Destroy', keep: true, items: [], showDiff: false },
    replace: { id: 'replaced resources', heading: '♻️ Replace', keep: true, items: [], showDiff: true },
    unknown: { id: 'resources with unknown actions', heading: '❓ Unknown action', keep: true, items: [], showDiff: false },
    update: { id: 'updated resources', heading: '✏️ Update in place', keep: false, items: [], showDiff: true },
    create: { id: 'created resources', heading: '➕ Create', keep: false, items: [], showDiff: false },
    forget: {
      id: 'forgotten resources',
      heading: '🫥 Forget (removed from state, not destroyed)',
      keep: false,
      items: [],
      showDiff: false,
    },
    move: { id: 'moved resources', heading: '🚚 Move', keep: false, items: [], showDiff: false },
    import: { id: 'imported resources', heading: '📥 Import', keep: false, items: [], showDiff: false },
    read: { id: 'data sources', heading: '📖 Read during apply', keep: false, items: [], showDiff: false },
  }
  const push = (g: keyof typeof groups, item: ResourceItem): void => {
    groups[g]!.items.push(item)
  }
  for (const item of model.changes) {
    switch (item.action) {
      case 'delete':
        push(item.mode === 'data' ? 'read' : 'delete', item)
        break
      case 'replace':
        push('replace', item)
        break
      case 'create':
        push('create', item)
        break
      case 'update':
        push('update', item)
        break
      case 'forget':
      case 'create-forget':
        push('forget', item)
        break
      case 'read':
        push('read', item)
        break
      case 'unknown':
        push('unknown', item)
        break
      case 'no-op':
        push(item.importing ? 'import' : 'move', item)
        break
    }
  }
  return Object.values(groups)
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
/**
 * The whole rendering, without a budget, handed to `write` in pieces of about `chunk` characters
 * (the markdown file of a large plan is megabytes: never one string). Blocks never split a value,
 * so redacting piece by piece finds every secret the whole text would.
 */
export function writeFull(rendered: RenderedPlan, write: (text: string) => void, chunk = 1 << 20): void {
  let pending = ''
  rendered.blocks.forEach((b, i) => {
    pending += i === 0 ? b.text : `\n${b.text}`
    if (pending.length >= chunk) {
      write(rendered.redact(pending))
      pending = ''
    }
  })
  if (pending) write(rendered.redact(pending))
}

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
  if (cut.compacted > 0) what.push(`the attribute changes of ${plural(cut.compacted, 'resource')}`)
  for (const [group, n] of cut.dropped) what.push(`${n} ${group}`)
  const where = o.fullPlanUrl
    ? `The full plan: [rendered plan](${o.fullPlanUrl}).`
    : (o.fullPlanNote ?? 'The full plan is in the job summary of this run.')
  return `\n---\n> [!NOTE]\n> Shortened to fit ${limit}: ${what.join(', ') || 'some detail'} not shown. ${where}`
}

export { type Cut }
