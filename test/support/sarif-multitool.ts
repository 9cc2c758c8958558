import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const MULTITOOL = path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool')

export interface Validation {
  errors: string[]
  warnings: string[]
  notes: number
}

/**
 * Microsoft's SARIF Multitool over a log: the SARIF schema and GitHub's ingestion rules
 * (`--rule-kind "Gh;Sarif"`). Its findings are themselves a SARIF log; a result's level is its
 * own or its rule's default. The tool skips a file whose name does not end in `.sarif` without
 * an error, so the text is always written to one that does, and the run must say it scanned it.
 */
export function validateSarif(text: string): Validation {
  // npm's script policy may have skipped the package's postinstall, which only sets this bit.
  chmodSync(MULTITOOL, 0o755)
  const dir = mkdtempSync(path.join(tmpdir(), 'multitool-'))
  const input = path.join(dir, 'merged.sarif')
  const output = path.join(dir, 'validation.sarif')
  writeFileSync(input, text)
  const stdout = execFileSync(MULTITOOL, ['validate', '--rule-kind', 'Gh;Sarif', '--level', 'Error;Warning;Note', '-o', output, input], {
    encoding: 'utf8',
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  })
  if (!/Done\. 1 files scanned/.test(stdout) || /skipped entirely/.test(stdout))
    throw new Error(`The Multitool did not analyze ${input}:\n${stdout}`)
  const log = JSON.parse(readFileSync(output, 'utf8')) as {
    runs: {
      tool: { driver: { rules?: { id: string; defaultConfiguration?: { level?: string } }[] } }
      results: { ruleId: string; level?: string; message: { id?: string; arguments?: string[] } }[]
    }[]
  }
  const run = log.runs[0]!
  const defaults = new Map((run.tool.driver.rules ?? []).map((r) => [r.id, r.defaultConfiguration?.level ?? 'warning']))
  const out: Validation = { errors: [], warnings: [], notes: 0 }
  for (const r of run.results) {
    const level = r.level ?? defaults.get(r.ruleId) ?? 'warning'
    const line = `${r.ruleId} ${(r.message.arguments ?? []).join(' | ')}`
    if (level === 'error') out.errors.push(line)
    else if (level === 'warning') out.warnings.push(line)
    else out.notes++
  }
  return out
}
