// Runs a built action the way the GitHub runner does: inputs from action.yml defaults and
// INPUT_* variables, the GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE / GITHUB_ENV files,
// pre → main → post with STATE_* carried over, and the event payload at GITHUB_EVENT_PATH.
// The GitHub API is a local stand-in (FakeGitHub), so nothing leaves this machine.
// Used by `npm run local`, `npm run demo` and the integration tests.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { ROOT } from './actions.mjs'

/** Reads `name<<DELIM ... DELIM` and `name=value` records of a runner file command. */
export function parseFileCommand(text) {
  // Entries, then fromEntries: a name such as __proto__ stays an ordinary key.
  const entries = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      entries.push([name, value.join('\n')])
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      entries.push([line.slice(0, at), line.slice(at + 1)])
    }
  }
  return Object.fromEntries(entries)
}

/** The value of a `${{ }}` default as the runner would give it, for the expressions we use. */
function evaluateDefault(value, context) {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr) => {
    if (expr === 'github.token') return context.token ?? ''
    if (expr === 'github.event.pull_request.number') return String(context.payload?.pull_request?.number ?? '')
    return ''
  })
}

/** The event file's payload; a broken one (a test of how actions handle it) reads as {} here. */
function readPayload(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return {}
  }
}

function eventNameOf(file) {
  return path.basename(file).split('.')[0]
}

