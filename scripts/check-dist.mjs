// Rebuilds every action into a temporary directory and compares it with the committed dist/.
// The bundles are what users run, so a source change without a rebuild must not land.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ROOT } from './actions.mjs'

const fresh = mkdtempSync(path.join(tmpdir(), 'check-dist-'))
const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--out', fresh], { stdio: 'inherit' })
if (r.status !== 0) process.exit(r.status ?? 1)

const list = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    : []
const committed = new Set(list(path.join(ROOT, 'dist')))
const built = new Set(list(fresh))
const stale = []
for (const f of built) {
  if (!committed.has(f)) stale.push(`missing: dist/${f}`)
  else if (!readFileSync(path.join(fresh, f)).equals(readFileSync(path.join(ROOT, 'dist', f)))) stale.push(`differs: dist/${f}`)
}
for (const f of committed) if (!built.has(f)) stale.push(`extra:   dist/${f}`)
rmSync(fresh, { recursive: true, force: true })
if (stale.length) {
  console.error(`check-dist: dist/ is stale; run npm run build and commit dist/.\n  ${stale.join('\n  ')}`)
  process.exit(1)
}
console.log(`check-dist: dist/ matches the sources (${built.size} files).`)
