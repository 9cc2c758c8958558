import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// The README's first command must keep working: the four actions on the bundled examples.
describe('npm run demo', () => {
  it('resolves prod, posts the plan comment, blocks the replacement and reports the scans', () => {
    const out = execFileSync(process.execPath, ['scripts/demo.mjs'], { encoding: 'utf8', timeout: 60_000 })
    expect(out).toContain("pull_request opened from feature/api-1.5 into main matched rule 'prod plan'")
    expect(out).toContain('**Plan: 2 to add, 1 to change, 1 to destroy.**')
    expect(out).toContain('BLOCKED (exit code 1): The plan destroys 1 resource (replacements included)')
    expect(out).not.toContain('s3cr3t-db-pass')
    // The scan step: the verdict, the annotations and the comment of the bundled Trivy and Checkov results.
    expect(out).toContain('FAILED (exit code 1): 7 findings (1 critical, 3 high, 3 medium); 2 suppressed: failed: 4 at or above high.')
    expect(out).toContain('::error title=CRITICAL gcp-service-account (Trivy),file=services/api/.env.example,line=4,endLine=4::')
    expect(out).toContain('<!-- infra-actions:scan-report:key=scan-report -->')
    expect(out).toContain('| 🟦 low | `GCP-0066` | `infra/prod/storage.tf:1` |')
    expect(out).not.toContain('private_key_id')
  })
})
