/* eslint-disable @typescript-eslint/no-explicit-any -- the parser's tokens and the event payloads are read loosely, as JSON */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Evaluator, Lexer, Parser, data } from '@actions/expressions'
import { truthy } from '@actions/expressions/result'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { BUILTIN_RULES } from '../actions/resolve-environment/src/builtin-rules.js'
import { parseConfig } from '../actions/resolve-environment/src/config-schema.js'
import { eventFacts } from '../actions/resolve-environment/src/event-facts.js'
import { matchesFilter } from '../actions/resolve-environment/src/filter-pattern.js'
import { resolve } from '../actions/resolve-environment/src/resolve.js'
import { contextFor } from './support/events.js'

// The trigger matrix, run the way GitHub runs it: GitHub's own workflow parser reads the starter
// templates and the reusable workflow, its expression evaluator decides every `if:`, and
// resolve-environment's rules decide the environment. For each example event: does the template
// run, and which jobs of terraform.yml run, for which environment and operation.

type Workflow = Awaited<ReturnType<typeof convertWorkflowTemplate>>

async function load(file: string): Promise<Workflow> {
  const content = readFileSync(file, 'utf8').replace(/\$default-branch/g, 'main')
  const parsed = parseWorkflow({ name: path.basename(file), content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map((e) => e.message)
  if (errors.length) throw new Error(`${file}: ${errors.join('; ')}`)
  return convertWorkflowTemplate(parsed.context, parsed.value!)
}

/** A JSON-like value as expression data. */
const toData = (value: unknown): data.ExpressionData => JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData

/** Evaluates `${{ expr }}` (or a whole `if:` expression) with these contexts; success() etc. are given. */
function evaluate(expression: string, contexts: Record<string, unknown>, ran = true): data.ExpressionData {
  const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
  const tokens = new Lexer(source).lex().tokens
  const ast = new Parser(tokens, Object.keys(contexts), [
    { name: 'success', minArgs: 0, maxArgs: 0 },
    { name: 'always', minArgs: 0, maxArgs: 0 },
    { name: 'failure', minArgs: 0, maxArgs: 0 },
    { name: 'cancelled', minArgs: 0, maxArgs: 0 },
  ]).parse()
  const dict = new data.Dictionary()
  for (const [k, v] of Object.entries(contexts)) dict.add(k, toData(v))
  const status = (value: boolean) => ({ minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) })
  const functions = new Map([
    ['success', { name: 'success', ...status(ran) }],
    ['always', { name: 'always', ...status(true) }],
    ['failure', { name: 'failure', ...status(false) }],
    ['cancelled', { name: 'cancelled', ...status(false) }],
  ])
  return new Evaluator(ast, dict, functions).evaluate()
}

/** A scalar result as JavaScript (a `with:` value). */
const plain = (d: data.ExpressionData): unknown => JSON.parse(JSON.stringify(d, data.replacer)) as unknown

/** An `on:` filter (branches, tags) as GitHub reads it: the rules file's reading, one for both. */
const globs = (patterns: unknown, value: string | undefined): boolean => matchesFilter(patterns as string[], value)

/** Whether the workflow's `on:` lets this event through (GitHub's filter rules, for the filters the templates use). */
function triggers(workflow: Workflow, event: string, payload: Record<string, any>): boolean {
  const on = (workflow.events as Record<string, Record<string, unknown> | undefined>)[event]
  if (!on) return false
  if (event === 'push') {
    const ref = String(payload.ref)
    const branch = ref.startsWith('refs/heads/') ? ref.slice(11) : undefined
    const tag = ref.startsWith('refs/tags/') ? ref.slice(10) : undefined
    if (on.branches || on.tags) return (!!on.branches && globs(on.branches, branch)) || (!!on.tags && globs(on.tags, tag))
    return true
  }
  if (event === 'pull_request') {
    const types = (on.types as string[] | undefined) ?? ['opened', 'synchronize', 'reopened']
    return types.includes(payload.action) && (!on.branches || globs(on.branches, payload.pull_request.base.ref))
  }
  return true
}

interface Outcome {
  triggers: boolean
  jobs: string[]
  environment?: string
  operation?: string
  trusted?: boolean
  inputs?: Record<string, unknown>
}

/**
 * Which of a workflow's jobs run, in order: a job runs when its `if:` (default `success()`) is
 * true; `success()` is true when every job it needs succeeded. A job that did not run is
 * `skipped` to the jobs after it. Returns the jobs that ran, with the `with:` values of the
 * reusable workflows they call, evaluated.
 */
function runJobs(
  workflow: Workflow,
  outputs: Record<string, Record<string, string>>,
  contexts: Record<string, unknown>,
): { id: string; with: Record<string, unknown> }[] {
  const results: Record<string, string> = {}
  const ran: { id: string; with: Record<string, unknown> }[] = []
  for (const job of workflow.jobs as any[]) {
    const id = job.id.value as string
    const needs = ((job.needs ?? []) as any[]).map((n) => n.value as string)
    const needsContext = Object.fromEntries(
      needs.map((n) => [n, { result: results[n], outputs: results[n] === 'success' ? (outputs[n] ?? {}) : {} }]),
    )
    const condition = job.if?.expression ?? 'success()'
    const all = { ...contexts, needs: needsContext }
    const runs = truthy(
      evaluate(
        condition,
        all,
        needs.every((n) => results[n] === 'success'),
      ),
    )
    results[id] = runs ? 'success' : 'skipped'
    if (!runs) continue
    const values: Record<string, unknown> = {}
    const given = job['input-values']
    for (let k = 0; k < (given?.count ?? 0); k++) {
      const pair = given.get(k)
      const raw = pair.value.toString() as string
      values[pair.key.toString()] = raw.includes('${{') ? plain(evaluate(raw, all)) : raw
    }
    ran.push({ id, with: values })
  }
  return ran
}

/** The template, then terraform.yml's jobs in order, for one event. */
async function simulate(
  templateFile: string,
  eventFile: string,
  rulesFile?: string,
  options: { hasChanges?: boolean } = {},
): Promise<Outcome> {
  const event = path.basename(eventFile).split('.')[0]!
  const payload = JSON.parse(readFileSync(eventFile, 'utf8')) as Record<string, any>
  const template = await load(templateFile)
  if (!triggers(template, event, payload)) return { triggers: false, jobs: [] }
  const caller = template.jobs[0] as any
  expect(caller.type).toBe('reusableWorkflowJob')
  expect(caller.ref.value).toMatch(/^org\/infra-actions\/\.github\/workflows\/terraform\.yml@v1$/)
  // The dispatch inputs with their types and defaults, as the `inputs` context has them.
  const dispatch = (template.events as any).workflow_dispatch?.inputs ?? {}
  const inputsContext: Record<string, unknown> = {}
  if (event === 'workflow_dispatch') {
    for (const [name, spec] of Object.entries<any>(dispatch)) {
      const given = payload.inputs?.[name] ?? spec.default
      inputsContext[name] = spec.type === 'boolean' ? given === true || given === 'true' : given
    }
  }
  const github = { event_name: event, event: payload, ref: payload.ref ?? '' }
  const values: Record<string, unknown> = {}
  const given = caller['input-values']
  for (let k = 0; k < (given?.count ?? 0); k++) {
    const pair = given.get(k)
    const raw = pair.value.toString() as string
    values[pair.key.toString()] = raw.includes('${{') ? plain(evaluate(raw, { inputs: inputsContext, github, vars: {} })) : raw
  }
  const reusable = await load('.github/workflows/terraform.yml')
  const defaults = Object.fromEntries(Object.entries<any>((reusable.events as any).workflow_call.inputs).map(([k, v]) => [k, v.default]))
  const inputs = { ...defaults, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '' && v !== null)) }

  // resolve-environment, as the resolve job runs it.
  const rules = rulesFile ? parseConfig(readFileSync(rulesFile, 'utf8'), rulesFile) : BUILTIN_RULES
  const { resolution } = await resolve(rules, eventFacts(contextFor(event, payload)), {
    explicitEnvironment: (inputs.environment as string) || undefined,
    requireMatch: false,
    runId: '1',
  })
  const outputs: Record<string, Record<string, string>> = {
    resolve: Object.fromEntries(Object.entries(resolution).map(([k, v]) => [k, String(v)])),
    // destroy-gate's verdict: these rows are about which jobs run, not about destroys.
    plan: { allowed: 'true', 'has-changes': String(options.hasChanges ?? true) },
    apply: {},
  }
  const ran = runJobs(reusable, outputs, { inputs, github, vars: {} }).map((j) => j.id)
  return {
    triggers: true,
    jobs: ran,
    environment: resolution.environment,
    operation: resolution.operation,
    trusted: resolution.trusted,
    inputs,
  }
}

