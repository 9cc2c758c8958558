// npm run demo: the Terraform pull-request flow on the bundled examples, with no cloud, no token
// and no network. A PR into main (examples/events/pull_request.opened.main.json) whose plan
// replaces one Cloud Run service (examples/plans/pr-replace.json) goes through
//   resolve-environment → plan-comment → destroy-gate → scan-report
// exactly as the runner would run the built actions; comments go to a local GitHub stand-in. The
// scan step reads the example Trivy and Checkov results of examples/scans/.
import { rmSync } from 'node:fs'
import path from 'node:path'
import { FakeGitHub } from '../test/support/fake-github.mjs'
import { ROOT } from './actions.mjs'
import { runAction } from './run-action.mjs'

const event = path.join(ROOT, 'examples/events/pull_request.opened.main.json')
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s)
const rule = (title) => console.log(`\n${bold(`━━ ${title} ${'━'.repeat(Math.max(0, 72 - title.length))}`)}`)
const github = await new FakeGitHub().start()
const common = { event, apiUrl: github.url, cwd: ROOT, env: { GITHUB_WORKSPACE: ROOT, GITHUB_ACTOR: 'alice' } }
const runs = []

try {
  rule('1. resolve-environment: which environment, and what to do there?')
  const env = await runAction({ ...common, action: 'resolve-environment', inputs: { config: 'examples/environments.yml' } })
  runs.push(env)
  if (env.exitCode !== 0) throw new Error(`resolve-environment failed:\n${env.stdout}${env.stderr}`)
  const o = env.outputs
  console.log(`${o.reason}\n`)
  for (const k of [
    'environment',
    'operation',
    'approval-required',
    'validation-level',
    'tfvars-file',
    'state-key',
    'image-tag',
    'trusted',
    'sha',
  ])
    console.log(`  ${k.padEnd(18)} ${o[k]}`)

  rule(`2. plan-comment: the PR comment for ${o.environment}`)
  const plan = await runAction({
    ...common,
    action: 'plan-comment',
    inputs: { 'plan-json': 'examples/plans/pr-replace.json', environment: o.environment },
  })
  runs.push(plan)
  if (plan.exitCode !== 0) throw new Error(`plan-comment failed:\n${plan.stdout}${plan.stderr}`)
  const [comment] = github.commentsOf('acme', 'infra', 42)
  console.log(`(posted to PR #42 as ${comment.user.login}; outputs: summary="${plan.outputs.summary}", replace=${plan.outputs.replace})\n`)
  console.log(comment.body)

  rule(`3. destroy-gate: may this plan be applied to ${o.environment}?`)
  const gate = await runAction({
    ...common,
    action: 'destroy-gate',
    inputs: { 'plan-json': 'examples/plans/pr-replace.json', policy: 'examples/destroy-policy.yml', environment: o.environment },
  })
  runs.push(gate)
  const verdict = gate.outputs.allowed === 'true' ? 'ALLOWED' : 'BLOCKED'
  console.log(`${bold(verdict)} (exit code ${gate.exitCode}): ${gate.outputs.reason}`)
  for (const line of gate.stdout.split('\n').filter((l) => l.startsWith('::error::') || l.startsWith('::warning::')))
    console.log(`  ${line}`)
  console.log(`\nTo let it through: a maintainer adds the label 'allow-destroy' to the PR, or a manual run passes allow-destroy: true.`)
  if (gate.exitCode !== (gate.outputs.allowed === 'true' ? 0 : 1)) throw new Error('destroy-gate exit code and verdict disagree')

  rule('4. scan-report: Trivy and Checkov results of this pull request')
  const scan = await runAction({
    ...common,
    action: 'scan-report',
    inputs: { trivy: 'examples/scans/trivy.json', checkov: 'examples/scans/checkov.json', 'ignore-file': 'examples/scans/scan-ignore.yml' },
  })
  runs.push(scan)
  const scanVerdict = scan.outputs.failed === 'true' ? 'FAILED' : scan.outputs.failed === 'false' ? 'PASSED' : undefined
  if (!scanVerdict) throw new Error(`scan-report failed:\n${scan.stdout}${scan.stderr}`)
  console.log(`${bold(scanVerdict)} (exit code ${scan.exitCode}): ${scan.outputs.summary}`)
  for (const line of scan.stdout.split('\n').filter((l) => /^::(error|warning|notice)/.test(l))) console.log(`  ${line}`)
  const scanComment = github.commentsOf('acme', 'infra', 42).find((c) => c.body.startsWith('<!-- infra-actions:scan-report:'))
  console.log(`\n(posted to PR #42; merged SARIF for code scanning: ${path.basename(scan.outputs['sarif-file'])})\n`)
  console.log(scanComment.body)
  if (scan.exitCode !== (scanVerdict === 'FAILED' ? 1 : 0)) throw new Error('scan-report exit code and verdict disagree')
  rule('done: four built actions, one pull request, no network')
} finally {
  await github.stop()
  for (const r of runs) rmSync(r.tmp, { recursive: true, force: true })
}
