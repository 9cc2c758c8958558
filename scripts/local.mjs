// npm run local -- <action> [--input name=value ...] [--event file.json] [--event-name name]
//                           [--env NAME=value ...] [--seed-comment login:text ...]
// --seed-comment puts a comment on the event's pull request (or input pr-number) before the run,
// as if `login` had written it: to see what the action does with comments already there.
// Runs dist/<action> as the runner would, against a local stand-in of the GitHub API, and
// prints the outputs, the job summary and every comment the action left on the PR.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { FakeGitHub } from '../test/support/fake-github.mjs'
import { actionNames } from './actions.mjs'
import { runAction } from './run-action.mjs'

const args = process.argv.slice(2)
const action = args.shift()
const known = actionNames()
if (!action || !known.includes(action)) {
  console.error(`usage: npm run local -- <${known.join('|')}> [--input name=value ...] [--event examples/events/<file>.json]`)
  process.exit(2)
}
const inputs = {}
const env = {}
let event
let eventName
const seeds = []
for (let i = 0; i < args.length; i++) {
  const flag = args[i]
  const value = args[++i]
  if (value === undefined) usage(`${flag} needs a value`)
  if (flag === '--input' || flag === '-i') {
    const at = value.indexOf('=')
    if (at < 1) usage(`--input takes name=value, got ${value}`)
    inputs[value.slice(0, at)] = value.slice(at + 1)
  } else if (flag === '--env') {
    const at = value.indexOf('=')
    env[value.slice(0, at)] = value.slice(at + 1)
  } else if (flag === '--event') event = path.resolve(value)
  else if (flag === '--event-name') eventName = value
  else if (flag === '--seed-comment') {
    const at = value.indexOf(':')
    if (at < 1) usage(`--seed-comment takes login:text, got ${value}`)
    seeds.push({ login: value.slice(0, at), body: value.slice(at + 1).replace(/\\n/g, '\n') })
  } else usage(`unknown option ${flag}`)
}

function usage(message) {
  console.error(`local: ${message}`)
  process.exit(2)
}

const github = await new FakeGitHub().start()
try {
  if (seeds.length) {
    const payload = event ? JSON.parse(readFileSync(event, 'utf8')) : {}
    const pr = Number(inputs['pr-number'] ?? payload.pull_request?.number ?? payload.issue?.number)
    if (!Number.isInteger(pr)) usage('--seed-comment needs a pull request: an event with one, or --input pr-number=N')
    const [owner, repo] = (payload.repository?.full_name ?? 'acme/infra').split('/')
    for (const { login, body } of seeds) github.addComment(owner, repo, pr, body, login)
  }
  const result = await runAction({ action, inputs, event, eventName, env, apiUrl: github.url })
  const rule = (title) => console.log(`\n\x1b[1m── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\x1b[0m`)
  rule(`${action}: log`)
  process.stdout.write(result.stdout + result.stderr)
  rule('outputs')
  for (const [k, v] of Object.entries(result.outputs)) console.log(`${k}=${v.length > 300 ? `${v.slice(0, 300)}…` : v}`)
  if (result.summary.trim()) {
    rule('job summary')
    console.log(result.summary.trim())
  }
  for (const [issue, comments] of github.comments) {
    for (const c of comments) {
      rule(`comment on ${issue} by ${c.user.login}`)
      console.log(c.body)
    }
  }
  rule(`exit code ${result.exitCode}`)
  console.log(`(the runner's files, RUNNER_TEMP included, are kept in ${result.tmp})`)
  process.exitCode = result.exitCode
} finally {
  await github.stop()
}
