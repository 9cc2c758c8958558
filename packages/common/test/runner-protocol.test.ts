import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseFileCommand } from '../../../scripts/run-action.mjs'
import * as runner from '../src/runner.js'

// Our runner.ts must speak exactly @actions/core's protocol: same stdout for workflow commands,
// same values read back from GITHUB_OUTPUT.
function stdoutOf(fn: () => void): string {
  let out = ''
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk)
    return true
  })
  try {
    fn()
  } finally {
    spy.mockRestore()
  }
  return out
}

const hostile = fc.oneof(fc.string(), fc.constantFrom('a\nb', '100%', '::error::x', 'a\r\nb', '%0A', ':,', ''))

afterEach(() => {
  process.exitCode = undefined
  delete process.env.GITHUB_OUTPUT
})

describe('runner protocol', () => {
  it('writes error, warning, notice, debug and info lines exactly as @actions/core', () => {
    fc.assert(
      fc.property(hostile, (message) => {
        expect(stdoutOf(() => runner.error(message))).toBe(stdoutOf(() => core.error(message)))
        expect(stdoutOf(() => runner.warning(message))).toBe(stdoutOf(() => core.warning(message)))
        expect(stdoutOf(() => runner.notice(message))).toBe(stdoutOf(() => core.notice(message)))
        expect(stdoutOf(() => runner.debug(message))).toBe(stdoutOf(() => core.debug(message)))
        expect(stdoutOf(() => runner.info(message))).toBe(stdoutOf(() => core.info(message)))
        expect(stdoutOf(() => runner.setSecret(message))).toBe(stdoutOf(() => core.setSecret(message)))
      }),
    )
  })

  it('escapes annotation properties as @actions/core does', () => {
    fc.assert(
      fc.property(hostile, hostile, (message, file) => {
        expect(stdoutOf(() => runner.error(message, { file, line: 3 }))).toBe(stdoutOf(() => core.error(message, { file, startLine: 3 })))
      }),
      { numRuns: 50 },
    )
  })

  it('writes outputs that read back to the same values', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !/[\n=<]/.test(s)),
        hostile,
        (name, value) => {
          const dir = mkdtempSync(path.join(tmpdir(), 'out-'))
          const ours = path.join(dir, 'ours')
          const theirs = path.join(dir, 'theirs')
          writeFileSync(ours, '')
          writeFileSync(theirs, '')
          process.env.GITHUB_OUTPUT = ours
          runner.setOutput(name, value)
          process.env.GITHUB_OUTPUT = theirs
          core.setOutput(name, value)
          expect(parseFileCommand(readFileSync(ours, 'utf8'))).toEqual(parseFileCommand(readFileSync(theirs, 'utf8')))
          expect(parseFileCommand(readFileSync(ours, 'utf8'))[name]).toBe(value)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('fails the step like setFailed', () => {
    expect(stdoutOf(() => runner.setFailed('boom\nline two'))).toBe('::error::boom%0Aline two\n')
    expect(process.exitCode).toBe(1)
  })
})
