// npm run bench [-- --resources 10000 --runs 5 --compare <git-ref or dist directory> ...]
// 1. Cold start: resolve-environment with nothing to do, against a bare `node -e 0`.
// 2. Bundle sizes.
// 3. plan-comment and destroy-gate on generated plans of N resource changes, as Terraform writes
//    them (~140 MB for 10,000) and `resource_changes` alone (~70 MB): the whole action (read,
//    render, budget, job summary, PR comment to the local GitHub stand-in) against a bare
//    JSON.parse of the same file: wall time, CPU time and peak RSS, medians. `--only large`
//    (80,000 changes, ~550 MB) and `--only huge` (~2 GB) check that both actions read plans no
//    string can hold, and are right (not in the default run).
// 4. scan-report on generated results: 100,000 findings across 1,000 files (Trivy JSON, the SARIF
//    of half of that scan as duplicates, Checkov JSON), against a bare JSON.parse of the files.
// 5. cloud-run-traffic against the Cloud Run / Monitoring stand-in: a four-step rollout (a 1 s bake
//    after each step but the last), with and without metric checks; the overhead beyond the bake
//    time per step (process start, credentials, reads, updates, operations, probes, queries,
//    summary, post step), medians.
// Every `--compare` adds the same actions from another build (a git ref's dist/, or a directory
// laid out like dist/), run interleaved with this one, so before/after numbers come from one run.
// `--only cold|sizes|plans|scan-report|cloud-run|large|huge` runs one section.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { FakeCloudRun } from '../test/support/fake-cloud-run.mjs'
import { FakeGitHub } from '../test/support/fake-github.mjs'
import { actionNames, ROOT } from './actions.mjs'
import { changesForSize, generatePlan, parseSize } from './generate-plan.mjs'
import { generateScans } from './generate-scans.mjs'
import { parseFileCommand, runAction } from './run-action.mjs'

const argv = process.argv.slice(2)
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? Number(argv[i + 1]) : fallback
}
const N = arg('resources', 10000)
const RUNS = arg('runs', 5)
const FINDINGS = arg('findings', 100000)
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-'))
const rssHook = path.join(ROOT, 'scripts', 'bench-rss.mjs')
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined
const want = (section) => !only || only === section

/** The builds to measure: this checkout's dist/ first, then each --compare. */
const builds = [{ name: 'this checkout', dist: path.join(ROOT, 'dist') }]
argv.forEach((a, i) => {
  if (a !== '--compare') return
  const what = argv[i + 1]
  if (existsSync(what)) {
    builds.push({ name: what, dist: path.resolve(what) })
    return
  }
  // A git ref: its dist/ extracted with git archive.
  const dir = path.join(tmp, `dist-${builds.length}`)
  mkdirSync(dir)
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(what)} dist | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT })
  builds.push({ name: what, dist: path.join(dir, 'dist') })
})

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
      let cpu = NaN
      try {
        ;({ rss, cpu } = JSON.parse(readFileSync(rssFile, 'utf8')))
      } catch {
        // The child died before its exit hook ran: reported as NaN.
      }
      resolve({ ms, rss, cpu, code, out, env })
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mib = (b) => `${(b / 1024 / 1024).toFixed(0)} MiB`
const summarize = (results) => ({
  ms: median(results.map((r) => r.ms)),
  rss: median(results.map((r) => r.rss)),
  cpu: median(results.map((r) => r.cpu)),
  last: results.at(-1),
})

