// npm run local -- <action> [--input name=value ...] [--event file.json] [--event-name name]
//                           [--env NAME=value ...] [--seed-comment login:text ...]
//                           [--cloud-run healthy|failing-probe|bad-metrics|slow]
// --seed-comment puts a comment on the event's pull request (or input pr-number) before the run,
// as if `login` had written it: to see what the action does with comments already there.
// --cloud-run starts the stand-in of Cloud Run and Cloud Monitoring (test/support/fake-cloud-run.mjs)
// with a service `api` whose new revision is in that state, points cloud-run-traffic at it
// (service, region, project, a token and the endpoints; interval 5s unless given) and streams
// the log while the rollout runs; Ctrl-C cancels it as the runner would (the post step runs).
// Runs dist/<action> as the runner would, against a local stand-in of the GitHub API, and
// prints the outputs, the job summary and every comment the action left on the PR.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { FakeCloudRun } from '../test/support/fake-cloud-run.mjs'
import { FakeGitHub } from '../test/support/fake-github.mjs'
import { actionNames } from './actions.mjs'
import { runAction } from './run-action.mjs'

/** The states of the new revision `--cloud-run` can start from (what the stand-in answers for it). */
const CLOUD_RUN_SCENARIOS = {
  healthy: () => {},
  'failing-probe': (fake) => (fake.health = (revision, { percent }) => (revision === 'api-00042-new' && percent >= 50 ? 503 : 200)),
  'bad-metrics': (fake) => fake.profiles.set('api-00042-new', { errorRate: 0.08 }),
  slow: (fake) => fake.profiles.set('api-00042-new', { latencyMs: 3000 }),
}

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
let cloudRunScenario
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
  } else if (flag === '--cloud-run') {
    if (!Object.hasOwn(CLOUD_RUN_SCENARIOS, value))
      usage(`--cloud-run takes one of ${Object.keys(CLOUD_RUN_SCENARIOS).join(', ')}, got ${value}`)
    cloudRunScenario = value
  } else usage(`unknown option ${flag}`)
}

/** The stand-in, seeded, and what cloud-run-traffic needs to talk to it. */
async function startCloudRun(scenario) {
  const fake = await new FakeCloudRun({ reconcileMs: 800 }).start()
  fake.addService('api', {
    revisions: ['api-00040-pr7', 'api-00041-old', 'api-00042-new'],
    traffic: [
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00041-old', percent: 100, tag: 'stable' },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00040-pr7', percent: 0, tag: 'pr-7' },
    ],
  })
  CLOUD_RUN_SCENARIOS[scenario](fake)
  const defaults = {
    service: 'api',
    region: fake.region,
    project: fake.project,
    'access-token': 'ya29.local-stand-in-token',
    'api-endpoint': fake.url,
    'monitoring-endpoint': fake.url,
    interval: '5s',
    'max-error-rate': '1%',
    'max-latency-p95': '2s',
    'min-requests': '10',
  }
  return { fake, defaults }
}

function usage(message) {
  console.error(`local: ${message}`)
  process.exit(2)
}

const github = await new FakeGitHub().start()
const cloudRun = cloudRunScenario ? await startCloudRun(cloudRunScenario) : undefined
if (cloudRun) {
  Object.assign(inputs, { ...cloudRun.defaults, ...inputs })
  Object.assign(env, {
    INFRA_ACTIONS_RETRY_BASE_MS: '200',
    INFRA_ACTIONS_MIN_METRICS_INTERVAL_MS: '0',
    METADATA_SERVER_DETECTION: 'none',
    ...env,
  })
  // Ctrl-C reaches the action too (same process group): it restores the split, then its post step runs.
  process.on('SIGINT', () => console.log('\n(cancelling: the action restores the starting split)'))
}
try {
  if (seeds.length) {
    const payload = event ? JSON.parse(readFileSync(event, 'utf8')) : {}
    const pr = Number(inputs['pr-number'] ?? payload.pull_request?.number ?? payload.issue?.number)
    if (!Number.isInteger(pr)) usage('--seed-comment needs a pull request: an event with one, or --input pr-number=N')
    const [owner, repo] = (payload.repository?.full_name ?? 'acme/infra').split('/')
    for (const { login, body } of seeds) github.addComment(owner, repo, pr, body, login)
  }
  const rule = (title) => console.log(`\n\x1b[1m── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}\x1b[0m`)
  if (cloudRun) rule(`${action}: log (live)`)
  const result = await runAction({ action, inputs, event, eventName, env, apiUrl: github.url, echo: !!cloudRun })
  if (!cloudRun) {
    rule(`${action}: log`)
    process.stdout.write(result.stdout + result.stderr)
  }
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
  if (cloudRun) {
    rule('Cloud Run stand-in: traffic of api now')
    for (const t of cloudRun.fake.trafficOf('api'))
      console.log(`${t.revision ?? 'LATEST'} ${t.percent ?? 0}%${t.tag ? ` (tag ${t.tag})` : ''}`)
  }
  rule(`exit code ${result.exitCode}`)
  console.log(`(the runner's files, RUNNER_TEMP included, are kept in ${result.tmp})`)
  process.exitCode = result.exitCode
} finally {
  await github.stop()
  await cloudRun?.fake.stop()
}
