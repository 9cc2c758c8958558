import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, statSync, type Stats } from 'node:fs'
import path from 'node:path'
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
  } catch (error) {
    throw unreadable(error, what)
  } finally {
    closeSync(fd)
  }
}

/**
 * What a failed read of an input's file is: a device behind a regular-looking name (`/proc/self/mem`:
 * EIO) is the input's problem, a ConfigurationError that starts with `what`, not a bug.
 */
export function unreadable(error: unknown, what: string): unknown {
  return isFileError(error) ? new ConfigurationError(`${what} cannot be read: ${describeFileError(error)}.`) : error
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
    throw new ConfigurationError(`${what} cannot be read: ${describeFileError(error)}`)
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

/**
 * Creates `dir` and the parents it lacks, one level at a time (Node's recursive mkdir never
 * returns for a path under /proc), or throws a ConfigurationError that starts with `what` and
 * says which part could not be made and why.
 */
export function makeDirectory(dir: string, what: string): void {
  const missing: string[] = []
  for (let d = path.resolve(dir); ;) {
    let stat: Stats | undefined
    try {
      stat = statSync(d)
    } catch (error) {
      if (!isFileError(error) || error.code !== 'ENOENT') throw cannotMake(what, d, error)
    }
    if (stat) {
      if (!stat.isDirectory()) throw new ConfigurationError(`${what} cannot be written: ${d} is not a directory.`)
      break
    }
    missing.push(d)
    const parent = path.dirname(d)
    if (parent === d) break
    d = parent
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d)
    } catch (error) {
      // Made by someone else in the meantime: as good.
      if (!isFileError(error) || error.code !== 'EEXIST') throw cannotMake(what, d, error)
    }
  }
}

const cannotMake = (what: string, dir: string, error: unknown): ConfigurationError =>
  new ConfigurationError(`${what} cannot be written: the directory ${dir} cannot be made (${describeFileError(error)}).`)

/** An error of a file system call (it has a code such as ENOENT). */
export function isFileError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'syscall' in error
}

/** What a file system error means, in words a user can act on. */
export function describeFileError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'ENOTDIR') return 'a part of the path is not a directory'
  if (code === 'EROFS') return 'read-only file system'
  if (code === 'ENOSPC') return 'no space left on the device'
  if (code === 'ENAMETOOLONG') return 'its name is too long for the file system'
  if (code === 'ELOOP') return 'too many symbolic links in the path'
  if (code === 'EIO') return 'an input/output error (a device or a special file, not a file of results)'
  return error instanceof Error ? error.message : String(error)
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isSocket()) return 'a socket'
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device'
  return 'not a file'
}
