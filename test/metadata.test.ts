import { readFileSync, readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { execFileSync } from 'node:child_process'

// The public entry points: each action.yml is complete, matches what the code reads and
// writes, and its README's tables are generated from it.
const ROOT = path.resolve('.')
const actions = readdirSync(path.join(ROOT, 'actions')).filter((a) => existsSync(path.join(ROOT, 'actions', a, 'src', 'index.ts')))

function sources(action: string): string {
  const dir = path.join(ROOT, 'actions', action, 'src')
  const own = readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n')
  // Inputs read by a shared reader count for the actions that call it.
  const shared = own.includes('readPlanSource(') ? readFileSync(path.join(ROOT, 'packages/common/src/plan/load.ts'), 'utf8') : ''
  return `${own}\n${shared}`
}

describe.each(actions)('%s/action.yml', (action) => {
  const metadata = parse(readFileSync(path.join(ROOT, action, 'action.yml'), 'utf8'))
  const src = sources(action)

  it('runs the committed bundle on node24, with branding', () => {
    expect(metadata.runs).toEqual({ using: 'node24', main: `../dist/${action}/index.js` })
    expect(existsSync(path.join(ROOT, action, metadata.runs.main))).toBe(true)
    expect(metadata.branding).toMatchObject({ icon: expect.any(String), color: expect.any(String) })
  })

  it('describes every input and output', () => {
    for (const [name, spec] of Object.entries({ ...metadata.inputs, ...metadata.outputs }))
      expect((spec as { description?: string }).description, name).toMatch(/\w{3}/)
  })

  it('declares exactly the inputs the code reads', () => {
    const read = new Set(
      [
        ...src.matchAll(
          /inputs\.(?:string|optionalString|boolean|optionalBoolean|integer|optionalInteger|enumeration|list|has|existingPath|raw|duration|percentage)\(\s*'([a-z-]+)'/g,
        ),
      ].map((m) => m[1]),
    )
    expect([...read].sort()).toEqual(Object.keys(metadata.inputs).sort())
  })

  it('names every output it declares in the code', () => {
    for (const name of Object.keys(metadata.outputs))
      expect(
        src.includes(`'${name}'`) ||
          src.includes(`.${name} = `) ||
          new RegExp(`\\b${name}:`).test(src) ||
          new RegExp(`^\\s+${name}: `, 'm').test(src),
        name,
      ).toBe(true)
  })
})

describe('generated docs', () => {
  it('README tables match action.yml (npm run docs)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/docs.mjs', '--check'], { stdio: 'pipe' })).not.toThrow()
  })
})
