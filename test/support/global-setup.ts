import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

// Every temporary file of the run goes under one directory, removed at the end, so a test
// run leaves nothing behind in /tmp. Workers inherit TMPDIR, so os.tmpdir() points here.
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'infra-actions-tests-'))
  process.env.TMPDIR = dir
  return () => rmSync(dir, { recursive: true, force: true })
}
