// npm run docs: writes the inputs and outputs tables of each <action>/README.md from its
// action.yml, between <!-- action-docs:start --> and <!-- action-docs:end -->.
// `node scripts/docs.mjs --check` fails when a README is out of date (run by the tests).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { ROOT, publicActions } from './actions.mjs'

const START = '<!-- action-docs:start -->'
const END = '<!-- action-docs:end -->'
const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .trim()

export function renderTables(metadata) {
  const inputs = Object.entries(metadata.inputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} | ${spec.default !== undefined ? `\`${cell(spec.default)}\`` : ''} |`,
  )
  const outputs = Object.entries(metadata.outputs ?? {}).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`)
  return [
    START,
    '### Inputs',
    '',
    '| name | description | default |',
    '| --- | --- | --- |',
    ...inputs,
    '',
    '### Outputs',
    '',
    '| name | description |',
    '| --- | --- |',
    ...outputs,
    END,
  ].join('\n')
}

export function updatedReadme(name) {
  const readme = path.join(ROOT, name, 'README.md')
  const metadata = parse(readFileSync(path.join(ROOT, name, 'action.yml'), 'utf8'))
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : ''
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < 0) throw new Error(`${name}/README.md has no ${START} … ${END} section`)
  return { readme, current: text, next: `${text.slice(0, start)}${renderTables(metadata)}${text.slice(end + END.length)}` }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check')
  let stale = 0
  for (const name of publicActions()) {
    const { readme, current, next } = updatedReadme(name)
    if (current === next) continue
    if (check) {
      console.error(`${path.relative(ROOT, readme)} is out of date: run npm run docs`)
      stale++
    } else writeFileSync(readme, next)
  }
  process.exit(stale ? 1 : 0)
}
