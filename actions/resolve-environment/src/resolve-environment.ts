import { type ActionContext } from '@infra-actions/common'
import { loadConfig, parseConfig, type Config } from './config.js'
import { DEFAULT_CONFIG } from './default-config.js'
import { eventFacts } from './event-facts.js'
import { resolve, type ResolveResult } from './resolve.js'
import type { ResolveSettings } from './settings.js'
import { renderDecision } from './summary.js'

export interface ResolveDeps {
  context: ActionContext
  lookupPr: ((sha: string) => Promise<number | undefined>) | undefined
  writeSummary: (markdown: string) => void
  log: { info: (m: string) => void; warning: (m: string) => void }
}

export function loadRules(settings: ResolveSettings): Config {
  return settings.configFile ? loadConfig(settings.configFile, settings.configLabel) : parseConfig(DEFAULT_CONFIG, 'built-in rules')
}

export async function runResolveEnvironment(settings: ResolveSettings, deps: ResolveDeps): Promise<{ outputs: Record<string, string>; result: ResolveResult }> {
  const config = loadRules(settings)
  const result = await resolve(config, eventFacts(deps.context), {
    explicitEnvironment: settings.environment,
    requireMatch: settings.requireMatch,
    runId: deps.context.runId,
    lookupPr: deps.lookupPr,
  })
  for (const w of result.warnings) deps.log.warning(w)
  deps.log.info(result.resolution.reason)
  deps.writeSummary(renderDecision(result, settings.configLabel, deps.context.ref))
  const outputs: Record<string, string> = {}
  for (const [k, v] of Object.entries(result.resolution)) outputs[k] = String(v)
  outputs.json = JSON.stringify(result.resolution)
  return { outputs, result }
}
