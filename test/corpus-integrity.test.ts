import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { IN_REPO } from './support/corpus.js'

// The corpus in the repository is the shared corpus byte for byte: every file is listed in a
// PROVENANCE note, and its bytes have the git blob id (or sha256) that note records.
const notes = readdirSync(IN_REPO)
  .filter((f) => f.startsWith('PROVENANCE-'))
  .map((f) => readFileSync(path.join(IN_REPO, f), 'utf8'))
  .join('\n')
const files = readdirSync(IN_REPO, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.parentPath !== IN_REPO)
  .map((e) => path.relative(IN_REPO, path.join(e.parentPath, e.name)))
  .sort()

/** The hashes the notes record for a file: from its table row, else from the section about it. */
function recorded(file: string): string[] {
  const row = notes.split('\n').find((l) => l.startsWith('| ') && new RegExp(`^\\| \`?(?:${file}|${path.basename(file)})\`? \\|`).test(l))
  const text = row ?? notes.slice(notes.indexOf(`## ${file}`), notes.indexOf('\n## ', notes.indexOf(`## ${file}`) + 1))
  return [...text.matchAll(/\b[0-9a-f]{12,64}\b/g)].map((m) => m[0])
}

const gitBlob = (bytes: Buffer): string => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')

describe('test/corpus', () => {
  it('holds the permissively licensed part of the shared corpus', () => {
    expect(files.length).toBe(114)
    expect(files.some((f) => f.startsWith('terraform/hashicorp-terraform/'))).toBe(false)
  })

  it.each(files)('%s is byte for byte what its provenance records', (file) => {
    const bytes = readFileSync(path.join(IN_REPO, file))
    const hashes = recorded(file)
    expect(hashes.length, `${file} is not in a PROVENANCE note`).toBeGreaterThan(0)
    const blob = gitBlob(bytes)
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    expect(hashes.some((h) => blob.startsWith(h) || sha256 === h)).toBe(true)
  })
})