/** Runs each named measurement `n` times, interleaved; medians per name. */
async function interleaved(n, named) {
  const results = Object.fromEntries(Object.keys(named).map((k) => [k, []]))
  for (let i = 0; i < n; i++) for (const [k, fn] of Object.entries(named)) results[k].push(await fn())
  return Object.fromEntries(Object.entries(results).map(([k, r]) => [k, summarize(r)]))
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

const say = (s = '') => console.log(s)
const expectSuccess = (label, result, codes = [0]) => {
  if (!codes.includes(result.last.code)) throw new Error(`${label} failed (exit ${result.last.code}):\n${result.last.out}`)
}

// The pull_request event of sections 3 and 4.
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

// 1. Cold start.
if (want('cold')) await coldStart()
async function coldStart() {
  const pushEvent = path.join(tmp, 'push.json')
  writeFileSync(
    pushEvent,
    JSON.stringify({ ref: 'refs/heads/feature/x', after: 'b'.repeat(40), deleted: false, repository: { full_name: 'acme/infra' } }),
  )
  const coldEnv = () =>
    runnerEnv({
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: pushEvent,
      GITHUB_REF: 'refs/heads/feature/x',
      GITHUB_WORKSPACE: tmp,
      INPUT_CONFIG: '.github/environments.yml',
      'INPUT_REQUIRE-MATCH': 'false',
    })
  const cold = await interleaved(15, {
    bare: () => measure(['-e', '0']),
    ...Object.fromEntries(builds.map((b) => [b.name, () => measure([path.join(b.dist, 'resolve-environment/index.js')], coldEnv())])),
  })
  say(`## Cold start (Node ${process.version}, median of 15, interleaved)`)
  say()
  say('| | wall time | over bare node |')
  say('| --- | ---: | ---: |')
  say(`| \`node -e 0\` | ${cold.bare.ms.toFixed(0)} ms | |`)
  for (const b of builds) {
    expectSuccess(`resolve-environment (${b.name})`, cold[b.name])
    say(
      `| resolve-environment, push that matches no rule (${b.name}) | ${cold[b.name].ms.toFixed(0)} ms | +${(cold[b.name].ms - cold.bare.ms).toFixed(0)} ms |`,
    )
  }
  say()
}

// 2. Bundle sizes.
if (want('sizes')) bundleSizes()
function bundleSizes() {
  say('## Bundle sizes')
  say()
  say('| action | build | entry (loaded at start) | all chunks |')
  say('| --- | --- | ---: | ---: |')
  for (const name of actionNames()) {
    for (const b of builds) {
      const dir = path.join(b.dist, name)
      if (!existsSync(dir)) continue
      const js = readdirSync(dir).filter((f) => f.endsWith('.js'))
      const total = js.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0)
      say(
        `| ${name} | ${b.name} | ${(statSync(path.join(dir, 'index.js')).size / 1024).toFixed(0)} KiB | ${(total / 1024).toFixed(0)} KiB |`,
      )
    }
  }
  say()
}

// 3. Plans of 10,000 resource changes, in both shapes (scripts/generate-plan.mjs): as Terraform
//    writes them (planned_values and prior_state repeat every object's values, ~140 MB) and
//    resource_changes alone (~70 MB). `--shape terraform|changes` measures one.
const SHAPES = argv.includes('--shape') ? [argv[argv.indexOf('--shape') + 1]] : ['terraform', 'changes']
if (want('plans')) for (const shape of SHAPES) await plans(shape)

/** The environment and inputs of the two plan actions. */
function planRunners(gh, planFile) {
  const prEnv = (extra) =>
    runnerEnv({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: prEvent,
      GITHUB_API_URL: gh.url,
      INFRA_ACTIONS_RETRY_BASE_MS: '5',
      ...extra,
    })
  const planComment = (dist, mode) => () =>
    measure(
      [path.join(dist, 'plan-comment/index.js')],
      prEnv({
        'INPUT_PLAN-JSON': planFile,
        'INPUT_GITHUB-TOKEN': 'ghs_bench',
        'INPUT_COMMENT-MODE': mode,
        'INPUT_MAX-LENGTH': '65536',
        INPUT_ARTIFACT: 'false',
        'INPUT_WORKING-DIRECTORY': '.',
        'INPUT_TERRAFORM-BINARY': 'terraform',
        INPUT_MODE: 'single',
      }),
    )
  const destroyGate =
    (dist, maxDestroy = '-1') =>
    () =>
      measure(
        [path.join(dist, 'destroy-gate/index.js')],
        prEnv({
          'INPUT_PLAN-JSON': planFile,
          'INPUT_MAX-DESTROY': maxDestroy,
          'INPUT_WORKING-DIRECTORY': '.',
          'INPUT_TERRAFORM-BINARY': 'terraform',
        }),
      )
  return { planComment, destroyGate }
}

