import { closeSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigurationError, openRegularFile, readRegularFile } from '../src/index.js'
import { fileSource } from '../src/json/index.js'

// Files of /proc look regular (fstat says a regular file of size 0) but are not files of results.
describe.skipIf(process.platform !== 'linux')('files that look regular and are not', () => {
  it('says a read that fails (/proc/self/mem: EIO) is the input’s problem, not a bug', () => {
    expect(() => readRegularFile('/proc/self/mem', "Input 'policy' (mem)")).toThrow(ConfigurationError)
    expect(() => readRegularFile('/proc/self/mem', "Input 'policy' (mem)")).toThrow(
      "Input 'policy' (mem) cannot be read: an input/output error (a device or a special file, not a file of results).",
    )
    const source = fileSource(openRegularFile('/proc/self/mem', "Input 'trivy' (mem)"), "Input 'trivy' (mem)")
    try {
      expect(() => source.read(Buffer.alloc(16), 0, 16)).toThrow(/^Input 'trivy' \(mem\) cannot be read: an input\/output error/)
    } finally {
      source.close()
    }
  })

  it('sizes a file whose fstat says 0 by what was read from it', () => {
    const fd = openRegularFile('/proc/self/status', 'status')
    const source = fileSource(fd, 'status')
    try {
      expect(source.size()).toBe(0)
      const n = source.read(Buffer.alloc(1 << 16), 0, 1 << 16)
      expect(n).toBeGreaterThan(0)
      expect(source.size()).toBe(n)
    } finally {
      source.close()
    }
    expect(() => closeSync(fd)).toThrow()
  })
})
