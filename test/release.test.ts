import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const check = (...args: string[]): { ok: boolean; out: string } => {
  try {
    return { ok: true, out: execFileSync(process.execPath, ['scripts/release-check.mjs', ...args], { encoding: 'utf8', stdio: 'pipe' }) }
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr) }
  }
}

describe('scripts/release-check.mjs (run by release.yml)', () => {
  it('passes the version package.json and CHANGELOG.md describe, and writes its notes', () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string
    const notes = path.join(mkdtempSync(path.join(tmpdir(), 'rel-')), 'notes.md')
    const r = check(`v${version}`, '--notes', notes)
    expect(r.ok, r.out).toBe(true)
    expect(readFileSync(notes, 'utf8')).toMatch(/^### /)
  })

  it('refuses a tag that is not semver, a version without notes, and another version than package.json', () => {
    expect(check('v1')).toMatchObject({ ok: false, out: expect.stringMatching(/not a release tag/) })
    expect(check('v9.9.9')).toMatchObject({ ok: false, out: expect.stringMatching(/no '## \[9\.9\.9\]' section/) })
  })
})
