import { ConfigurationError, own } from '@infra-actions/common'
import type { Config, EnvironmentConfig, Operation } from './config.js'
import { describeEvent, type EventFacts } from './event-facts.js'
import { matchRule } from './match.js'
import {
  CONTROL,
  environmentNameProblem,
  filledPathProblem,
  imageTag,
  isTemplate,
  pathValueProblem,
  renderTemplate,
  slugBranch,
  versionOfTag,
  type Variables,
} from './templates.js'
import { quote, visible } from '@infra-actions/common'

/** The decision, as the action's outputs carry it. */
export interface Resolution {
  environment: string
  'environment-key': string
  operation: Operation
  'approval-required': boolean
  'validation-level': string
  'import-strategy': string
  'deploy-strategy': string
  'tfvars-file': string
  'state-key': string
  'image-tag': string
  trusted: boolean
  rule: string
  reason: string
  sha: string
  'pr-number': string
}

export interface Trace {
  rule: string
  why: string
}

export interface ResolveResult {
  resolution: Resolution
  /** Why each rule before the match (or every rule, without one) did not match. */
  trace: Trace[]
  warnings: string[]
  event: string
}

export interface ResolveOptions {
  /** The `environment` input: an explicit choice, which must be configured. */
  explicitEnvironment: string | undefined
  requireMatch: boolean
  runId: string
  /** Finds the PR a pushed commit came from, when a template needs {pr} (API; optional). */
  lookupPr?: (sha: string) => Promise<number | undefined>
}

// When the rules file leaves a setting out, take the cautious choice.
const FALLBACK = { approval: true, validation: 'standard', import: 'full', deploy: 'rolling' } as const

