import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// The README's first command must keep working: the three actions on the bundled examples.
describe('npm run demo', () => {
  it('resolves prod, posts the plan comment and blocks the replacement', () => {
    const out = execFileSync(process.execPath, ['scripts/demo.mjs'], { encoding: 'utf8', timeout: 60_000 })
    expect(out).toContain("pull_request opened from feature/api-1.5 into main matched rule 'prod plan'")
    expect(out).toContain('**Plan: 2 to add, 1 to change, 1 to destroy.**')
    expect(out).toContain('BLOCKED (exit code 1): The plan destroys 1 resource (replacements included)')
    expect(out).not.toContain('s3cr3t-db-pass')
  })
})
