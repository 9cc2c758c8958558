import { type ActionContext } from '@infra-actions/common'
import { BUILTIN_RULES } from './builtin-rules.js'
import type { Config } from './config.js'
import { eventFacts } from './event-facts.js'
import { resolve, type ResolveResult } from './resolve.js'
import type { ResolveSettings } from './settings.js'
import { renderDecision } from './summary.js'

export interface ResolveDeps {
  context: ActionContext
  lookupPr: ((sha: string) => Promise<number | undefined>) | undefined
  writeSummary: (markdown: string) => Promise<unknown>
  log: { info: (m: string) => void; warning: (m: string) => void }
}

export async function loadRules(settings: ResolveSettings): Promise<Config> {
  if (!settings.configFile) return BUILTIN_RULES
  const { loadConfig } = await import('./config-schema.js')
  return loadConfig(settings.configFile, settings.configLabel)
}

export async function runResolveEnvironment(
  settings: ResolveSettings,
  deps: ResolveDeps,
): Promise<{ outputs: Record<string, string>; result: ResolveResult }> {
  const config = await loadRules(settings)
  const result = await resolve(config, eventFacts(deps.context), {
    explicitEnvironment: settings.environment,
    requireMatch: settings.requireMatch,
    runId: deps.context.runId,
    lookupPr: deps.lookupPr,
  })
  for (const w of result.warnings) deps.log.warning(w)
  deps.log.info(result.resolution.reason)
  await deps.writeSummary(renderDecision(result, settings.configLabel, deps.context.ref))
  const outputs: Record<string, string> = {}
  for (const [k, v] of Object.entries(result.resolution)) outputs[k] = String(v)
  outputs.json = JSON.stringify(result.resolution)
  return { outputs, result }
}