async function plans(shape) {
  const planFile = path.join(tmp, `plan-${shape}.json`)
  await generatePlan(N, planFile, { shape })
  const size = statSync(planFile).size
  const gh = await new FakeGitHub().start()
  const { planComment, destroyGate } = planRunners(gh, planFile)
  const named = { parse: () => measure(['-e', `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(planFile)}, 'utf8'))`]) }
  for (const b of builds) {
    named[`plan-comment|${b.name}`] = planComment(b.dist, 'update')
    named[`plan-comment off|${b.name}`] = planComment(b.dist, 'off')
    named[`destroy-gate|${b.name}`] = destroyGate(b.dist)
  }
  const big = await interleaved(RUNS, named)
  await gh.stop()
  rmSync(planFile, { force: true })
  const parse = big.parse
  const what = shape === 'terraform' ? 'as Terraform writes them' : '`resource_changes` alone'
  say(`## On ${N.toLocaleString('en-US')} resource changes, ${what} (${mib(size)} of plan JSON, median of ${RUNS}, interleaved)`)
  say()
  say('| | wall time | CPU time | peak RSS | wall / bare parse | CPU / bare parse | RSS / bare parse |')
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  say(`| bare \`JSON.parse\` of the file | ${parse.ms.toFixed(0)} ms | ${parse.cpu.toFixed(0)} ms | ${mib(parse.rss)} | 1 | 1 | 1 |`)
  const ratio = (a, b) => `${(a / b).toFixed(2)}×`
  const row = (label, r) =>
    say(
      `| ${label} | ${r.ms.toFixed(0)} ms | ${r.cpu.toFixed(0)} ms | ${mib(r.rss)} | **${ratio(r.ms, parse.ms)}** | ${ratio(r.cpu, parse.cpu)} | **${ratio(r.rss, parse.rss)}** |`,
    )
  for (const b of builds) {
    expectSuccess(`plan-comment (${b.name})`, big[`plan-comment|${b.name}`])
    expectSuccess(`destroy-gate (${b.name})`, big[`destroy-gate|${b.name}`])
    row(`plan-comment, comment posted (${b.name})`, big[`plan-comment|${b.name}`])
    row(`plan-comment, \`comment-mode: off\` (${b.name})`, big[`plan-comment off|${b.name}`])
    row(`destroy-gate (${b.name})`, big[`destroy-gate|${b.name}`])
  }
  say()
}

// 3b. Plans past what one string can hold: `--only large` (80,000 changes of `resource_changes`
//     alone, ~550 MB) and `--only huge` (~2 GB); `--large-resources N`, `--huge-size 2g`,
//     `--large-shape`/`--huge-shape terraform|changes`. Not part of the default run. Each action
//     runs `--runs` times; its outputs are checked against what the generator wrote (counts and
//     destroyed addresses, a reference that never reads the JSON), and the bare JSON.parse is
//     tried once to show it cannot.
if (only === 'large') await outsized('large', arg('large-resources', 80000), option('large-shape', 'changes'))
if (only === 'huge') {
  const shape = option('huge-shape', 'changes')
  await outsized('huge', changesForSize(parseSize(option('huge-size', '2g')), shape), shape)
}

function option(name, fallback) {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : fallback
}

