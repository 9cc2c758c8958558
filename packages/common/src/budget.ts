/**
 * Rendering within a length budget. A document is a list of blocks in display order; a block
 * may have lighter forms (the same item with less detail), each allowed from some pass on, and
 * may be droppable. When the whole does not fit, detail goes first, pass by pass (pass 0 first),
 * each pass from the bottom up; then droppable blocks, from the bottom up; then, as a last resort,
 * the kept blocks, from the bottom up. Every cut is counted so the caller can say exactly what is
 * missing.
 */
/**
 * A block's text, or a text rendered on demand: its sizes in both units the budgets use, and a
 * way to produce it again. A large rendering keeps only the blocks that end up shown as strings.
 */
export type BlockText = string | DeferredText

export interface DeferredText {
  /** UTF-16 code units (`string.length`: what GitHub counts for a comment). */
  readonly chars: number
  /** UTF-8 bytes (what the job summary's limit counts). */
  readonly bytes: number
  render(): string
}

/** A text whose sizes are known, kept as a function to render it again. */
export function deferredText(text: string, render: () => string): DeferredText {
  return { chars: text.length, bytes: Buffer.byteLength(text, 'utf8'), render }
}

/** The string of a block text. */
export const textOf = (t: BlockText): string => (typeof t === 'string' ? t : t.render())

export interface Block {
  text: BlockText
  /**
   * Lighter forms of the same item, each shorter than the one before, and the pass from which
   * each may be used: a plan comment drops a created resource's attribute list (pass 0) before
   * any update's attribute changes (pass 1).
   */
  lighter?: readonly Lighter[]
  /** Kept blocks are only cut when nothing else is left to cut. */
  keep?: boolean
  /** The group an item belongs to, for "… and 12 more <group>" notes. */
  group?: string
}

export interface Lighter {
  text: BlockText
  pass: number
}

export interface Cut {
  /** Per pass, how many items lost detail in it. */
  lightened: Map<number, number>
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

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

const chars = (s: string): number => s.length

export function fitToBudget(blocks: readonly Block[], options: BudgetOptions): BudgetResult {
  if (options.max === Number.POSITIVE_INFINITY) return { text: blocks.map((b) => textOf(b.text)).join('\n'), cut: undefined }
  const measureText = options.measure ?? chars
  // A deferred text is measured by the size it carries when the unit is one it knows.
  const measure = (t: BlockText): number =>
    typeof t === 'string' ? measureText(t) : measureText === chars ? t.chars : measureText === utf8Bytes ? t.bytes : measureText(t.render())
  const sep = measureText('\n')
  const full = blocks.map((b) => measure(b.text) + sep)
  const total = full.reduce((a, b) => a + b, 0)
  if (total <= options.max) return { text: blocks.map((b) => textOf(b.text)).join('\n'), cut: undefined }

  // Per block: the form shown (0 = the full text, k = lighter[k - 1]) and its size; -1 = dropped.
  const form = blocks.map(() => 0)
  const size = [...full]
  const lighterSizes = blocks.map((b) => b.lighter?.map((l) => measure(l.text) + sep))
  let used = total
  const groupsWithDrops = new Set<string>()
  const lightened = new Map<number, number>()
  let keptDropped = false
  // Room for the notes and the footer, measured (not guessed: a small budget has no room to spare),
  // with every count at its largest so the texts cannot grow past it. Measured again only when
  // what the footer says changes (a pass or a group first cut), not for every block.
  const groupSizes = new Map<string, number>()
  for (const b of blocks) if (b.group) groupSizes.set(b.group, (groupSizes.get(b.group) ?? 0) + 1)
  const note = (g: string, n: number): string => (options.omitted ? options.omitted(g, n) : `… ${n} more ${g} not shown.`)
  let notes = 0
  let footer = 0
  const measureFooter = (): void => {
    if (!options.footer) return
    const most = new Map([...lightened.keys()].map((p) => [p, blocks.length]))
    if (most.size === 0 && groupsWithDrops.size === 0 && !keptDropped) most.set(passes[0] ?? 0, blocks.length)
    const dropped = new Map([...groupsWithDrops].map((g) => [g, groupSizes.get(g) ?? blocks.length]))
    footer = measureText(options.footer({ lightened: most, dropped, keptDropped })) + sep
  }
  const fits = (): boolean => used + notes + footer <= options.max

  const passes = [...new Set(blocks.flatMap((b) => b.lighter?.map((l) => l.pass) ?? []))].sort((a, b) => a - b)
  measureFooter()
  for (const pass of passes) {
    for (let i = blocks.length - 1; i >= 0 && !fits(); i--) {
      const forms = blocks[i]!.lighter
      const sizes = lighterSizes[i]
      if (!forms || !sizes) continue
      // The lightest form this pass allows, if it is lighter than what is shown.
      let k = form[i] as number
      while (k < forms.length && (forms[k] as Lighter).pass <= pass) k++
      if (k === form[i] || (sizes[k - 1] as number) >= (size[i] as number)) continue
      used -= (size[i] as number) - (sizes[k - 1] as number)
      size[i] = sizes[k - 1] as number
      form[i] = k
      const p = (forms[k - 1] as Lighter).pass
      const first = !lightened.has(p)
      lightened.set(p, (lightened.get(p) ?? 0) + 1)
      if (first) measureFooter()
    }
  }
  const drop = (keep: boolean): void => {
    for (let i = blocks.length - 1; i >= 0 && !fits(); i--) {
      const b = blocks[i] as Block
      if (form[i] === -1 || !!b.keep !== keep) continue
      used -= size[i] as number
      form[i] = -1
      if (b.group && !groupsWithDrops.has(b.group)) {
        groupsWithDrops.add(b.group)
        notes += measureText(note(b.group, groupSizes.get(b.group) as number)) + sep
        measureFooter()
      }
    }
  }
  drop(false)
  if (!fits()) {
    keptDropped = true
    measureFooter()
    drop(true)
  }

  const dropped = new Map<string, number>()
  blocks.forEach((b, i) => {
    if (form[i] === -1 && b.group) dropped.set(b.group, (dropped.get(b.group) ?? 0) + 1)
  })
  const out: string[] = []
  const noted = new Set<string>()
  blocks.forEach((b, i) => {
    const f = form[i] as number
    if (f === 0) out.push(textOf(b.text))
    else if (f > 0) out.push(textOf((b.lighter as readonly Lighter[])[f - 1]!.text))
    // The note goes where the group's last item would have been.
    const g = b.group
    const next = blocks[i + 1]
    if (g && dropped.has(g) && !noted.has(g) && next?.group !== g) {
      noted.add(g)
      out.push(note(g, dropped.get(g) as number))
    }
  })
  const cut: Cut = { lightened, dropped, keptDropped }
  if (options.footer) out.push(options.footer(cut))
  let result = out.join('\n')
  // Notes and footer were estimated; if a caller's note ran long, cut at a line end, else halve
  // (every round shortens it, so a budget of 0 or less ends empty instead of looping).
  while (result !== '' && measureText(result) > options.max) {
    const at = result.lastIndexOf('\n', Math.min(result.length - 1, Math.floor(result.length * 0.95)))
    result = at > 0 ? result.slice(0, at) : result.slice(0, Math.floor(result.length / 2)).replace(/[\uD800-\uDBFF]$/, '')
  }
  return { text: result, cut }
}
