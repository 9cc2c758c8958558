import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendSummary, ConfigurationError, run, SUMMARY_LIMIT_BYTES } from '../src/index.js'
import { uploadFileArtifact } from '../src/artifacts.js'
import type { ActionContext } from '../src/index.js'

function capture(fn: () => Promise<void>): Promise<string> {
  let out = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string) => {
    out += chunk
    return true
  }) as typeof process.stdout.write
  return fn()
    .finally(() => {
      process.stdout.write = write
    })
    .then(() => out)
}

// run() registers process-wide handlers; remove only the ones the test added.
let before: { u: Function[]; r: Function[] } // eslint-disable-line @typescript-eslint/no-unsafe-function-type
beforeEach(() => {
  before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') }
})
afterEach(() => {
  process.exitCode = undefined
  delete process.env.RUNNER_DEBUG
  for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.off('uncaughtException', l)
  for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.off('unhandledRejection', l)
})

describe('run()', () => {
  it('turns a ConfigurationError into one ::error:: line and exit 1, without a stack', async () => {
    const out = await capture(() =>
      run('x', async () => {
        throw new ConfigurationError("Input 'a' is bad")
      }),
    )
    expect(out).toBe("::error::Input 'a' is bad\n")
    expect(process.exitCode).toBe(1)
  })

  it('reports a bug as a bug, and prints the stack only with RUNNER_DEBUG=1', async () => {
    const boom = async (): Promise<void> => {
      throw new TypeError("Cannot read properties of null (reading 'boom')")
    }
    const plain = await capture(() => run('x', boom))
    expect(plain).toMatch(
      /^::error::x failed unexpectedly: Cannot read properties of null \(reading 'boom'\)\. This is a bug in infra-actions/,
    )
    expect(plain).not.toMatch(/\n\s+at /)
    process.env.RUNNER_DEBUG = '1'
    expect(await capture(() => run('x', boom))).toMatch(/\n\s+at /)
  })

  it('reports a rejection that escapes main', async () => {
    const out = await capture(async () => {
      await run('x', async () => {})
      const handler = process.listeners('unhandledRejection').at(-1) as (reason: unknown) => void
      handler(new ConfigurationError('stray'))
    })
    expect(out).toBe('::error::stray\n')
    expect(process.exitCode).toBe(1)
  })

  it('leaves the exit code alone when main succeeds', async () => {
    expect(await capture(() => run('x', async () => {}))).toBe('')
    expect(process.exitCode).toBeUndefined()
  })
})

describe('job summary and artifacts', () => {
  it('appends within the 1 MiB limit, and skips without a summary file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sum-')), 'summary')
    writeFileSync(file, '')
    expect(appendSummary('é'.repeat(2_000_000), { GITHUB_STEP_SUMMARY: file })).toBe(true)
    expect(Buffer.byteLength(readFileSync(file, 'utf8'))).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES + 1)
    expect(appendSummary('x', {})).toBe(false)
  })

  it('warns instead of failing where the runner has no artifact service', async () => {
    const context = { isAct: true, runUrl: undefined } as ActionContext
    const out = await capture(async () => {
      expect(await uploadFileArtifact('plan', '/tmp/plan.md', context, {})).toBeUndefined()
    })
    expect(out).toMatch(
      /^::warning::The artifact 'plan' was not uploaded: this runner offers no artifact service .*under act, pass --artifact-server-path.*The file is at \/tmp\/plan.md/,
    )
  })

  it('names ConfigurationError for a user mistake', () => {
    expect(new ConfigurationError('x').name).toBe('ConfigurationError')
  })
})