async function outsized(label, n, shape) {
  const planFile = path.join(tmp, `plan-${label}.json`)
  const started = Date.now()
  const truth = await generatePlan(n, planFile, { shape })
  const size = statSync(planFile).size
  const shapeName = shape === 'terraform' ? 'as Terraform writes them' : '`resource_changes` alone'
  const took = ((Date.now() - started) / 1000).toFixed(0)
  say(
    `## ${label}: ${n.toLocaleString('en-US')} resource changes, ${shapeName} (${mib(size)}, ${(size / 1e6).toFixed(0)} MB; generated in ${took} s)`,
  )
  say()
  const gh = await new FakeGitHub().start()
  const { planComment, destroyGate } = planRunners(gh, planFile)
  const named = { parse: () => measure(['-e', `JSON.parse(require('node:fs').readFileSync(${JSON.stringify(planFile)}, 'utf8'))`]) }
  for (const b of builds) {
    named[`plan-comment|${b.name}`] = planComment(b.dist, 'update')
    named[`destroy-gate|${b.name}`] = destroyGate(b.dist)
    named[`destroy-gate blocking|${b.name}`] = destroyGate(b.dist, '0')
  }
  const results = {}
  for (const [k, fn] of Object.entries(named)) results[k] = await interleaved(k === 'parse' ? 1 : RUNS, { [k]: fn }).then((r) => r[k])
  await gh.stop()
  say('| | exit | wall time | CPU time | peak RSS | right? |')
  say('| --- | ---: | ---: | ---: | ---: | --- |')
  const firstError = (out) => (out.match(/^::error::(.*)$/m)?.[1] ?? '').slice(0, 160)
  const p = results.parse
  const parsed = p.last.code === 0 ? 'parsed' : (p.last.out.match(/(RangeError|Error): [^\n]*/)?.[0] ?? 'failed').slice(0, 120)
  say(`| bare \`JSON.parse\` of the file | ${p.last.code} | ${p.ms.toFixed(0)} ms | ${p.cpu.toFixed(0)} ms | ${mib(p.rss)} | ${parsed} |`)
  const c = truth.counts
  for (const b of builds) {
    for (const [kind, k] of [
      ['plan-comment', `plan-comment|${b.name}`],
      ['destroy-gate, max-destroy -1', `destroy-gate|${b.name}`],
      ['destroy-gate, max-destroy 0', `destroy-gate blocking|${b.name}`],
    ]) {
      const r = results[k]
      const o = readOutputs(r.last)
      const problems = []
      if (kind === 'plan-comment') {
        for (const [name, want] of [
          ['add', c.add],
          ['change', c.change],
          ['destroy', c.destroy],
          ['replace', c.replace],
          ['drift', c.drift],
        ])
          if (o[name] !== String(want)) problems.push(`${name} ${o[name]} ≠ ${want}`)
        if (r.last.code !== 0) problems.push(`exit ${r.last.code}: ${firstError(r.last.out)}`)
      } else {
        const blocking = kind.endsWith(' 0')
        if (o['destroy-count'] !== String(truth.destroyed.length))
          problems.push(`destroy-count ${o['destroy-count']} ≠ ${truth.destroyed.length}`)
        if (o['replace-count'] !== String(c.replace)) problems.push(`replace-count ${o['replace-count']} ≠ ${c.replace}`)
        if (o.allowed !== String(!blocking)) problems.push(`allowed ${o.allowed}: ${o.reason}`)
        let addresses
        try {
          addresses = JSON.parse(o.addresses ?? 'null')
        } catch {
          addresses = undefined
        }
        if (JSON.stringify(addresses) !== JSON.stringify(truth.destroyed)) problems.push('addresses differ from the destroyed ones')
        if (r.last.code !== (blocking ? 1 : 0)) problems.push(`exit ${r.last.code}: ${firstError(r.last.out)}`)
      }
      say(
        `| ${kind} (${b.name}) | ${r.last.code} | ${r.ms.toFixed(0)} ms | ${r.cpu.toFixed(0)} ms | ${mib(r.rss)} | ${problems.length ? `**no**: ${problems.join('; ').slice(0, 300)}` : 'yes'} |`,
      )
    }
  }
  say()
  rmSync(planFile, { force: true })
}

/** The outputs a measured action wrote to its GITHUB_OUTPUT file. */
function readOutputs(result) {
  return result.env?.GITHUB_OUTPUT && existsSync(result.env.GITHUB_OUTPUT)
    ? parseFileCommand(readFileSync(result.env.GITHUB_OUTPUT, 'utf8'))
    : {}
}

// 4. scan-report on 100,000 generated findings.
if (want('scan-report')) await scanReportBench()
async function scanReportBench() {
  const scanDir = path.join(tmp, 'scans')
  mkdirSync(scanDir)
  const scans = generateScans(FINDINGS, 1000, scanDir)
  const bytes = [scans.trivyJson, scans.trivySarif, scans.checkovJson].reduce((n, f) => n + statSync(f).size, 0)
  const gh = await new FakeGitHub().start()
  const scanReport = (dist, mode) => () =>
    measure(
      [path.join(dist, 'scan-report/index.js')],
      runnerEnv({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: prEvent,
        GITHUB_API_URL: gh.url,
        GITHUB_WORKSPACE: scanDir,
        INFRA_ACTIONS_RETRY_BASE_MS: '5',
        INPUT_TRIVY: `${scans.trivyJson}\n${scans.trivySarif}`,
        INPUT_CHECKOV: scans.checkovJson,
        'INPUT_FAIL-ON': 'none',
        'INPUT_CHECKOV-SEVERITY': 'medium',
        'INPUT_IGNORE-FILE': '.github/scan-ignore.yml',
        'INPUT_NEW-ONLY': 'false',
        'INPUT_SARIF-OUTPUT': path.join(tmp, `scan-${Math.random()}.sarif`),
        INPUT_CATEGORY: 'scan-report',
        'INPUT_COMMENT-MODE': mode,
        'INPUT_GITHUB-TOKEN': 'ghs_bench',
        'INPUT_MAX-ANNOTATIONS': '10',
        'INPUT_MAX-LENGTH': '65536',
      }),
    )
  const files = JSON.stringify([scans.trivyJson, scans.trivySarif, scans.checkovJson])
  const named = { parse: () => measure(['-e', `for (const f of ${files}) JSON.parse(require('node:fs').readFileSync(f, 'utf8'))`]) }
  for (const b of builds) {
    if (!existsSync(path.join(b.dist, 'scan-report/index.js'))) continue
    named[`scan-report|${b.name}`] = scanReport(b.dist, 'update')
    named[`scan-report off|${b.name}`] = scanReport(b.dist, 'off')
  }
  const r = await interleaved(RUNS, named)
  await gh.stop()
  say(
    `## scan-report on ${scans.unique.toLocaleString('en-US')} findings across 1,000 files (${mib(bytes)} of Trivy JSON + SARIF and Checkov JSON, ` +
      `${scans.duplicates.toLocaleString('en-US')} duplicates; median of ${RUNS}, interleaved)`,
  )
  say()
  say('| | wall time | CPU time | peak RSS |')
  say('| --- | ---: | ---: | ---: |')
  say(`| bare \`JSON.parse\` of the three files | ${r.parse.ms.toFixed(0)} ms | ${r.parse.cpu.toFixed(0)} ms | ${mib(r.parse.rss)} |`)
  for (const b of builds) {
    if (!r[`scan-report|${b.name}`]) continue
    expectSuccess(`scan-report (${b.name})`, r[`scan-report|${b.name}`])
    expectSuccess(`scan-report off (${b.name})`, r[`scan-report off|${b.name}`])
    for (const [label, k] of [
      ['comment posted', `scan-report|${b.name}`],
      ['`comment-mode: off`', `scan-report off|${b.name}`],
    ])
      say(`| scan-report, ${label} (${b.name}) | ${r[k].ms.toFixed(0)} ms | ${r[k].cpu.toFixed(0)} ms | ${mib(r[k].rss)} |`)
  }
  say()
}

