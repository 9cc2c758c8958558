import { z } from 'zod'
import { parseYamlConfig, readConfigFile, withoutByteOrderMark } from '@infra-actions/common/yaml-config'
import { EVENTS, OPERATIONS, VALIDATION_LEVELS, globProblem, lint } from './config.js'
import { filterListProblem } from './filter-pattern.js'
import { environmentNameProblem, parseTemplate, templateText } from './templates.js'

/** Per-key validation of the rules file: unknown keys, types, globs and templates, with lines. */
const template = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const parsed = parseTemplate(value)
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `template ${JSON.stringify(value)} ${parsed}` })
  })
// The name's own text is checked when the file is read; what the variables bring, when filled.
const nameTemplate = template.superRefine((value, ctx) => {
  const problem = environmentNameProblem(templateText(value))
  if (problem) ctx.addIssue({ code: 'custom', message: `environment name ${JSON.stringify(value)} ${problem}` })
})
const globs = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .superRefine((list, ctx) => {
    for (const g of list) {
      const problem = globProblem(g)
      if (problem) ctx.addIssue({ code: 'custom', message: `glob ${JSON.stringify(g)} ${problem}` })
    }
    const problem = filterListProblem(list)
    if (problem) ctx.addIssue({ code: 'custom', message: `the list ${JSON.stringify(list)} ${problem}` })
  })
const strategy = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, 'must be a word such as full, full+backup, skip, rolling or canary')

const settingsShape = {
  approval: z.boolean(),
  validation: z.enum(VALIDATION_LEVELS),
  import: strategy,
  deploy: strategy,
  'image-tag': template,
  'tfvars-file': template,
  'state-key': template,
}
const environmentSchema = z
  .object({ name: nameTemplate, ...settingsShape })
  .partial()
  .strict()
const defaultsSchema = z.object(settingsShape).partial().strict()
const ACTIVITY = z.string().regex(/^[a-z_]+$/, 'must be an activity type such as opened or synchronize')

/** What is wrong with a rule's `on`, naming the value: the union alone says only "Invalid input". */
function eventProblem(input: unknown): string {
  if (input === undefined) return `is required: the event or list of events the rule is for (${EVENTS.join(', ')})`
  const bad = (Array.isArray(input) ? input : [input]).find((e) => !(EVENTS as readonly unknown[]).includes(e))
  const lower = typeof bad === 'string' ? bad.toLowerCase() : undefined
  const hint = lower !== undefined && (EVENTS as readonly string[]).includes(lower) ? ` (events are written in lower case: ${lower})` : ''
  return `${JSON.stringify(bad)} is not an event a rule can name${hint}; the events are ${EVENTS.join(', ')}`
}

const ruleSchema = z
  .object({
    name: z.string().min(1),
    on: z
      .union([z.enum(EVENTS), z.array(z.enum(EVENTS)).min(1)], { error: (issue) => eventProblem(issue.input) })
      .transform((v) => (Array.isArray(v) ? v : [v])),
    branches: globs.optional(),
    tags: globs.optional(),
    base: globs.optional(),
    head: globs.optional(),
    merged: z.boolean().optional(),
    closed: z.boolean().optional(),
    types: z.array(ACTIVITY).min(1).optional(),
    cron: z.string().min(1).optional(),
    workflows: z.array(z.string().min(1)).min(1).optional(),
    environment: template,
    operation: z.enum(OPERATIONS),
  })
  .strict()

export const configSchema = z
  .object({
    environments: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'environment names are letters, digits, - _ and .'), environmentSchema)
      .refine((e) => Object.keys(e).length > 0, 'at least one environment is required'),
    defaults: defaultsSchema.default({}),
    rules: z.array(ruleSchema).default([]),
  })
  .strict()

export type Config = z.infer<typeof configSchema>
export type Rule = Config['rules'][number]
export type EnvironmentConfig = Config['environments'][string]

export function parseConfig(text: string, file: string): Config {
  const config = parseYamlConfig(text, file, configSchema)
  // Lines are counted as the editor shows them: without a byte-order mark.
  lint(config, file, withoutByteOrderMark(text))
  return config
}

export function loadConfig(file: string, label: string): Config {
  return parseConfig(readConfigFile(file, label, 'config'), label)
}
