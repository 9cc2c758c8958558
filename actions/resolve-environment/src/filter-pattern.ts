/**
 * GitHub's filter patterns for branches and tags (`on.push.branches`, the "Filter pattern cheat
 * sheet" of GitHub's workflow syntax), so a rule reads as the workflow's own filter would:
 * - `*` matches any characters but `/`; `**` any characters; `**` then `/` any leading directories, or none;
 * - `?` makes the character (or bracket class) before it optional, `+` repeats it once or more
 *   (`v[12].[0-9]+.[0-9]+`); at the start of a pattern they are literal;
 * - `[…]` matches one character listed or in a range (`[a-z0-9]`);
 * - `\` makes the next character literal; every other character, `.` included, is itself;
 * - a pattern starting with `!` excludes what it matches from the patterns before it; a positive
 *   pattern after it includes again (the order matters, as in GitHub's filters).
 * Glob libraries differ (`?` is one character, `+` is literal, `!` negates one pattern alone):
 * `["release/**", "!release/experimental/**"]` matched every branch through picomatch. This reads
 * them as nektos/act's `workflowpattern`, a re-implementation of GitHub's, does, and matches
 * without backtracking.
 */

/**
 * One part of a pattern: a character or class (`?` makes it optional, `+` repeats it), `*` (any
 * characters but `/`), `**` (any characters), or `**` then `/` (nothing, or characters ending in `/`).
 */
type Part =
  { kind: 'one'; test: (c: string) => boolean; min: 0 | 1; many: boolean } | { kind: 'star' } | { kind: 'globstar' } | { kind: 'dirs' }

const compiled = new Map<string, Part[]>()

/** A pattern (without its `!`) as its parts; throws on a pattern GitHub refuses. */
function partsOf(pattern: string): Part[] {
  let cached = compiled.get(pattern)
  if (cached) return cached
  const chars = Array.from(pattern)
  const parts: Part[] = []
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string
    const last = parts[parts.length - 1]
    if (c === '\\') {
      const next = chars[i + 1]
      if (next === undefined) throw new Error('ends with a lone \\')
      parts.push(literal(next))
      i++
    } else if (c === '*') {
      if (chars[i + 1] === '*' && chars[i + 2] === '/') {
        parts.push({ kind: 'dirs' })
        i += 2
      } else if (chars[i + 1] === '*') {
        parts.push({ kind: 'globstar' })
        i++
      } else parts.push({ kind: 'star' })
    } else if ((c === '?' || c === '+') && last?.kind === 'one' && last.min === 1 && !last.many) {
      // Quantifies the character or class before it, once.
      parts[parts.length - 1] = c === '?' ? { ...last, min: 0 } : { ...last, many: true }
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 1)
      if (end < 0) throw new Error("has a '[' without its ']'")
      const inside = chars.slice(i + 1, end).join('')
      if (inside === '' || !/^(?:[A-Za-z0-9](?:-[A-Za-z0-9])?)+$/.test(inside))
        throw new Error(`has [${inside}]: brackets hold letters, digits and ranges of them (a-z, 0-9) only`)
      const ranges: [string, string][] = []
      for (const [, from, to] of inside.matchAll(/([A-Za-z0-9])(?:-([A-Za-z0-9]))?/g)) {
        if (to !== undefined && (from as string) > to) throw new Error(`has the range ${from}-${to}, which is backwards`)
        ranges.push([from as string, to ?? (from as string)])
      }
      parts.push({ kind: 'one', test: (x) => ranges.some(([a, b]) => x >= a && x <= b), min: 1, many: false })
      i = end
    } else parts.push(literal(c))
  }
  compiled.set(pattern, (cached = parts))
  return cached
}

const literal = (c: string): Part => ({ kind: 'one', test: (x) => x === c, min: 1, many: false })

/**
 * Whether the whole name matches the parts: a table of "parts from t on match the name from s
 * on", filled from the end, so time is (parts × characters) whatever the pattern: no
 * backtracking a pushed branch name could make take minutes (`*a*a*a*a*b`).
 */
function matchesParts(parts: Part[], value: string): boolean {
  const name = Array.from(value)
  const n = name.length
  const width = parts.length + 1
  // next: the row for s + 1; row: for s. dirs*: inside a `**/`, before its closing `/`.
  let next = new Uint8Array(width)
  let row = new Uint8Array(width)
  let dirsNext = new Uint8Array(width)
  let dirsRow = new Uint8Array(width)
  for (let s = n; s >= 0; s--) {
    const c = name[s]
    row[parts.length] = s === n ? 1 : 0
    for (let t = parts.length - 1; t >= 0; t--) {
      const part = parts[t] as Part
      const more = s < n
      let m: boolean
      if (part.kind === 'one') {
        const here = more && part.test(c as string)
        m = (part.min === 0 && !!row[t + 1]) || (here && (!!next[t + 1] || (part.many && !!next[t])))
      } else if (part.kind === 'star') m = !!row[t + 1] || (more && c !== '/' && !!next[t])
      else if (part.kind === 'globstar') m = !!row[t + 1] || (more && !!next[t])
      else {
        // (.+/)? : nothing, or at least one character and then a `/`.
        dirsRow[t] = more && ((c === '/' && next[t + 1]) || dirsNext[t]) ? 1 : 0
        m = !!row[t + 1] || (more && !!dirsNext[t])
      }
      row[t] = m ? 1 : 0
    }
    ;[next, row] = [row, next]
    ;[dirsNext, dirsRow] = [dirsRow, dirsNext]
  }
  return next[0] === 1
}

/** Why GitHub would not take this pattern, or undefined. */
export function filterPatternProblem(pattern: string): string | undefined {
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern
  if (body === '') return 'is empty'
  try {
    partsOf(body)
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

/** Why a list of patterns cannot work as written (a ! before every positive pattern: it excludes nothing), or undefined. */
export function filterListProblem(patterns: readonly string[]): string | undefined {
  const firstPositive = patterns.findIndex((p) => !p.startsWith('!'))
  if (patterns.length > 0 && firstPositive === -1)
    return 'has only patterns starting with !, which exclude from nothing: it matches nothing (add a positive pattern, such as "**", before them)'
  // Surely meant to exclude from what follows, which GitHub's order does not do: the name would be matched.
  if (firstPositive > 0)
    return (
      `starts with ${JSON.stringify(patterns[0])}, which excludes nothing there (GitHub reads the list in order, ` +
      `a ! excluding from what came before it): move it after ${JSON.stringify(patterns[firstPositive])}`
    )
  return undefined
}

/** Whether `value` (a branch or tag name) passes the patterns, in order, as GitHub's filters decide. */
export function matchesFilter(patterns: readonly string[], value: string | undefined): boolean {
  if (value === undefined) return false
  let included = false
  for (const p of patterns) {
    const negated = p.startsWith('!')
    if (negated !== included) continue
    if (matchesParts(partsOf(negated ? p.slice(1) : p), value)) included = !negated
  }
  return included
}
