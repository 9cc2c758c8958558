// npm run bench [-- --resources 10000 --runs 5]
// 1. Cold start: each action with nothing to do, against a bare `node -e 0`.
// 2. Bundle sizes.
// 3. plan-comment on a generated plan of N resource changes (about 70 MB for 10,000), the whole
//    action (parse, render, budget, job summary, PR comment to the local GitHub stand-in)
//    against a bare JSON.parse of the same file: wall time and peak RSS, medians of --runs.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeGitHub } from '../test/support/fake-github.mjs'
import { actionNames, ROOT } from './actions.mjs'
import { generatePlan } from './generate-plan.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const N = arg('resources', 10000)
const RUNS = arg('runs', 5)
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-'))
const rssHook = path.join(ROOT, 'scripts', 'bench-rss.mjs')

function measure(args, env = {}) {
  const rssFile = path.join(tmp, `rss-${Math.random()}`)
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, ['--import', rssHook, ...args], {
      env: { PATH: process.env.PATH, BENCH_RSS_FILE: rssFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      let rss = NaN
      try {
        rss = Number(readFileSync(rssFile, 'utf8'))
      } catch {
        // The child died before its exit hook ran: reported as NaN.
      }
      resolve({ ms, rss, code, out })
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mib = (b) => `${(b / 1024 / 1024).toFixed(0)} MiB`
async function repeat(n, fn) {
  const results = []
  for (let i = 0; i < n; i++) results.push(await fn())
  return { ms: median(results.map((r) => r.ms)), rss: median(results.map((r) => r.rss)), last: results.at(-1) }
}

function runnerEnv(extra) {
  const files = Object.fromEntries(['output', 'summary', 'state'].map((n) => [n, path.join(tmp, `${n}-${Math.random()}`)]))
  for (const f of Object.values(files)) writeFileSync(f, '')
  return {
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: tmp,
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_RUN_ID: '1',
    GITHUB_SHA: 'a'.repeat(40),
    ...extra,
  }
}

const lines = []
const say = (s = '') => {
  lines.push(s)
  console.log(s)
}

// 1. Cold start.
const pushEvent = path.join(tmp, 'push.json')
writeFileSync(
  pushEvent,
  JSON.stringify({ ref: 'refs/heads/feature/x', after: 'b'.repeat(40), deleted: false, repository: { full_name: 'acme/infra' } }),
)
const bare = await repeat(15, () => measure(['-e', '0']))
const cold = await repeat(15, () =>
  measure(
    [path.join(ROOT, 'dist/resolve-environment/index.js')],
    runnerEnv({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: pushEvent,
      GITHUB_REF: 'refs/heads/feature/x',
      GITHUB_WORKSPACE: tmp,
      INPUT_CONFIG: '.github/environments.yml',
      'INPUT_REQUIRE-MATCH': 'false',
    }),
  ),
)
if (cold.last.code !== 0) throw new Error(`resolve-environment failed: ${cold.last.out}`)
say(`## Cold start (Node ${process.version}, median of 15)`)
say()
say('| | wall time | over bare node |')
say('| --- | ---: | ---: |')
say(`| \`node -e 0\` | ${bare.ms.toFixed(0)} ms | |`)
say(`| resolve-environment, push that matches no rule | ${cold.ms.toFixed(0)} ms | +${(cold.ms - bare.ms).toFixed(0)} ms |`)
say()

// 2. Bundle sizes.
say('## Bundle sizes')
say()
say('| action | entry (loaded at start) | all chunks |')
say('| --- | ---: | ---: |')
for (const name of actionNames()) {
  const dir = path.join(ROOT, 'dist', name)
  const js = readdirSync(dir).filter((f) => f.endsWith('.js'))
  const total = js.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0)
  say(`| ${name} | ${(statSync(path.join(dir, 'index.js')).size / 1024).toFixed(0)} KiB | ${(total / 1024).toFixed(0)} KiB |`)
}
say()

// 3. A large plan.
const planFile = path.join(tmp, 'plan.json')
await generatePlan(N, planFile)
const size = statSync(planFile).size
const gh = await new FakeGitHub().start()
const prEvent = path.join(tmp, 'pr.json')
writeFileSync(
  prEvent,
  JSON.stringify({
    action: 'opened',
    number: 1,
    pull_request: { number: 1, head: { sha: 'c'.repeat(40), ref: 'f' }, base: { ref: 'main' } },
    repository: { full_name: 'acme/infra' },
  }),
)
const runParse = () => measure(['-e', `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(planFile)}, 'utf8'))`])
const runAction = (mode = 'update') =>
  measure(
    [path.join(ROOT, 'dist/plan-comment/index.js')],
    runnerEnv({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: prEvent,
      GITHUB_API_URL: gh.url,
      'INPUT_PLAN-JSON': planFile,
      'INPUT_GITHUB-TOKEN': 'ghs_bench',
      'INPUT_COMMENT-MODE': mode,
      'INPUT_MAX-LENGTH': '65536',
      INPUT_ARTIFACT: 'false',
      'INPUT_WORKING-DIRECTORY': '.',
      'INPUT_TERRAFORM-BINARY': 'terraform',
      INPUT_MODE: 'single',
      INFRA_ACTIONS_RETRY_BASE_MS: '5',
    }),
  )
// Interleaved, so a noisy neighbour slows both sides alike; medians of each.
const parses = []
const actions = []
const offline = []
for (let i = 0; i < RUNS; i++) {
  parses.push(await runParse())
  actions.push(await runAction())
  offline.push(await runAction('off'))
}
const local = { ms: median(offline.map((r) => r.ms)), rss: median(offline.map((r) => r.rss)) }
const parse = { ms: median(parses.map((r) => r.ms)), rss: median(parses.map((r) => r.rss)) }
const action = { ms: median(actions.map((r) => r.ms)), rss: median(actions.map((r) => r.rss)), last: actions.at(-1) }
await gh.stop()
if (action.last.code !== 0) throw new Error(`plan-comment failed: ${action.last.out}`)
const comment = gh.commentsOf('acme', 'infra', 1)[0]
say(`## plan-comment on ${N.toLocaleString('en-US')} resource changes (${mib(size)} of plan JSON, median of ${RUNS})`)
say()
say('| | wall time | peak RSS |')
say('| --- | ---: | ---: |')
say(`| bare \`JSON.parse\` of the file | ${parse.ms.toFixed(0)} ms | ${mib(parse.rss)} |`)
say(
  `| the whole action (comment of ${comment.body.length.toLocaleString('en-US')} chars, job summary, outputs) | ${action.ms.toFixed(0)} ms | ${mib(action.rss)} |`,
)
say(`| ratio | **${(action.ms / parse.ms).toFixed(2)}×** | **${(action.rss / parse.rss).toFixed(2)}×** |`)
say(
  `| the same with \`comment-mode: off\` (no API client loaded) | ${local.ms.toFixed(0)} ms (${(local.ms / parse.ms).toFixed(2)}×) | ${mib(local.rss)} (${(local.rss / parse.rss).toFixed(2)}×) |`,
)
rmSync(tmp, { recursive: true, force: true })