/** Runner variables derived from an event payload, as a real run of that event would have. */
export function runnerEnvForEvent(eventName, payload) {
  const env = { GITHUB_EVENT_NAME: eventName }
  const repo = payload.repository?.full_name ?? 'acme/infra'
  env.GITHUB_REPOSITORY = repo
  env.GITHUB_REPOSITORY_OWNER = repo.split('/')[0]
  const pr = payload.pull_request
  if (pr && (eventName === 'pull_request' || eventName === 'pull_request_target')) {
    env.GITHUB_REF = eventName === 'pull_request_target' ? `refs/heads/${pr.base.ref}` : `refs/pull/${pr.number}/merge`
    env.GITHUB_HEAD_REF = pr.head.ref
    env.GITHUB_BASE_REF = pr.base.ref
    env.GITHUB_SHA = eventName === 'pull_request_target' ? (pr.base.sha ?? '') : (pr.merge_commit_sha ?? pr.head.sha)
  } else if (eventName === 'push') {
    env.GITHUB_REF = payload.ref ?? ''
    env.GITHUB_SHA = payload.after ?? ''
  } else if (eventName === 'release') {
    env.GITHUB_REF = `refs/tags/${payload.release?.tag_name ?? ''}`
    env.GITHUB_SHA = ''
  } else if (eventName === 'workflow_run') {
    env.GITHUB_REF = `refs/heads/${payload.repository?.default_branch ?? 'main'}`
    env.GITHUB_SHA = ''
  } else if (eventName === 'merge_group') {
    env.GITHUB_REF = payload.merge_group?.head_ref ?? ''
    env.GITHUB_SHA = payload.merge_group?.head_sha ?? ''
  } else {
    env.GITHUB_REF = payload.ref
      ? String(payload.ref).startsWith('refs/')
        ? payload.ref
        : `refs/heads/${payload.ref}`
      : `refs/heads/${payload.repository?.default_branch ?? 'main'}`
    env.GITHUB_SHA = ''
  }
  env.GITHUB_SHA ||= '0000000000000000000000000000000000000000'
  env.GITHUB_REF_NAME = env.GITHUB_REF.replace(/^refs\/(heads|tags)\//, '')
  env.GITHUB_REF_TYPE = env.GITHUB_REF.startsWith('refs/tags/') ? 'tag' : 'branch'
  env.GITHUB_ACTOR = payload.sender?.login ?? 'octocat'
  env.GITHUB_TRIGGERING_ACTOR = env.GITHUB_ACTOR
  return env
}

/** The runner's cancellation: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that. */
export const RUNNER_CANCEL = [
  ['SIGINT', 0],
  ['SIGTERM', 7500],
  ['SIGKILL', 10000],
]

/**
 * @param {{ action: string, inputs?: Record<string,string>, event?: string, eventName?: string,
 *   env?: Record<string,string>, apiUrl?: string, token?: string, cwd?: string, distDir?: string,
 *   interrupt?: { when: RegExp, signals?: [string, number][], post?: boolean, before?: () => void }, echo?: boolean }} options
 * `interrupt` cancels the main step as the runner does once its output matches `when` (the
 * signals at their delays, RUNNER_CANCEL by default), after calling `before` (what someone does
 * meanwhile: a change by hand); `post: false` skips the post step, as
 * when the runner itself is lost. Like the runner, a post step runs even when main failed.
 * `echo` also writes the steps' output here as it comes (to watch a long run).
 */
export async function runAction(options) {
  const actionDir = path.join(ROOT, options.action)
  const metadataFile = ['action.yml', 'action.yaml'].map((f) => path.join(actionDir, f)).find(existsSync)
  if (!metadataFile) throw new Error(`No action.yml in ${actionDir}`)
  const metadata = parseYaml(readFileSync(metadataFile, 'utf8'))
  const tmp = mkdtempSync(path.join(tmpdir(), `run-${options.action}-`))
  const files = Object.fromEntries(['output', 'summary', 'state', 'env', 'path'].map((n) => [n, path.join(tmp, n)]))
  for (const f of Object.values(files)) writeFileSync(f, '')
  const payload = options.event ? readPayload(options.event) : {}
  const eventName = options.eventName ?? (options.event ? eventNameOf(options.event) : 'workflow_dispatch')
  const token = options.token ?? 'ghs_local_stand_in_token'
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_EVENT_PATH: options.event ? path.resolve(options.event) : path.join(tmp, 'event.json'),
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '17',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'local',
    GITHUB_JOB: 'local',
    RUNNER_TEMP: tmp,
    RUNNER_OS: 'Linux',
    ...runnerEnvForEvent(eventName, payload),
  }
  if (!options.event) writeFileSync(env.GITHUB_EVENT_PATH, '{}')
  for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
    const given = options.inputs?.[name]
    env[key] = given !== undefined ? given : spec?.default !== undefined ? evaluateDefault(spec.default, { token, payload }) : ''
  }
  for (const name of Object.keys(options.inputs ?? {})) {
    if (!(name in (metadata.inputs ?? {})))
      throw new Error(`${options.action} has no input '${name}' (see ${path.relative(ROOT, metadataFile)})`)
  }
  Object.assign(env, options.env ?? {})
  const distDir = options.distDir ?? ROOT
  const phases = ['pre', 'main', 'post'].filter((p) => metadata.runs?.[p])
  let stdout = ''
  let stderr = ''
  let exitCode = 0
  const codes = {}
  let interruptedAt
  for (const phase of phases) {
    if (phase === 'post' && options.interrupt?.post === false && interruptedAt !== undefined) break
    const state = parseFileCommand(readFileSync(files.state, 'utf8'))
    for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = v
    const script = path.resolve(actionDir, metadata.runs[phase])
    const entry = options.distDir ? path.join(distDir, path.relative(path.join(ROOT, 'dist'), script)) : script
    const interrupt = phase === 'main' ? options.interrupt : undefined
    const r = await spawnNode(entry, env, options.cwd ?? process.cwd(), interrupt, (at) => (interruptedAt = at), options.echo)
    stdout += r.stdout
    stderr += r.stderr
    codes[phase] = r.code
    if (exitCode === 0) exitCode = r.code
    // The runner runs a post step when its main step ran (post-if: always()), not after a failed pre.
    if (phase === 'pre' && r.code !== 0) break
  }
  return {
    exitCode,
    codes,
    interruptedAt,
    stdout,
    stderr,
    outputs: parseFileCommand(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    tmp,
  }
}

function spawnNode(script, env, cwd, interrupt, onInterrupt, echo) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timers = []
    child.stdout.on('data', (d) => {
      stdout += d
      if (echo) process.stdout.write(d)
      if (!interrupt || timers.length || !interrupt.when.test(stdout)) return
      onInterrupt(Date.now())
      interrupt.before?.()
      for (const [signal, afterMs] of interrupt.signals ?? RUNNER_CANCEL) {
        timers.push(setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill(signal), afterMs))
      }
    })
    child.stderr.on('data', (d) => {
      stderr += d
      if (echo) process.stderr.write(d)
    })
    child.on('error', reject)
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t)
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
  })
}
