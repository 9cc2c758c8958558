import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs'
import { ConfigurationError } from './errors.js'

/**
 * The bytes of a regular file, or a ConfigurationError that starts with `what` (e.g. "Input
 * 'plan-json' (plan.json)") and says what is wrong. The file is opened without blocking and
 * checked on the open descriptor: a FIFO, a socket or a device would otherwise hang the step
 * until the job's timeout (a read of a FIFO waits for a writer), and a check by path before the
 * open could be raced.
 */
export function readRegularFile(file: string, what: string): Buffer {
  return readRegular(file, what, (fd) => readFileSync(fd))
}

/**
 * The text (UTF-8) of a regular file, with the same checks as readRegularFile. Decoded as it is
 * read: no Buffer of the whole file is left for the collector (tens of MB for a large report).
 */
export function readRegularText(file: string, what: string): string {
  return readRegular(file, what, (fd) => readFileSync(fd, 'utf8'))
}

function readRegular<T>(file: string, what: string, read: (fd: number) => T): T {
  const fd = openRegularFile(file, what)
  try {
    return read(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * A descriptor of a regular file, open for reading (the caller closes it), or the same
 * ConfigurationError as readRegularFile: for files read in chunks rather than whole.
 */
export function openRegularFile(file: string, what: string): number {
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw new ConfigurationError(`${what} cannot be read: ${describeOpenError(error)}`)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw new ConfigurationError(`${what} is not a regular file but ${kindOf(stat)}; give the path of a file.`)
    return fd
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

function describeOpenError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  return error instanceof Error ? error.message : String(error)
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isSocket()) return 'a socket'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  return 'not a file'
}
