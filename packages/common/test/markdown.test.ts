import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { code, details, html, inCodeSpan, table, tableRow, text, thousands } from '../src/index.js'

// A CommonMark + GFM-tables renderer stands in for GitHub's: if our escaping survives a real
// parser, the text shows as text.
const md = new MarkdownIt({ html: true })
const render = (markdown: string) => md.render(markdown)
const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#8203;|\u200b/g, '')
    .replace(/&amp;/g, '&')
const shown = (value: string) =>
  value
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0085\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\u{e0000}-\u{e007f}]/gu,
      (c) => {
        const n = c.codePointAt(0) as number
        return n > 0xffff ? `\\u{${n.toString(16)}}` : `\\u${n.toString(16).padStart(4, '0')}`
      },
    )

const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '</details>',
    '<script>alert(1)</script>',
    '@octo-org/admins',
    '#123',
    '```',
    '`a``b`',
    '| x |',
    '[a](javascript:alert(1))',
    '<!-- -->',
    '\n# heading',
    '**bold**',
    '<img src=x onerror=alert(1)>',
    'a\\|b',
    ' ` ',
    '\u202Eevil',
    '',
  ),
  fc
    .array(
      fc.constantFrom('`', '<', '>', '|', '@', '#', '\\', '*', '_', '[', ']', '(', ')', '!', '\n', '&', '"', ' ', 'a', '1', '-', '~'),
      { maxLength: 30 },
    )
    .map((a) => a.join('')),
)

describe('code()', () => {
  it('renders any string as exactly one code span holding that string', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = render(`x ${code(value)} y`)
        if (value === '') {
          expect(out).toBe('<p>x <code></code> y</p>\n')
          return
        }
        const m = /^<p>x <code>([\s\S]*)<\/code> y<\/p>\n$/.exec(out)
        expect(m, out).not.toBeNull()
        expect(decode(m![1]!)).toBe(shown(value))
      }),
      { numRuns: 500 },
    )
  })

  it('stays one cell inside a GFM table', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = render(table(['a', 'b', 'c'], [[code(value), text(value), 'end']]))
        expect(out.match(/<td[ >]/g)?.length, out).toBe(3)
        expect(out).toMatch(/<td[^>]*>end<\/td>/)
        const cell = /<td[^>]*>(?:<code>([\s\S]*?)<\/code>)?<\/td>/.exec(out)
        if (value !== '') expect(decode(cell?.[1] ?? ''), out).toBe(shown(value))
      }),
      { numRuns: 300 },
    )
  })
})

describe('text()', () => {
  it('renders as plain text: no tags, no links, no headings, and shows the same characters', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = render(`x ${text(value)}`)
        const m = /^<p>x ?([\s\S]*)<\/p>\n$/.exec(out)
        expect(m, out).not.toBeNull()
        const inner = m![1]!
        expect(inner).not.toMatch(/<(?!br)[a-z!/]/i)
        expect(decode(inner).trim()).toBe(`${shown(value)}`.trim())
      }),
      { numRuns: 500 },
    )
  })

  it('defuses mentions and issue references', () => {
    expect(text('@octo-org/admins please see #123')).not.toMatch(/@[a-z]/i)
    expect(text('@octo-org/admins please see #123')).not.toContain('#123')
  })
})

describe('html()', () => {
  it('cannot close an element or open a new one', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = html(value)
        expect(out).not.toMatch(/[<>"]/)
        expect(out).not.toMatch(/@[A-Za-z0-9]/)
      }),
    )
  })
})

describe('details()', () => {
  it('keeps a hostile body inside the section', () => {
    const body = `- ${code('</details><b>pwned</b>')}\n- ${text('</details>')}`
    const out = render(`${details(html('</details>'), body)}\n\nafter`)
    expect(out.match(/<\/details>/g)).toHaveLength(1)
    expect(out.indexOf('</details>')).toBeGreaterThan(out.indexOf('pwned'))
    expect(out).not.toContain('<b>pwned</b>')
  })
})

