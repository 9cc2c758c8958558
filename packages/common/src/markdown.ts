/**
 * Markdown for text we do not control (plan addresses and values, scan messages, branch names).
 * Untrusted text goes through `code()` (inline code) or `text()` (prose); both keep it on one
 * line, so it cannot start a heading, close our `<details>`, inject HTML, ping `@team`, link
 * `#123`, or break out of a table cell.
 */

// Bidi overrides and zero-width characters can make text display differently from what it is.
// Also the C1 controls (NEL among them), the Arabic letter mark, the soft hyphen, the Mongolian vowel separator and the tag characters.
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/gu

const NEEDS_VISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/u

/**
 * Text with line breaks, control, bidi and zero-width characters written as escapes (`\n`,
 * `\u202e`): for untrusted text in places that are not Markdown (annotations), so that it shows
 * what it is and stays on one line.
 */
export function visible(value: string): string {
  // Fast path: almost every address and value has nothing to make visible.
  if (!NEEDS_VISIBLE.test(value)) return value
  return value
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(INVISIBLE, (ch) => {
      const code = ch.codePointAt(0) as number
      return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`
    })
}

/** Inline code, safe for any input: the fence is longer than any run of backticks inside. */
export function code(value: string): string {
  const content = visible(value)
  if (content === '') return '<code></code>'
  const longestRun = content.includes('`') ? Math.max(...(content.match(/`+/g) ?? ['']).map((run) => run.length)) : 0
  const fence = '`'.repeat(longestRun + 1)
  const pad = content.startsWith('`') || content.endsWith('`') || (content.startsWith(' ') && content.endsWith(' ')) ? ' ' : ''
  return `${fence}${pad}${content}${pad}${fence}`
}

/**
 * Whether a part of Markdown written with `code()` and `text()` touches the content of a code
 * span: a test of [start, end) positions. Every untrusted text that is not escaped prose is in
 * such a span, so a scrubber can leave the rest (our own markup: `<details>`, headings, tables)
 * alone. Spans are found as CommonMark finds them: outside a span a backslash escapes the next
 * character (`text()` escapes every backtick), a run of n backticks opens a span that the next run
 * of exactly n closes; a run nothing closes (a text cut short) is taken to open a span to the
 * end, so a cut can only widen what is scrubbed.
 */
export function inCodeSpan(markdown: string): (start: number, end: number) => boolean {
  let spans: number[] | undefined
  return (start, end) => {
    spans ??= codeSpans(markdown)
    // The first span whose content ends after `start`: it touches [start, end) if it begins before `end`.
    let lo = 0
    let hi = spans.length / 2
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((spans[2 * mid + 1] as number) <= start) lo = mid + 1
      else hi = mid
    }
    return lo < spans.length / 2 && (spans[2 * lo] as number) < end
  }
}

/** The contents of the code spans of `markdown`: start, end, start, end… (see inCodeSpan). */
function codeSpans(markdown: string): number[] {
  const out: number[] = []
  const n = markdown.length
  let i = 0
  while (i < n) {
    const c = markdown.charCodeAt(i)
    if (c === 0x5c) {
      i += 2
      continue
    }
    if (c !== 0x60) {
      i++
      continue
    }
    let run = i
    while (run < n && markdown.charCodeAt(run) === 0x60) run++
    const fence = run - i
    let close = run
    for (;;) {
      close = markdown.indexOf('`', close)
      if (close < 0) break
      let end = close
      while (end < n && markdown.charCodeAt(end) === 0x60) end++
      if (end - close === fence) break
      close = end
    }
    if (close < 0) {
      out.push(run, n)
      break
    }
    out.push(run, close)
    i = close + fence
  }
  return out
}

// `|` is left to table(), which escapes it in every cell (GFM splits cells before code spans).
const MARKDOWN_PUNCTUATION = new Set('\\`*_{}[]()#+-.!~^=:"\'$')

/**
 * One pass over a string: entities for HTML's special characters, a zero-width space after `@`
 * and between `#` and a digit (the way Renovate defuses mentions and issue links), and whatever
 * `other` escapes.
 */
function escapeWith(value: string, hash: string, other: (ch: string) => string | undefined): string {
  const s = visible(value)
  let out = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string
    if (ch === '&') out += '&amp;'
    else if (ch === '<') out += '&lt;'
    else if (ch === '>') out += '&gt;'
    else if (ch === '@') out += '@&#8203;'
    else if (ch === '#' && /\d/.test(s[i + 1] ?? '')) out += hash
    else out += other(ch) ?? ch
  }
  return out
}

/** Prose: Markdown punctuation backslash-escaped too, so `@org/team` and `#1` show but never notify or link. */
export function text(value: string): string {
  return escapeWith(value, '\\#&#8203;', (ch) => (MARKDOWN_PUNCTUATION.has(ch) ? `\\${ch}` : undefined))
}

/** For text inside HTML elements (`<summary>`), where Markdown is not parsed. */
export function html(value: string): string {
  return escapeWith(value, '#&#8203;', (ch) => (ch === '"' ? '&quot;' : undefined))
}

/**
 * A GFM table. Cells are Markdown already (use `code()`/`text()` for untrusted parts); every `|`
 * in a cell is escaped here, which GFM undoes before it parses the cell, code spans included.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('left' | 'right' | 'center')[],
): string {
  const rule = headers.map((_, i) => ({ left: '---', right: '---:', center: ':---:' })[align?.[i] ?? 'left'])
  return [tableRow(headers), `| ${rule.join(' | ')} |`, ...rows.map(tableRow)].join('\n')
}

/** One row of a table (for tables built row by row, e.g. under a budget). */
export function tableRow(cells: readonly string[]): string {
  // A loop, not map/join: the attribute tables of a large plan have ~100,000 rows.
  let row = '|'
  for (const c of cells) row += ` ${PIPE_OR_NEWLINE.test(c) ? c.replace(/\n/g, ' ').replace(/\|/g, '\\|') : c} |`
  return row
}

const PIPE_OR_NEWLINE = /[\n|]/

/** A collapsible section. `summary` is HTML-safe text; the body is Markdown (blank lines keep it parsed). */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`
}

/** A GFM alert (`> [!CAUTION]`) whose body lines are quoted. */
export function alert(kind: 'NOTE' | 'TIP' | 'IMPORTANT' | 'WARNING' | 'CAUTION', body: string): string {
  return [`> [!${kind}]`, ...body.split('\n').map((l) => `> ${l}`)].join('\n')
}

/** At most `max` characters: the start and the end of a long text, with how much was left out. */
export function ellipsize(value: string, max: number): string {
  if (value.length <= max) return value
  const note = ` (${thousands(value.length)} characters)`
  const keep = Math.max(2, max - note.length - 1)
  const head = Math.ceil(keep * 0.7)
  return `${value.slice(0, head)}…${value.slice(value.length - (keep - head))}${note}`
}

/** 65536 → "65,536". Not toLocaleString: its first call loads ICU data, ~20 ms of a run. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`
}

/**
 * `label` (Markdown already) linked to an untrusted http(s) URL, or `label` alone: the URL is percent-encoded down to characters
 * that cannot end the link (`(`, `)`) or be read as Markdown, and one that cannot be encoded is dropped.
 */
export function link(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return label
  let encoded: string
  try {
    encoded = encodeURI(url)
  } catch {
    return label
  }
  return `[${label}](${encoded.replace(/[()*_~`'!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)})`
}