// 5. cloud-run-traffic against the stand-in.
if (want('cloud-run')) await cloudRunTraffic()
async function cloudRunTraffic() {
  const STEPS = [5, 25, 50, 100]
  const BAKE_MS = 1000
  const bakeTotal = BAKE_MS * (STEPS.length - 1)
  const metricInputs = { 'max-error-rate': '1%', 'max-latency-p95': '2s', 'min-requests': '5' }
  const rollout = (dist, inputs) => async () => {
    const fake = await new FakeCloudRun({ reconcileMs: 0 }).start()
    fake.addService('api', {
      revisions: ['api-00001-old', 'api-00002-new'],
      traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'api-00001-old', percent: 100 }],
    })
    const started = process.hrtime.bigint()
    const r = await runAction({
      action: 'cloud-run-traffic',
      distDir: dist,
      cwd: tmp,
      inputs: {
        service: 'api',
        region: fake.region,
        project: fake.project,
        'access-token': 'ya29.bench',
        'api-endpoint': fake.url,
        'monitoring-endpoint': fake.url,
        steps: STEPS.join(','),
        interval: `${BAKE_MS}ms`,
        ...inputs,
      },
      env: { METADATA_SERVER_DETECTION: 'none', INFRA_ACTIONS_MIN_METRICS_INTERVAL_MS: '0' },
    })
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    await fake.stop()
    return { ms, rss: NaN, cpu: NaN, code: r.exitCode, out: r.stdout + r.stderr }
  }
  const named = {}
  for (const b of builds) {
    if (!existsSync(path.join(b.dist, 'cloud-run-traffic'))) continue
    named[`probes|${b.name}`] = rollout(b.dist, {})
    named[`metrics|${b.name}`] = rollout(b.dist, metricInputs)
  }
  const results = await interleaved(RUNS, named)
  say(`## cloud-run-traffic: overhead beyond bake time (steps ${STEPS.join(' → ')}, ${BAKE_MS} ms bakes, median of ${RUNS})`)
  say()
  say('| | wall time | bake time | overhead | overhead per step |')
  say('| --- | ---: | ---: | ---: | ---: |')
  for (const [key, r] of Object.entries(results)) {
    expectSuccess(`cloud-run-traffic (${key})`, r)
    const [kind, build] = key.split('|')
    const label = kind === 'metrics' ? 'probes and metric checks' : 'probes only'
    const over = r.ms - bakeTotal
    say(
      `| ${label} (${build}) | ${r.ms.toFixed(0)} ms | ${bakeTotal} ms | ${over.toFixed(0)} ms | **${(over / STEPS.length).toFixed(0)} ms** |`,
    )
  }
  say()
}

rmSync(tmp, { recursive: true, force: true })