export async function resolve(config: Config, facts: EventFacts, options: ResolveOptions): Promise<ResolveResult> {
  const known = Object.keys(config.environments)
  const explicit = options.explicitEnvironment
  if (explicit !== undefined && !own(config.environments, explicit)) {
    throw new ConfigurationError(
      `Input 'environment' must name a configured environment (${known.join(', ')}), got ${JSON.stringify(explicit)}`,
    )
  }
  const event = visible(describeEvent(facts))
  const trace: Trace[] = []
  const warnings: string[] = []
  const rule = config.rules.find((r) => {
    const m = matchRule(r, facts)
    if (!m.matched) trace.push({ rule: r.name, why: m.why })
    return m.matched
  })
  const sha = facts.sha
  if (!rule) {
    if (options.requireMatch) {
      throw new ConfigurationError(
        `No rule matched this ${event} (require-match is true). ${trace.map((t) => `'${t.rule}': ${t.why}`).join('; ')}`,
      )
    }
    return { resolution: printable(none(event, sha, facts)), trace, warnings, event }
  }

  let prNumber = facts.prNumber
  const needsPr = (t: string | undefined): boolean => t !== undefined && t.includes('{pr}')
  const vars: Variables = {
    sha,
    sha7: sha.slice(0, 7),
    branch: facts.branch !== undefined ? slugBranch(facts.branch) : undefined,
    version: facts.tag !== undefined ? versionOfTag(facts.tag) : undefined,
    run: options.runId || undefined,
  }
  for (const [k, v] of Object.entries(facts.inputs)) vars[`inputs.${k}`] = v

  // Which environment: the rule's, or for a templated rule the explicit choice or its template.
  let key: string
  if (isTemplate(rule.environment)) {
    if (explicit !== undefined) key = explicit
    else {
      const rendered = renderTemplate(rule.environment, vars)
      if ('missing' in rendered)
        throw new ConfigurationError(
          `Rule '${rule.name}' takes its environment from ${rule.environment}, but this ${event} has no ${rendered.missing.map((m) => `{${m}}`).join(', ')}. Pass input 'environment'.`,
        )
      key = rendered.value
    }
    if (!own(config.environments, key))
      throw new ConfigurationError(
        `Rule '${rule.name}' chose the environment ${JSON.stringify(key)} (from ${rule.environment}), which is not configured (${known.join(', ')}).`,
      )
  } else {
    key = rule.environment
    if (explicit !== undefined && explicit !== key) {
      throw new ConfigurationError(
        `Input 'environment' is '${explicit}', but rule '${rule.name}' targets '${key}' for this ${event}. Leave 'environment' empty, or use a rule with environment: "{inputs.environment}".`,
      )
    }
  }
  const env = own(config.environments, key) as EnvironmentConfig
  const settings = { ...config.defaults, ...env }
  const templates = [env.name, settings['tfvars-file'], settings['state-key'], settings['image-tag']]
  if (prNumber === undefined && templates.some(needsPr) && options.lookupPr && facts.event === 'push')
    prNumber = await options.lookupPr(sha)
  vars.pr = prNumber !== undefined ? String(prNumber) : undefined
  vars.environment = key

  // Every value is one line; the ones that name files also stay inside the directory their
  // template names. Variables carry event data (dispatch inputs, tags): data is never a path.
  const refuse = (what: string, template: string, variable: string, value: string, problem: string): never => {
    throw new ConfigurationError(
      `${what} of environment '${key}' (${template}): {${variable}} is ${quote(value)}, which ${problem}. It is refused, not used.`,
    )
  }
  const fill = (what: 'name' | 'tfvars-file' | 'state-key' | 'image-tag', template: string | undefined): string => {
    if (template === undefined) return ''
    const isPath = what === 'tfvars-file' || what === 'state-key'
    const r = renderTemplate(template, vars, (variable, value) => {
      const problem = isPath ? pathValueProblem(value) : CONTROL.test(value) ? 'holds a control character (a newline, NUL, ...)' : undefined
      if (problem) refuse(what, template, variable, value, problem)
    })
    if ('value' in r) {
      const problem = isPath ? filledPathProblem(template, r.value) : what === 'name' ? environmentNameProblem(r.value) : undefined
      if (problem)
        throw new ConfigurationError(
          `${what} of environment '${key}' (${template}) is ${quote(r.value)} once filled in, which ${problem}. It is refused, not used.`,
        )
      if (what !== 'image-tag') return r.value
      const tag = imageTag(r.value)
      if ('problem' in tag)
        throw new ConfigurationError(`image-tag of environment '${key}' (${template}) renders ${quote(r.value)}, which ${tag.problem}.`)
      if (tag.mapped) warnings.push(`image-tag ${quote(r.value)} holds '+', which image tags cannot: it is ${quote(tag.tag)}.`)
      return tag.tag
    }
    if (r.missing.includes('version') && facts.tag !== undefined) {
      throw new ConfigurationError(
        `The tag '${facts.tag}' is not a semantic version (v1.2.3), so {version} in ${what} of environment '${key}' cannot be filled. ` +
          `Tag releases as vMAJOR.MINOR.PATCH, or narrow rule '${rule.name}' (tags: ["v[0-9]+.[0-9]+.[0-9]+"], which leaves out pre-releases such as v1.2.3-rc.1 too).`,
      )
    }
    const needs = `${what} of environment '${key}' (${template}) needs ${r.missing.map((m) => `{${m}}`).join(', ')}, which this ${event} does not have`
    // An apply or destroy with an empty state key, tfvars file or name would change another
    // environment's state (the backend's default) or run under another environment's protection.
    // (An empty image tag is only a value not there: a merge has no {version} for prod's tag.)
    if (changes && what !== 'image-tag')
      throw new ConfigurationError(
        `${needs}: rule '${rule.name}' would ${operation} with it left empty, against another state or environment, so it is refused. ` +
          `Run it from an event that has ${r.missing.map((m) => `{${m}}`).join(', ')}, or choose an environment whose templates this event can fill.`,
      )
    warnings.push(`${needs}; it is left empty.`)
    return ''
  }

  let operation = rule.operation
  let reason = `${event} matched rule '${rule.name}'`
  if (!facts.trusted && (operation === 'apply' || operation === 'destroy')) {
    reason += `; ${operation} downgraded to plan because ${facts.untrustedWhy ?? 'the context is untrusted'}`
    operation = 'plan'
  }
  const changes = operation === 'apply' || operation === 'destroy'
  vars.name = fill('name', env.name ?? key) || key
  return {
    resolution: printable({
      environment: vars.name,
      'environment-key': key,
      operation,
      'approval-required': settings.approval ?? FALLBACK.approval,
      'validation-level': settings.validation ?? FALLBACK.validation,
      'import-strategy': settings.import ?? FALLBACK.import,
      'deploy-strategy': settings.deploy ?? FALLBACK.deploy,
      'tfvars-file': fill('tfvars-file', settings['tfvars-file']),
      'state-key': fill('state-key', settings['state-key']),
      'image-tag': fill('image-tag', settings['image-tag']),
      trusted: facts.trusted,
      rule: rule.name,
      reason,
      sha,
      'pr-number': prNumber !== undefined ? String(prNumber) : '',
    }),
    trace,
    warnings,
    event,
  }
}

/** Every output on one line. */
function printable(r: Resolution): Resolution {
  const out = { ...r }
  for (const [k, v] of Object.entries(out)) if (typeof v === 'string') (out as Record<string, unknown>)[k] = visible(v)
  return out
}

function none(event: string, sha: string, facts: EventFacts): Resolution {
  return {
    environment: '',
    'environment-key': '',
    operation: 'none',
    'approval-required': false,
    'validation-level': '',
    'import-strategy': '',
    'deploy-strategy': '',
    'tfvars-file': '',
    'state-key': '',
    'image-tag': '',
    trusted: facts.trusted,
    rule: '',
    reason: `${event} matched no rule`,
    sha,
    'pr-number': facts.prNumber !== undefined ? String(facts.prNumber) : '',
  }
}
