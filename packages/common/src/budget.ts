/**
 * Rendering within a length budget. A document is a list of blocks in display order; a block
 * may have a compact form (the same item without its detail) and may be droppable. When the
 * whole does not fit, detail goes first, from the bottom up; then droppable blocks, from the
 * bottom up; then, as a last resort, the kept blocks, from the bottom up. Every cut is counted
 * per group so the caller can say exactly what is missing.
 */
export interface Block {
  text: string
  /** The same item with less detail (e.g. without its attribute diff). */
  compact?: string
  /** Kept blocks are only cut when nothing else is left to cut. */
  keep?: boolean
  /** The group an item belongs to, for "… and 12 more <group>" notes. */
  group?: string
}

export interface Cut {
  /** Items shown without their detail. */
  compacted: number
  /** Items left out, per group. */
  dropped: Map<string, number>
  /** True when even kept blocks had to go. */
  keptDropped: boolean
}

export interface BudgetOptions {
  max: number
  /** Length of a string in the budget's unit (default: UTF-16 code units, as GitHub counts). */
  measure?: (s: string) => number
  /** The note after a group that lost items. */
  omitted?: (group: string, count: number) => string
  /** The footer saying what was cut; only called when something was. */
  footer?: (cut: Cut) => string
}

export interface BudgetResult {
  text: string
  cut: Cut | undefined
}

const NOTE_RESERVE = 160
const FOOTER_RESERVE = 600

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

export function fitToBudget(blocks: readonly Block[], options: BudgetOptions): BudgetResult {
  if (options.max === Number.POSITIVE_INFINITY) return { text: blocks.map((b) => b.text).join('\n'), cut: undefined }
  const measure = options.measure ?? ((s: string) => s.length)
  const sep = measure('\n')
  const full = blocks.map((b) => measure(b.text) + sep)
  const total = full.reduce((a, b) => a + b, 0)
  if (total <= options.max) return { text: blocks.map((b) => b.text).join('\n'), cut: undefined }

  // State per block: 2 = full, 1 = compact, 0 = dropped.
  const state = blocks.map(() => 2)
  const compact = blocks.map((b) => (b.compact !== undefined ? measure(b.compact) + sep : undefined))
  let used = total
  const groupsWithDrops = new Set<string>()
  const reserve = (): number => FOOTER_RESERVE + groupsWithDrops.size * NOTE_RESERVE
  const fits = (): boolean => used + reserve() <= options.max
  let compacted = 0

  for (let i = blocks.length - 1; i >= 0 && !fits(); i--) {
    const c = compact[i]
    if (c !== undefined && c < (full[i] as number)) {
      used -= (full[i] as number) - c
      state[i] = 1
      compacted++
    }
  }
  const sizeOf = (i: number): number => (state[i] === 2 ? (full[i] as number) : (compact[i] ?? (full[i] as number)))
  const drop = (keep: boolean): void => {
    for (let i = blocks.length - 1; i >= 0 && !fits(); i--) {
      const b = blocks[i] as Block
      if (state[i] === 0 || !!b.keep !== keep) continue
      used -= sizeOf(i)
      state[i] = 0
      if (b.group) groupsWithDrops.add(b.group)
    }
  }
  drop(false)
  let keptDropped = false
  if (!fits()) {
    keptDropped = true
    drop(true)
  }

  const dropped = new Map<string, number>()
  blocks.forEach((b, i) => {
    if (state[i] === 0 && b.group) dropped.set(b.group, (dropped.get(b.group) ?? 0) + 1)
  })
  const out: string[] = []
  const noted = new Set<string>()
  blocks.forEach((b, i) => {
    if (state[i] === 2) out.push(b.text)
    else if (state[i] === 1) out.push(b.compact ?? b.text)
    // The note goes where the group's last item would have been.
    const g = b.group
    const next = blocks[i + 1]
    if (g && dropped.has(g) && !noted.has(g) && next?.group !== g) {
      noted.add(g)
      out.push(options.omitted ? options.omitted(g, dropped.get(g) as number) : `… ${dropped.get(g)} more ${g} not shown.`)
    }
  })
  const cut: Cut = { compacted, dropped, keptDropped }
  if (options.footer) out.push(options.footer(cut))
  let result = out.join('\n')
  // Notes and footer were estimated; if a caller's note ran long, cut at a line end.
  while (measure(result) > options.max) {
    const at = result.lastIndexOf('\n', Math.min(result.length - 1, Math.floor(result.length * 0.95)))
    result = at > 0 ? result.slice(0, at) : result.slice(0, Math.floor(options.max / 2))
  }
  return { text: result, cut }
}
