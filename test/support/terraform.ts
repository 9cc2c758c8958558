import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

/**
 * Real Terraform plans for the tests, from the built-in `terraform_data` resource: no provider to
 * download, local state in a temporary directory. The tests that use them run when `terraform`
 * is on PATH and say plainly when it is not.
 */
const run = promisify(execFile)
const ENV = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' }

function terraformVersion(): string | undefined {
  try {
    return /Terraform v(\S+)/.exec(execFileSync('terraform', ['version'], { encoding: 'utf8', env: ENV }))?.[1]
  } catch {
    return undefined
  }
}

export const terraformVersionOnPath = terraformVersion()
if (!terraformVersionOnPath) console.warn('Real-Terraform tests skipped: no terraform on PATH.')

export type Files = Record<string, string>

/** Applies `before` (when given), then plans `after` into a saved plan file; the directory and the plan file. */
export async function realPlan(files: {
  before?: Files
  after: Files
}): Promise<{ dir: string; planFile: string; json: string; exitCode: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tf-'))
  const write = (set: Files) => {
    for (const [name, text] of Object.entries(set)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      writeFileSync(path.join(dir, name), text)
    }
  }
  const tf = (...args: string[]) => run('terraform', [...args, '-no-color'], { cwd: dir, env: ENV, maxBuffer: 64 << 20 })
  if (files.before) {
    write(files.before)
    await tf('init', '-input=false')
    await tf('apply', '-auto-approve', '-input=false')
    for (const name of Object.keys(files.before)) if (!(name in files.after)) writeFileSync(path.join(dir, name), '')
  }
  write(files.after)
  await tf('init', '-input=false')
  let exitCode = 0
  try {
    await tf('plan', '-out=tfplan', '-input=false')
  } catch (error) {
    // An errored plan exits 1 and is still saved; anything else is a broken fixture.
    exitCode = (error as { code?: number }).code ?? 1
  }
  const { stdout } = await run('terraform', ['show', '-json', 'tfplan'], { cwd: dir, env: ENV, maxBuffer: 64 << 20 })
  return { dir, planFile: path.join(dir, 'tfplan'), json: stdout, exitCode }
}

/** One plan with every case issue #10 names: a move to an unconfigured address, a forget, a replacement by triggers_replace, a sensitive value that becomes unknown, a partly unknown output. */
export const HARDENING_CASES = {
  before: {
    'db/main.tf': 'resource "terraform_data" "main" { input = "db" }\n',
    'main.tf': [
      'module "db" { source = "./db" }',
      'resource "terraform_data" "t" { triggers_replace = "v1" }',
      'resource "terraform_data" "keep" { input = "k" }',
      'resource "terraform_data" "s" { input = { password = sensitive("Zq9!x"), user = "app" } }',
      '',
    ].join('\n'),
  },
  after: {
    'main.tf': [
      'moved {',
      '  from = module.db.terraform_data.main',
      '  to   = terraform_data.gone',
      '}',
      'removed {',
      '  from = terraform_data.keep',
      '  lifecycle { destroy = false }',
      '}',
      'resource "terraform_data" "t" { triggers_replace = "v2" }',
      'resource "terraform_data" "new" { input = { x = 1 } }',
      'resource "terraform_data" "s" { input = terraform_data.new.output }',
      'output "o" { value = { fixed = "a", id = terraform_data.new.id } }',
      '',
    ].join('\n'),
  },
}

/**
 * A secret that only an unchanged resource marks: terraform_data.src (applied) holds it under
 * `sensitive()`, and a new resource and a new output copy its output, which Terraform 1.11 passes
 * on unmarked. src is a no-op in the plan: its marks are the only ones that say the value is secret.
 */
export const NOOP_SECRET = {
  before: { 'main.tf': 'resource "terraform_data" "src" { input = sensitive("hunter2-Sup3rSecret") }\n' },
  after: {
    'main.tf': [
      'resource "terraform_data" "src" { input = sensitive("hunter2-Sup3rSecret") }',
      'resource "terraform_data" "copy" { input = terraform_data.src.output }',
      'output "o" { value = terraform_data.src.output }',
      '',
    ].join('\n'),
  },
}

/** A plan whose precondition fails: Terraform saves it with `errored: true`. */
export const ERRORED_PLAN = {
  after: {
    'main.tf': [
      'variable "want" { default = "x" }',
      'resource "terraform_data" "b" { input = "y" }',
      'resource "terraform_data" "a" {',
      '  input = "x"',
      '  lifecycle {',
      '    precondition {',
      '      condition     = terraform_data.b.input == var.want',
      '      error_message = "the precondition fails"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  },
}

/** A `moved` block that takes an applied resource to an address an ignore pattern (`terraform_data.scratch_*`) covers: a no-op move. */
export const MOVE_INTO_IGNORE = {
  before: { 'main.tf': 'resource "terraform_data" "logs" { input = "keep me" }\n' },
  after: {
    'main.tf': [
      'moved {',
      '  from = terraform_data.logs',
      '  to   = terraform_data.scratch_logs',
      '}',
      'resource "terraform_data" "scratch_logs" { input = "keep me" }',
      '',
    ].join('\n'),
  },
}

/** A `removed` block that lets an applied resource go, and an `import` block adopting an object at an address `terraform_data.scratch_*` covers. */
export const IMPORT_INTO_IGNORE = {
  before: { 'main.tf': 'resource "terraform_data" "db" { input = "keep me" }\n' },
  after: {
    'main.tf': [
      'removed {',
      '  from = terraform_data.db',
      '  lifecycle { destroy = false }',
      '}',
      'import {',
      '  to = terraform_data.scratch_db',
      '  id = "6a0b3c4d-0000-4000-8000-000000000001"',
      '}',
      'resource "terraform_data" "scratch_db" {}',
      '',
    ].join('\n'),
  },
}
