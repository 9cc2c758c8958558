import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

// Each action bundles only what it imports: the library is split by concern so an action that
// never reads a plan or comments carries neither. Checked on the sources' import graph (every
// static and dynamic import) and on the committed bundles' text.
const ROOT = path.resolve('.')
const PACKAGES: Record<string, string> = {
  '@infra-actions/common': 'packages/common/src/index.ts',
  '@infra-actions/common/yaml-config': 'packages/common/src/yaml-config.ts',
  '@infra-actions/common/json-stream': 'packages/common/src/json/index.ts',
  '@infra-actions/github': 'packages/github/src/index.ts',
  '@infra-actions/github/api': 'packages/github/src/api.ts',
  '@infra-actions/github/artifacts': 'packages/github/src/artifacts.ts',
  '@infra-actions/terraform': 'packages/terraform/src/index.ts',
}

/** Every project source file reachable from `entry`, relative to the repository. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(path.join(ROOT, file), 'utf8')
    for (const m of text.matchAll(/(?:^import\s[^'"]*?from\s|^export\s[^'"]*?from\s|^import\s|import\()\s*'([^']+)'/gm)) {
      const spec = m[1]!
      if (/^import type|^export type/.test(m[0])) continue
      if (spec.startsWith('.')) visit(path.join(path.dirname(file), spec.replace(/\.js$/, '.ts')))
      else if (PACKAGES[spec]) visit(PACKAGES[spec])
      else if (spec.startsWith('@infra-actions/')) throw new Error(`${file} imports ${spec}, which this test does not know`)
    }
  }
  visit(entry)
  return seen
}

const graph = (action: string) => [...reachable(`actions/${action}/src/index.ts`)]

describe('what each action bundles', () => {
  it('resolve-environment: no plan reading, no comment code; the API client only', () => {
    const files = graph('resolve-environment')
    expect(files.filter((f) => f.startsWith('packages/terraform/') || f.startsWith('packages/common/src/json/'))).toEqual([])
    expect(files.filter((f) => f.startsWith('packages/github/')).sort()).toEqual([
      'packages/github/src/api-errors.ts',
      'packages/github/src/api.ts',
      'packages/github/src/client.ts',
    ])
  })

  it('destroy-gate: the plan model and the API client, no comment code', () => {
    const files = graph('destroy-gate')
    expect(files).toContain('packages/terraform/src/load.ts')
    expect(files.filter((f) => /comment/.test(f))).toEqual([])
  })

  it('scan-report: the streaming JSON reader, not the plan model', () => {
    const files = graph('scan-report')
    expect(files).toContain('packages/common/src/json/walk.ts')
    expect(files.filter((f) => f.startsWith('packages/terraform/'))).toEqual([])
  })

  it('cloud-run-traffic: neither plans nor GitHub nor the JSON stream reader; google-auth-library only as a dynamic import', () => {
    const files = [...graph('cloud-run-traffic'), ...reachable('actions/cloud-run-traffic/src/post.ts')]
    expect(files.filter((f) => f.startsWith('packages/') && !f.startsWith('packages/common/'))).toEqual([])
    expect(files.filter((f) => f.startsWith('packages/common/src/json/'))).toEqual([])
    const auth = readFileSync(path.join(ROOT, 'actions/cloud-run-traffic/src/auth.ts'), 'utf8')
    expect(auth).toMatch(/await import\('google-auth-library'\)/)
    expect(auth).not.toMatch(/^import .*google-auth-library/m)
  })

  it('the committed bundles agree (strings only the excluded modules contain)', () => {
    const bundle = (action: string): string =>
      readdirSync(path.join(ROOT, 'dist', action))
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(path.join(ROOT, 'dist', action, f), 'utf8'))
        .join('\n')
    const planReader = 'is not one JSON document'
    const commentCode = 'infra-actions:post='
    expect(existsSync(path.join(ROOT, 'dist/resolve-environment/index.js'))).toBe(true)
    const re = bundle('resolve-environment')
    expect(re).not.toContain(planReader)
    expect(re).not.toContain(commentCode)
    expect(bundle('destroy-gate')).not.toContain(commentCode)
    expect(bundle('plan-comment')).toContain(planReader)
    expect(bundle('plan-comment')).toContain(commentCode)
  })
})