const events = (name: string) => `examples/events/${name}.json`

describe('the GitFlow template + terraform.yml, for each row of the trigger matrix', () => {
  const gitflow = 'workflow-templates/terraform-gitflow.yml'
  it.each([
    ['push.dev-feature-x', { jobs: ['resolve', 'plan', 'apply'], environment: 'dev', operation: 'apply' }],
    ['pull_request.opened.develop', { jobs: ['resolve', 'plan'], environment: 'stage', operation: 'plan' }],
    ['pull_request.closed.merged.develop', { jobs: ['resolve', 'plan', 'apply'], environment: 'stage', operation: 'apply' }],
    ['pull_request.opened.main', { jobs: ['resolve', 'plan'], environment: 'prod', operation: 'plan' }],
    ['pull_request.closed.merged.main', { jobs: ['resolve', 'plan', 'apply'], environment: 'prod', operation: 'apply' }],
    ['pull_request.closed.unmerged.main', { jobs: ['resolve'], operation: 'none' }],
    // A drift check: a drift apply waiting for prod's reviewers would hold prod's apply lock.
    ['schedule', { jobs: ['resolve', 'plan'], environment: 'prod', operation: 'apply', inputs: { 'dry-run': true } }],
    ['pull_request.opened.fork', { jobs: ['resolve', 'plan'], environment: 'prod', operation: 'plan', trusted: false }],
  ] as const)('%s', async (event, expected) => {
    expect(await simulate(gitflow, events(event))).toMatchObject({ triggers: true, ...expected })
  })

  it('workflow_dispatch: the chosen environment, with dry_run planning only, and the inputs passed on', async () => {
    const r = await simulate(gitflow, events('workflow_dispatch.prod'))
    expect(r).toMatchObject({ triggers: true, jobs: ['resolve', 'plan'], environment: 'prod', operation: 'apply' })
    expect(r.inputs).toMatchObject({
      environment: 'prod',
      'dry-run': true,
      'force-recreate': false,
      'skip-tests': false,
      'working-directory': 'infra',
    })
  })

  it('a plan without changes applies nothing (no approval is asked for nothing)', async () => {
    expect(await simulate(gitflow, events('pull_request.closed.merged.main'), undefined, { hasChanges: false })).toMatchObject({
      jobs: ['resolve', 'plan'],
    })
  })

  it('a tag push does not start it (its push filter names branches only)', async () => {
    expect(await simulate(gitflow, events('push.tag-v1.2.3'))).toEqual({ triggers: false, jobs: [] })
    expect((await simulate(gitflow, events('push.main'))).triggers).toBe(false)
  })
})

