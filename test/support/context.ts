import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { context as loaded } from '@actions/github'
import { extendContext, type ActionContext, type GitHubContext } from '@infra-actions/common'

// @actions/github's own Context class (its package exports only the instance), so tests read
// event files and runner variables exactly as the actions do.
const Context = loaded.constructor as new () => GitHubContext

/** The context an action gets under these runner variables (GITHUB_* of this process are ignored). */
export function contextFromEnv(env: Record<string, string>): ActionContext {
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (key.startsWith('GITHUB_') || key === 'ACT') delete process.env[key]
  Object.assign(process.env, env)
  try {
    return extendContext(new Context(), process.env)
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

/** The context with `payload` as the event file. */
export function contextWithEvent(payload: unknown, env: Record<string, string> = {}): ActionContext {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'event-')), 'event.json')
  writeFileSync(file, typeof payload === 'string' ? payload : JSON.stringify(payload))
  return contextFromEnv({ GITHUB_EVENT_PATH: file, ...env })
}
