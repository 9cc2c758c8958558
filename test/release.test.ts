import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'

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

describe("release.yml's check that the tagged commit is on main", () => {
  // The step's own script, run in a repository with a main and an unreviewed side branch.
  const workflow = parseYaml(readFileSync('.github/workflows/release.yml', 'utf8')) as {
    jobs: { release: { steps: { name?: string; run?: string }[] } }
  }
  const script = workflow.jobs.release.steps.find((s) => s.name === 'The tagged commit is on main')!.run!
  const repo = mkdtempSync(path.join(tmpdir(), 'release-main-'))
  // An identity of its own: a fresh machine has none, and annotated tags need one.
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8', stdio: 'pipe' })
  git('init', '-q', '-b', 'main')
  git('commit', '-q', '--allow-empty', '-m', 'on main')
  git('tag', '-a', 'v1.0.2', '-m', 'v1.0.2')
  git('update-ref', 'refs/remotes/origin/main', 'HEAD')
  git('checkout', '-q', '-b', 'side')
  git('commit', '-q', '--allow-empty', '-m', 'not reviewed')
  git('tag', '-a', 'v1.0.1', '-m', 'v1.0.1')
  const step = (tag: string) => {
    try {
      return {
        ok: true,
        out: execFileSync('bash', ['-e', '-c', script], { cwd: repo, env: { ...process.env, TAG: tag }, encoding: 'utf8' }),
      }
    } catch (error) {
      return { ok: false, out: String((error as { stdout?: string }).stdout) }
    }
  }

  it('passes a tag on a commit of main, and stops one on a commit main does not hold', () => {
    expect(step('v1.0.2').ok).toBe(true)
    expect(step('v1.0.1')).toEqual({ ok: false, out: expect.stringContaining('::error::v1.0.1 is on a commit that main does not hold') })
  })

  it('stops a tag older than the newest release of its major: v1 never moves back', () => {
    git('checkout', '-q', 'main')
    git('commit', '-q', '--allow-empty', '-m', 'v1.10.0 on main')
    git('tag', '-a', 'v1.10.0', '-m', 'v1.10.0')
    git('update-ref', 'refs/remotes/origin/main', 'HEAD')
    // v1.0.2 is on main, but v1.10.0 is newer (a version sort, not a text sort: 1.10 > 1.9).
    expect(step('v1.0.2')).toEqual({ ok: false, out: expect.stringContaining('::error::v1.0.2 is not the newest v1 release (v1.10.0 is)') })
    expect(step('v1.10.0').ok).toBe(true)
  })
})
