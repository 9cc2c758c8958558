import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The real-world inputs of the conformance tests. `test/corpus/` holds the permissively licensed
 * part of the shared corpus, byte for byte with its provenance (see test/corpus/README.md), so a
 * fresh clone runs them. Terraform's own show-json fixtures are BUSL-1.1 and are not copied: they
 * are read from `../shared/corpus/terraform/hashicorp-terraform` when that is beside the checkout.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url))
export const IN_REPO = path.resolve(HERE, '..', 'corpus')
const SHARED = path.resolve(HERE, '..', '..', '..', 'shared', 'corpus')
const BUSL = 'terraform/hashicorp-terraform'
export const hasBuslCorpus = existsSync(path.join(SHARED, BUSL))

const listed = new Set<string>()

/** Files of one corpus folder (`terraform`, `trivy`, `checkov`, `events`), as paths relative to it. */
export function corpusFiles(sub: string): string[] {
  const files = list(path.join(IN_REPO, sub))
  let note = `${files.length} files from test/corpus/${sub}`
  if (sub === 'terraform') {
    const busl = list(path.join(SHARED, BUSL)).map((f) => `hashicorp-terraform/${f}`)
    files.push(...busl)
    note += hasBuslCorpus
      ? ` and ${busl.length} BUSL-1.1 files from ../shared/corpus/${BUSL}`
      : `; the BUSL-1.1 files of ../shared/corpus/${BUSL} are skipped: not beside this checkout`
  }
  if (!listed.has(sub)) {
    listed.add(sub)
    console.log(`conformance corpus: ${note}`)
  }
  return files.sort()
}

/** The absolute path of a file named by corpusFiles(sub). */
export function corpusPath(sub: string, file: string): string {
  return sub === 'terraform' && file.startsWith('hashicorp-terraform/')
    ? path.join(SHARED, 'terraform', file)
    : path.join(IN_REPO, sub, file)
}

function list(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}
