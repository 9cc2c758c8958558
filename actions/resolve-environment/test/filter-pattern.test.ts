import { describe, expect, it } from 'vitest'
import { filterListProblem, filterPatternProblem, matchesFilter } from '../src/filter-pattern.js'

// GitHub's "Filter pattern cheat sheet" (workflow syntax for GitHub Actions), its examples row by
// row, then the order of negations, which decides what a rule with `!` patterns deploys.
const matches = (patterns: string | string[], names: string[]) =>
  names.filter((n) => matchesFilter(Array.isArray(patterns) ? patterns : [patterns], n))

describe('GitHub filter patterns, as the cheat sheet reads them', () => {
  const names = [
    'main',
    'releases/mona-the-octocat',
    'feature/my-branch',
    'feature/your-branch',
    'feature/beta-a/my-branch',
    'feature/mona/the/octocat',
    'mona-feature',
    'feature',
    'ver-10-feature',
    'v2',
    'v2.0',
    'v2.9',
    'v1.10.1',
    'v2.0.0',
    'v11',
    'v1',
    'mains',
  ]
  it.each([
    ['feature/*', ['feature/my-branch', 'feature/your-branch']],
    ['feature/**', ['feature/my-branch', 'feature/your-branch', 'feature/beta-a/my-branch', 'feature/mona/the/octocat']],
    ['main', ['main']],
    ['releases/mona-the-octocat', ['releases/mona-the-octocat']],
    ['*', ['main', 'mona-feature', 'feature', 'ver-10-feature', 'v2', 'v2.0', 'v2.9', 'v1.10.1', 'v2.0.0', 'v11', 'v1', 'mains']],
    ['**', names],
    ['*feature', ['mona-feature', 'feature', 'ver-10-feature']],
    ['v2*', ['v2', 'v2.0', 'v2.9', 'v2.0.0']],
    ['v[12].[0-9]+.[0-9]+', ['v1.10.1', 'v2.0.0']],
    // `?` and `+` quantify the character before them; `.` is itself.
    ['mains?', ['main', 'mains']],
    ['v1+', ['v11', 'v1']],
  ])('%s', (pattern, expected) => {
    expect(matches(pattern, names)).toEqual(expected)
  })

  it('reads `**/` as any leading directories or none, and `\\` as making the next character literal', () => {
    expect(matches('**/docs', ['docs', 'a/docs', 'a/b/docs', 'xdocs'])).toEqual(['docs', 'a/docs', 'a/b/docs'])
    expect(matches('releases/**-alpha', ['releases/beta/3-alpha', 'releases/3-alpha', 'releases/3-beta'])).toEqual([
      'releases/beta/3-alpha',
      'releases/3-alpha',
    ])
    expect(matches('a\\*b', ['a*b', 'axb'])).toEqual(['a*b'])
    expect(matches('+x', ['+x', 'x'])).toEqual(['+x'])
  })

  it('decides in order: a negation excludes what the patterns before it matched, a later pattern includes again', () => {
    const list = ['release/**', '!release/experimental/**', 'release/experimental/keep']
    expect(matches(list, ['release/1.0', 'release/experimental/x', 'release/experimental/keep', 'some-random-branch'])).toEqual([
      'release/1.0',
      'release/experimental/keep',
    ])
    // A negation before any positive pattern excludes nothing.
    expect(matches(['!main', '**'], ['main', 'dev'])).toEqual(['main', 'dev'])
  })

  it('takes time in proportion to the name, whatever the pattern: a pushed branch name cannot stall it', () => {
    // As regular expressions these backtracked: 400 characters took ~4 minutes.
    const name = 'a'.repeat(5_000)
    for (const pattern of ['*a*a*a*a*b', 'a+a+a+a+b', '**-**-**-**-x', '**/*-*-*']) expect(matchesFilter([pattern], name)).toBe(false)
    expect(matchesFilter(['*a*a*a*a*'], name)).toBe(true)
  }, 2_000)

  it('reads names beyond ASCII, and line separators, as characters like any other', () => {
    expect(matches('feature/**', ['feature/\u2028x', 'feature/é😀'])).toEqual(['feature/\u2028x', 'feature/é😀'])
    expect(matches('v😀+', ['v😀😀', 'v😀', 'v'])).toEqual(['v😀😀', 'v😀'])
  })

  it('refuses what GitHub refuses, saying why', () => {
    expect(filterPatternProblem('release/[')).toMatch(/'\[' without its '\]'/)
    expect(filterPatternProblem('v[]')).toMatch(/brackets hold letters, digits and ranges/)
    expect(filterPatternProblem('v[.]')).toMatch(/brackets hold letters, digits and ranges/)
    expect(filterPatternProblem('v[9-0]')).toMatch(/backwards/)
    expect(filterPatternProblem('a\\')).toMatch(/lone \\/)
    expect(filterPatternProblem('!')).toBe('is empty')
    expect(filterPatternProblem('!release/**')).toBeUndefined()
    expect(filterListProblem(['!main'])).toMatch(/only patterns starting with !/)
    expect(filterListProblem(['**', '!main'])).toBeUndefined()
    // GitHub reads the list in order: a ! before the patterns it means to exclude from excludes nothing.
    expect(filterListProblem(['!release/experimental/**', 'release/**'])).toMatch(
      /starts with "!release\/experimental\/\*\*", which excludes nothing there.*move it after "release\/\*\*"/,
    )
    expect(filterListProblem(['release/**', '!release/experimental/**', 'main'])).toBeUndefined()
  })
})
