// node scripts/release-check.mjs v1.2.3 [--notes FILE]
// Before a release: the version is semver; CHANGELOG.md has a section for it (its text is the
// release notes, written to --notes); package.json says the same version; and every reference to
// this repository's actions and workflows (workflows, templates, composite actions, READMEs)
// names the release's major (`@v1`), so a release never ships workflows that call another major.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { ROOT, publicActions } from './actions.mjs'

const [tag] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const notesAt = process.argv.indexOf('--notes')
const fail = (message) => {
  console.error(`release-check: ${message}`)
  process.exit(1)
}
const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag ?? '')
if (!match) fail(`'${tag ?? ''}' is not a release tag (vMAJOR.MINOR.PATCH)`)
const version = tag.slice(1)
const major = `v${match[1]}`

const changelog = readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')
const heading = changelog.split('\n').findIndex((l) => l.startsWith(`## [${version}]`))
if (heading < 0) fail(`CHANGELOG.md has no '## [${version}]' section: move the Unreleased notes under it`)
const lines = changelog.split('\n')
const end = lines.findIndex((l, i) => i > heading && l.startsWith('## '))
const notes = lines
  .slice(heading + 1, end < 0 ? undefined : end)
  .join('\n')
  .trim()
if (!notes) fail(`the CHANGELOG.md section for ${version} is empty`)

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
if (pkg.version !== version) fail(`package.json says ${pkg.version}, the tag says ${version}`)

const files = [
  ...['.github/workflows', 'workflow-templates'].flatMap((d) =>
    existsSync(path.join(ROOT, d))
      ? readdirSync(path.join(ROOT, d))
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => path.join(d, f))
      : [],
  ),
  ...publicActions().flatMap((a) => [path.join(a, 'action.yml'), path.join(a, 'README.md')]),
  'README.md',
]
const wrong = []
for (const file of files) {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
  for (const m of text.matchAll(/org\/infra-actions\/[\w./-]+@([\w.-]+)/g)) if (m[1] !== major) wrong.push(`${file}: ${m[0]}`)
}
if (wrong.length) fail(`these reference another version than ${major}:\n  ${wrong.join('\n  ')}`)
if (notesAt > 0) writeFileSync(process.argv[notesAt + 1], `${notes}\n`)
console.log(`release-check: ${tag} is ready (${files.length} files reference ${major})`)
