import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** `../shared/corpus` beside the repository, when this checkout has it (CI and sessions do). */
export const CORPUS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus')
export const hasCorpus = existsSync(CORPUS)

if (!hasCorpus) console.warn(`Conformance tests skipped: no corpus at ${CORPUS}`)

export function corpusFiles(sub: string): string[] {
  const dir = path.join(CORPUS, sub)
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort()
}