describe("terraform.yml's apply job, step by step", () => {
  it('checks that an apply is still the newest commit of its branch, and not a destroy (a merged preview torn down after main moved)', () => {
    const workflow = parseYaml(readFileSync('.github/workflows/terraform.yml', 'utf8')) as any
    const step = (workflow.jobs.apply.steps as any[]).find((s) => s.name === 'Still the newest commit of its branch')
    const runs = (operation: string) => truthy(evaluate(step.if, { needs: { resolve: { outputs: { operation } } } }))
    expect(runs('apply')).toBe(true)
    expect(runs('destroy')).toBe(false)
  })
})

describe('the preview template + terraform.yml', () => {
  const preview = 'workflow-templates/terraform-preview.yml'
  const rules = 'examples/environments.preview.yml'
  it.each([
    ['pull_request.opened.main', { jobs: ['resolve', 'plan', 'apply'], environment: 'preview-pr-42', operation: 'apply' }],
    ['pull_request.closed.unmerged.main', { jobs: ['resolve', 'plan', 'apply'], environment: 'preview-pr-44', operation: 'destroy' }],
    ['pull_request.closed.merged.main', { jobs: ['resolve', 'plan', 'apply'], environment: 'preview-pr-42', operation: 'destroy' }],
    ['pull_request.opened.fork', { jobs: ['resolve', 'plan'], environment: 'preview-pr-43', operation: 'plan', trusted: false }],
    ['push.main', { jobs: ['resolve', 'plan', 'apply'], environment: 'prod', operation: 'apply' }],
  ] as const)('%s', async (event, expected) => {
    expect(await simulate(preview, events(event), rules)).toMatchObject({ triggers: true, ...expected })
  })

  it('a push to another branch does not start it', async () => {
    expect((await simulate(preview, events('push.dev-feature-x'), rules)).triggers).toBe(false)
  })
})

