// npm run build [-- --out DIR] [action ...]
// Bundles each action with @vercel/ncc into DIR/<action>/index.js (default dist/), then runs
// every bundle once: a bundle that compiles but cannot load (the CommonJS/ESM trap, a missing
// chunk) fails here, not on a user's runner.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, renameSync, rmSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT, actionNames } from './actions.mjs'

const args = process.argv.slice(2)
const outIndex = args.indexOf('--out')
const out = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : path.join(ROOT, 'dist')
const wanted = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out')
const names = wanted.length ? wanted : actionNames()
const ncc = path.join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

for (const name of names) {
  const dir = path.join(out, name)
  // Built beside the old bundle and swapped in only when it compiled and runs.
  const next = `${dir}.next`
  rmSync(next, { recursive: true, force: true })
  const started = Date.now()
  bundle(name, 'index.ts', next, dir)
  smokeTest(name, next)
  // A post step (runs.post) is its own bundle in <action>/post/, built the same way.
  if (existsSync(path.join(ROOT, 'actions', name, 'src', 'post.ts'))) {
    bundle(name, 'post.ts', path.join(next, 'post'), dir)
    smokeTest(`${name} (post)`, path.join(next, 'post'), next)
  }
  rmSync(dir, { recursive: true, force: true })
  renameSync(next, dir)
  const size = readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + statSync(path.join(dir, f)).size, 0)
  console.log(`build: ${name} → ${path.relative(ROOT, dir) || dir} (${(size / 1024).toFixed(0)} KiB of JS, ${Date.now() - started} ms)`)
}

// ncc: actions/<name>/src/<entry> → out/index.js (+ chunks); on failure the old bundle stays.
function bundle(name, entry, out, dir) {
  const r = spawnSync(
    process.execPath,
    [
      ncc,
      'build',
      path.join(ROOT, 'actions', name, 'src', entry),
      '-o',
      out,
      '--minify',
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2023',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  )
  if (r.status !== 0) {
    rmSync(`${dir}.next`, { recursive: true, force: true })
    console.error(`build: ncc failed for ${name} (${entry}); ${path.relative(ROOT, dir) || dir} is unchanged`)
    process.exit(1)
  }
}

// Run the bundle with no inputs in an empty workspace. It must load and fail cleanly with one
// ::error:: line (its inputs are missing), never with a module-resolution error.
// `remove` is what goes when it does not run (the whole new build).
function smokeTest(name, dir, remove = dir) {
  const tmp = mkdtempSync(path.join(tmpdir(), `smoke-${name}-`))
  const output = path.join(tmp, 'output')
  writeFileSync(output, '')
  const r = spawnSync(process.execPath, [path.join(dir, 'index.js')], {
    cwd: tmp,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, RUNNER_TEMP: tmp },
    timeout: 20_000,
  })
  rmSync(tmp, { recursive: true, force: true })
  const text = `${r.stdout}\n${r.stderr}`
  const broken = /Cannot find module|ERR_MODULE_NOT_FOUND|ERR_REQUIRE_ESM|SyntaxError|is not defined|webpackMissingModule/.test(text)
  if (broken || r.status === null || (r.status !== 0 && !/::error::/.test(r.stdout))) {
    rmSync(remove, { recursive: true, force: true })
    console.error(`build: the ${name} bundle does not run:\n${text}`)
    process.exit(1)
  }
}
