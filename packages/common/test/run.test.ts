import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigurationError, ServiceError, run, writeJobSummary, SUMMARY_LIMIT_BYTES } from '../src/index.js'

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

describe('run() with large inputs', () => {
  it('runs main here when the script node started is not the bundle (a test runner, a wrapper script)', async () => {
    // Under vitest, process.argv[1] is vitest's own worker script: a worker on it would never run main.
    let ran = false
    await run('probe', async () => void (ran = true), { inputBytes: () => 1e12 })
    expect(ran).toBe(true)
    expect(process.exitCode ?? 0).toBe(0)
  })
})

describe('run() with onFailure (fail closed)', () => {
  it('calls the hook with the message of an expected failure and of a bug, before the error line', async () => {
    const seen: string[] = []
    const onFailure = (m: string) => void seen.push(m)
    const out = await capture(async () => {
      await run(
        'x',
        async () => {
          throw new ServiceError('GitHub failed', 502)
        },
        { onFailure },
      )
      await run(
        'x',
        async () => {
          throw new TypeError('boom')
        },
        { onFailure },
      )
    })
    expect(seen).toEqual(['GitHub failed', expect.stringMatching(/^x failed unexpectedly: boom\. This is a bug/)])
    expect(out.split('\n').filter((l) => l.startsWith('::error::'))).toHaveLength(2)
    expect(process.exitCode).toBe(1)
  })

  it('still fails the step when the hook itself throws', async () => {
    const out = await capture(() =>
      run(
        'x',
        async () => {
          throw new ConfigurationError('bad')
        },
        {
          onFailure: () => {
            throw new Error('disk full')
          },
        },
      ),
    )
    expect(out).toContain("::error::Could not record the failure in the step's outputs: disk full")
    expect(out).toContain('::error::bad')
    expect(process.exitCode).toBe(1)
  })
})

describe('job summary', () => {
  it('appends within the 1 MiB limit through core.summary, and skips without a summary file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sum-')), 'summary')
    writeFileSync(file, 'before\n')
    process.env.GITHUB_STEP_SUMMARY = file
    try {
      expect(await writeJobSummary('é'.repeat(2_000_000))).toBe(true)
      const written = readFileSync(file, 'utf8')
      expect(written.startsWith('before\n')).toBe(true)
      expect(Buffer.byteLength(written)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES + 16)
      expect(written).toContain('cut here to stay within GitHub’s 1 MiB limit')
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY
    }
    expect(await capture(async () => expect(await writeJobSummary('x')).toBe(false))).toMatch(/::debug::GITHUB_STEP_SUMMARY is not set/)
  })
})