describe('the Cloud Run template: build → security-scan.yml → cloud-run-deploy.yml', () => {
  const template = 'workflow-templates/cloud-run-service.yml'
  // Per environment, in the case GitHub stores them (lookups are case-insensitive).
  const vars = {
    CLOUD_RUN_SERVICE: 'api',
    GCP_REGION: 'europe-west1',
    IMAGE_REPOSITORY: 'europe-docker.pkg.dev/acme/app',
    ...Object.fromEntries(
      ['DEV', 'STAGE', 'PROD'].flatMap((env) => [
        [`CLOUD_RUN_SERVICE_${env}`, `api-${env.toLowerCase()}`],
        [`GCP_PROJECT_${env}`, `acme-${env.toLowerCase()}`],
        [`GCP_DEPLOY_SERVICE_ACCOUNT_${env}`, `deploy-${env.toLowerCase()}@acme.iam.gserviceaccount.com`],
      ]),
    ),
  }
  const image = 'europe-docker.pkg.dev/acme/app/api@sha256:' + 'd'.repeat(64)

  async function simulateTemplate(eventName: string, scanFailed = false) {
    const file = events(eventName)
    const event = path.basename(file).split('.')[0]!
    const payload = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>
    const workflow = await load(template)
    if (!triggers(workflow, event, payload)) return { triggers: false }
    const inputs = event === 'workflow_dispatch' ? (payload.inputs as Record<string, unknown>) : {}
    const github = { event_name: event, event: payload, ref: payload.ref ?? '', sha: 'c'.repeat(40) }
    // The resolve job's one step, as it runs: the built-in rules (the template gives no config).
    const { resolution } = await resolve(BUILTIN_RULES, eventFacts(contextFor(event, payload)), {
      explicitEnvironment: (inputs.environment as string) || undefined,
      requireMatch: false,
      runId: '1',
    })
    const outputs = {
      resolve: Object.fromEntries(Object.entries(resolution).map(([k, v]) => [k, String(v)])),
      build: { image },
      scan: { failed: String(scanFailed) },
    }
    const ran = runJobs(workflow, outputs, { inputs, github, vars })
    return { triggers: true, jobs: ran.map((j) => j.id), with: Object.fromEntries(ran.map((j) => [j.id, j.with])), resolution }
  }

  // The environment's image tag (dev-<sha7>, staging-<sha7>) is added after the scan (`tag`);
  // prod's v<version> needs a version tag, which a merge does not have.
  const tagged = ['resolve', 'build', 'scan', 'tag', 'deploy']
  const untagged = ['resolve', 'build', 'scan', 'deploy']
  it.each([
    ['push.dev-feature-x', 'dev', 'recreate', tagged],
    ['pull_request.closed.merged.develop', 'stage', 'rolling', tagged],
    ['pull_request.closed.merged.main', 'prod', 'canary', untagged],
    ['workflow_dispatch.prod', 'prod', 'canary', untagged],
  ] as const)('%s: builds, scans the image, deploys %s with the %s steps', async (event, environment, strategy, jobs) => {
    const r = await simulateTemplate(event)
    expect(r.jobs).toEqual(jobs)
    expect(r.with!.scan).toMatchObject({ 'image-ref': image })
    // The environment's own service, project and deployer: never another environment's.
    expect(r.with!.deploy).toMatchObject({
      environment,
      strategy,
      image,
      service: `api-${environment}`,
      project: `acme-${environment}`,
      region: 'europe-west1',
      'gcp-service-account': `deploy-${environment}@acme.iam.gserviceaccount.com`,
    })
  })

  it.each(['pull_request.opened.develop', 'pull_request.opened.main', 'pull_request.opened.fork'])(
    '%s: scans the repository only (nothing is pushed or deployed)',
    async (event) => {
      const r = await simulateTemplate(event)
      expect(r.jobs).toEqual(['resolve', 'scan'])
      // A skipped job's output is null, which a string input receives as ''.
      expect(r.with!.scan!['image-ref'] ?? '').toBe('')
    },
  )

  it('a fork pull request is untrusted: no build job gets registry credentials', async () => {
    const r = await simulateTemplate('pull_request.opened.fork')
    expect(r.resolution!.trusted).toBe(false)
    expect(r.jobs).not.toContain('build')
  })

  it('a failed scan neither tags nor deploys the image', async () => {
    expect((await simulateTemplate('push.dev-feature-x', true)).jobs).toEqual(['resolve', 'build', 'scan'])
  })

  it('a push to main scans the repository only: the baseline of pull requests into main', async () => {
    const r = await simulateTemplate('push.main')
    expect(r.jobs).toEqual(['resolve', 'scan'])
    expect(r.with!.scan!['image-ref'] ?? '').toBe('')
  })

  it('a closed, unmerged pull request only resolves; tags and schedules do not start it', async () => {
    expect((await simulateTemplate('pull_request.closed.unmerged.main')).jobs).toEqual(['resolve'])
    for (const e of ['push.tag-v1.2.3', 'schedule']) expect((await simulateTemplate(e)).triggers, e).toBe(false)
  })
})
