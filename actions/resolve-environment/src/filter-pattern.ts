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
 * them as nektos/act's `workflowpattern`, a re-implementation of GitHub's, does.
 */

const compiled = new Map<string, RegExp>()

/** A pattern (without its `!`) as an anchored regular expression; throws on a pattern GitHub refuses. */
function toRegExp(pattern: string): RegExp {
  let cached = compiled.get(pattern)
  if (cached) return cached
  let source = ''
  // Whether the last thing written is one character or class that `?` and `+` may follow.
  let quantifiable = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) throw new Error('ends with a lone \\')
      source += escape(next)
      quantifiable = true
      i++
    } else if (c === '*') {
      // `**/` is any number of whole directories, none included (`**/docs` matches `docs`).
      if (pattern.startsWith('**/', i)) {
        source += '(?:.+/)?'
        i += 2
      } else if (pattern[i + 1] === '*') {
        source += '.*'
        i++
      } else source += '[^/]*'
      quantifiable = false
    } else if ((c === '?' || c === '+') && quantifiable) {
      source += c
      quantifiable = false
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end < 0) throw new Error("has a '[' without its ']'")
      const inside = pattern.slice(i + 1, end)
      if (inside === '' || !/^(?:[A-Za-z0-9](?:-[A-Za-z0-9])?)+$/.test(inside))
        throw new Error(`has [${inside}]: brackets hold letters, digits and ranges of them (a-z, 0-9) only`)
      for (const [, from, to] of inside.matchAll(/([A-Za-z0-9])-([A-Za-z0-9])/g))
        if ((from as string) > (to as string)) throw new Error(`has the range ${from}-${to}, which is backwards`)
      source += `[${inside}]`
      quantifiable = true
      i = end
    } else {
      source += escape(c)
      quantifiable = true
    }
  }
  cached = new RegExp(`^(?:${source})$`)
  compiled.set(pattern, cached)
  return cached
}

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** Why GitHub would not take this pattern, or undefined. */
export function filterPatternProblem(pattern: string): string | undefined {
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern
  if (body === '') return 'is empty'
  try {
    toRegExp(body)
  } catch (error) {
    return (error as Error).message
  }
  return undefined
}

/** Why a list of patterns cannot work as written (only negations: it matches nothing), or undefined. */
export function filterListProblem(patterns: readonly string[]): string | undefined {
  return patterns.length > 0 && patterns.every((p) => p.startsWith('!'))
    ? 'has only patterns starting with !, which exclude from nothing: it matches nothing (add a positive pattern, such as "**", before them)'
    : undefined
}

/** Whether `value` (a branch or tag name) passes the patterns, in order, as GitHub's filters decide. */
export function matchesFilter(patterns: readonly string[], value: string | undefined): boolean {
  if (value === undefined) return false
  let included = false
  for (const p of patterns) {
    const negated = p.startsWith('!')
    if (negated !== included) continue
    if (toRegExp(negated ? p.slice(1) : p).test(value)) included = !negated
  }
  return included
}
