// The actions this repository ships: one folder each under actions/ with src/index.ts.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export function actionNames() {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'actions', d.name, 'src', 'index.ts')))
    .map((d) => d.name)
    .sort()
}

/** Every public entry point: a root folder with an action.yml (JavaScript and composite actions). */
export function publicActions() {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules' && existsSync(path.join(ROOT, d.name, 'action.yml')),
    )
    .map((d) => d.name)
    .sort()
}