describe('thousands()', () => {
  it('groups digits as en-US does', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 40 }), (n) => {
        expect(thousands(n)).toBe(n.toLocaleString('en-US'))
      }),
    )
  })
})

describe('visible', () => {
  it('writes every character that displays as something else, or as nothing, as an escape', async () => {
    const { visible } = await import('../src/markdown.js')
    expect(visible('a\u061cb\u0085c\u00add\u180ee\u{e0041}f\u202eg')).toBe('a\\u061cb\\u0085c\\u00add\\u180ee\\u{e0041}f\\u202eg')
    expect(visible('plain text')).toBe('plain text')
  })
})

describe('inCodeSpan()', () => {
  // Markdown as the renderers write it: our markup, prose through text(), untrusted text in code().
  const markup = fc.constantFrom(
    '<details><summary>3 attributes</summary>\n\n',
    '\n\n</details>',
    '#### ➕ Create (1)\n',
    '- ',
    ' — ',
    '**',
    '\n',
  )
  const piece = fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => ({ kind: 'code' as const, s })),
    fc.string({ maxLength: 12 }).map((s) => ({ kind: 'text' as const, s })),
    fc.constantFrom('`', '``', 'a`b', '\\', '\\`', ' `x` ').map((s) => ({ kind: 'code' as const, s })),
    fc.constantFrom('`', '\\', '\\`', '``x').map((s) => ({ kind: 'text' as const, s })),
    markup.map((s) => ({ kind: 'ours' as const, s })),
  )

  it('finds every code() span, in table cells too, and nothing of the prose and markup around them', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.boolean(), (pieces, inTable) => {
        // Each piece written, with where its untrusted content went (code) or what must stay outside.
        // Each piece written (in a table row, a cell each, | and newlines escaped as tableRow does),
        // with where its untrusted content went (code) or what must stay outside.
        const written = pieces.map((p) => (p.kind === 'code' ? code(p.s) : p.kind === 'text' ? text(p.s) : p.s))
        const cells = inTable ? written.map((w) => (/[\n|]/.test(w) ? w.replace(/\n/g, ' ').replace(/\|/g, '\\|') : w)) : written
        let md = inTable ? '|' : ''
        const inside: [number, number][] = []
        const outside: [number, number][] = []
        for (const [k, w] of cells.entries()) {
          // A space between pieces, as the renderers write them: two code spans that touch make one run of backticks.
          if (inTable || k > 0) md += ' '
          const p = pieces[k]!
          if (p.kind === 'code' && p.s !== '') {
            const fence = /^`+/.exec(w)![0].length
            inside.push([md.length + fence, md.length + w.length - fence])
          } else if (p.kind !== 'code') outside.push([md.length, md.length + w.length])
          md += inTable ? `${w} |` : w
        }
        if (inTable) expect(md).toBe(tableRow(written))
        const test = inCodeSpan(md)
        for (const [s, e] of inside) for (let i = s; i < e; i++) expect(test(i, i + 1), `${JSON.stringify(md)} at ${i}`).toBe(true)
        for (const [s, e] of outside) for (let i = s; i < e; i++) expect(test(i, i + 1), `${JSON.stringify(md)} at ${i}`).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('takes a span that a cut left open to reach the end, and a range that only touches a span as inside', () => {
    const cut = 'done `first` and ``second, cut sho'
    const test = inCodeSpan(cut)
    expect(test(cut.indexOf('second'), cut.length)).toBe(true)
    expect(test(cut.indexOf('first'), cut.indexOf('first') + 5)).toBe(true)
    expect(test(0, 4)).toBe(false)
    expect(test(cut.indexOf(' and'), cut.indexOf(' and') + 4)).toBe(false)
    // From the prose into a span.
    expect(test(0, cut.indexOf('first') + 1)).toBe(true)
  })
})
