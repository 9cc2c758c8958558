import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const local = (args: string[]) =>
  run(process.execPath, ['scripts/local.mjs', ...args], { encoding: 'utf8' }).catch(
    (e: { stdout: string; stderr: string; code: number }) => e,
  )

describe('npm run local', () => {
  it('accepts every option its header documents', async () => {
    const header = readFileSync('scripts/local.mjs', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .join('\n')
    const options = [...new Set(header.match(/--[a-z][a-z-]+/g))]
    expect(options).toEqual(expect.arrayContaining(['--input', '--event', '--event-name', '--env', '--seed-comment']))
    for (const option of options) {
      const r = await local([
        'resolve-environment',
        option,
        option === '--event' ? 'examples/events/pull_request.opened.main.json' : 'x=y:z',
      ])
      expect(`${r.stdout}${r.stderr}`, option).not.toMatch(/unknown option/)
    }
  })

  it('seeds a comment that plan-comment then updates in place', async () => {
    const r = await local([
      'plan-comment',
      '--input',
      'plan-json=examples/plans/pr-replace.json',
      '--event',
      'examples/events/pull_request.opened.main.json',
      '--seed-comment',
      'github-actions[bot]:<!-- infra-actions:plan-comment:key=. -->\\nan older plan',
    ])
    expect(r.stdout).toMatch(/PR #42: comment updated/)
    expect(r.stdout.match(/── comment on acme\/infra#42/g)).toHaveLength(1)
  })
})
