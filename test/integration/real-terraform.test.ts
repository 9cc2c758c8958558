import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzePlan, parsePlanText } from '@infra-actions/terraform'
import { runAction } from '../../scripts/run-action.mjs'
import { FakeGitHub } from '../support/fake-github.mjs'
import {
  ERRORED_PLAN,
  HARDENING_CASES,
  IMPORT_INTO_IGNORE,
  MOVE_INTO_IGNORE,
  NOOP_SECRET,
  realPlan,
  terraformVersionOnPath,
} from '../support/terraform.js'

// The cases of issue #10 in plans that the real Terraform on PATH writes (terraform_data only),
// read through the real `terraform show -json` where the actions take `plan-file`.
const EVENT = 'examples/events/pull_request.opened.main.json'

describe.skipIf(!terraformVersionOnPath)(`real Terraform ${terraformVersionOnPath ?? '(not on PATH)'} plans`, () => {
  let cases: Awaited<ReturnType<typeof realPlan>>
  let errored: Awaited<ReturnType<typeof realPlan>>
  let noopSecret: Awaited<ReturnType<typeof realPlan>>
  beforeAll(async () => {
    ;[cases, errored, noopSecret] = await Promise.all([realPlan(HARDENING_CASES), realPlan(ERRORED_PLAN), realPlan(NOOP_SECRET)])
  }, 120_000)

  it('reads as Terraform wrote it: a move to nowhere is a delete with its previous address, removed is a forget', () => {
    expect(cases.exitCode).toBe(0)
    const model = analyzePlan(parsePlanText(cases.json, 'plan'))
    const byAddress = new Map(model.changes.map((c) => [c.address, c]))
    expect(byAddress.get('terraform_data.gone')).toMatchObject({
      action: 'delete',
      previousAddress: 'module.db.terraform_data.main',
      reason: 'delete_because_no_move_target',
      destroys: true,
    })
    expect(byAddress.get('terraform_data.keep')).toMatchObject({ action: 'forget', destroys: false })
    expect(byAddress.get('terraform_data.t')).toMatchObject({ action: 'replace', reason: 'replace_because_cannot_update' })
    expect(model.counts).toMatchObject({ add: 2, change: 1, destroy: 2, replace: 1, forget: 1 })
    expect(errored.exitCode).toBe(1)
    expect(analyzePlan(parsePlanText(errored.json, 'plan')).errored).toBe(true)
  })

  it('destroy-gate keeps protecting what a moved block took out of module.db, through terraform show -json', async () => {
    const r = await runAction({
      action: 'destroy-gate',
      inputs: { 'plan-file': cases.planFile, protected: 'module.db.*', 'allow-destroy': 'true', 'max-destroy': '-1' },
      event: EVENT,
    })
    expect(r.exitCode).toBe(1)
    expect(JSON.parse(r.outputs['protected-hits']!)).toEqual(['terraform_data.gone'])
    expect(r.summary).toContain('| `terraform_data.gone (moved from module.db.terraform_data.main)` | delete |')
    expect(r.summary).toContain('the target of its `moved` block does not exist')
  })

  it('destroy-gate counts a moved block into an ignored path as a destroy (the next plan could destroy it there uncounted)', async () => {
    const moved = await realPlan(MOVE_INTO_IGNORE)
    const inputs = { 'plan-file': moved.planFile, ignore: 'terraform_data.scratch_*' }
    const r = await runAction({ action: 'destroy-gate', inputs, event: EVENT })
    expect(r.exitCode).toBe(1)
    expect(r.outputs).toMatchObject({ allowed: 'false', 'destroy-count': '1', addresses: '["terraform_data.scratch_logs"]' })
    expect(r.stdout).toContain(
      "::error::Moved into 'ignore', counted as a destroy: terraform_data.scratch_logs (moved from terraform_data.logs)",
    )
    expect(r.summary).toContain(
      '| `terraform_data.scratch_logs (moved from terraform_data.logs)` | no\\-op |  | 🗑️ counted: moved into ignore by `terraform_data.scratch_*` |',
    )
    const allowed = await runAction({ action: 'destroy-gate', inputs: { ...inputs, 'max-destroy': '1' }, event: EVENT })
    expect(allowed.outputs).toMatchObject({ allowed: 'true', 'destroy-count': '1' })
  }, 60_000)

  it('destroy-gate counts an import into an ignored path, and blocks forgetting a protected resource (removed + import is a move)', async () => {
    const plan = await realPlan(IMPORT_INTO_IGNORE)
    const r = await runAction({
      action: 'destroy-gate',
      inputs: { 'plan-file': plan.planFile, ignore: 'terraform_data.scratch_*' },
      event: EVENT,
    })
    expect(r.outputs).toMatchObject({ allowed: 'false', 'destroy-count': '1', addresses: '["terraform_data.scratch_db"]' })
    expect(r.stdout).toContain("::error::Imported into 'ignore', counted as a destroy: terraform_data.scratch_db")
    expect(r.summary).toContain('| `terraform_data.db` | forget |')
    const prot = await runAction({
      action: 'destroy-gate',
      inputs: { 'plan-file': plan.planFile, protected: 'terraform_data.db', 'max-destroy': '-1', 'allow-destroy': 'true' },
      event: EVENT,
    })
    expect(prot.exitCode).toBe(1)
    expect(prot.outputs).toMatchObject({ allowed: 'false', 'protected-hits': '["terraform_data.db"]' })
    expect(prot.outputs.reason).toMatch(/^The plan forgets 1 protected resource \(terraform_data\.db\); no override allows that\./)
    expect(prot.stdout).toContain(
      '::error::Protected resource would be forgotten (removed from the state, the object kept): terraform_data.db',
    )
  }, 60_000)

  it('destroy-gate blocks an errored plan', async () => {
    const r = await runAction({ action: 'destroy-gate', inputs: { 'plan-file': errored.planFile, 'max-destroy': '-1' }, event: EVENT })
    expect(r.exitCode).toBe(1)
    expect(r.outputs).toMatchObject({ allowed: 'false', reason: expect.stringMatching(/Cannot verify the plan: it errored/) })
  })

  // On the main thread, and on the worker thread that large inputs get (terraform show run from there).
  it.each([
    ['on the main thread', {}],
    ['on a worker thread', { INFRA_ACTIONS_WORKER_BYTES: '1' }],
  ])(
    'plan-comment never shows the sensitive value that became unknown, anywhere, and shows the unknown part of an output (%s)',
    async (_, env) => {
      const gh = await new FakeGitHub().start()
      try {
        const r = await runAction({
          action: 'plan-comment',
          inputs: { 'plan-file': cases.planFile, environment: 'prod' },
          event: EVENT,
          apiUrl: gh.url,
          env,
        })
        expect(r.exitCode, r.stdout).toBe(0)
        const comment = gh.commentsOf('acme', 'infra', 42)[0]!.body
        const markdown = readFileSync(r.outputs['markdown-file']!, 'utf8')
        for (const text of [comment, r.summary, markdown, r.stdout, r.stderr, JSON.stringify(r.outputs)])
          expect(text).not.toContain('Zq9!x')
        expect(markdown).toContain('| `input` | `{"password":(sensitive),"user":"app"}` | `(known after apply)` |')
        expect(markdown).toContain('| `o` | create | `(none)` | `{"fixed":"a","id":(known after apply)}` |')
        expect(markdown).toMatch(
          /`terraform_data\.gone` — the target of its `moved` block does not exist; moved from `module\.db\.terraform_data\.main`/,
        )
      } finally {
        await gh.stop()
      }
    },
  )

  it('plan-comment masks a secret that only an unchanged resource marks, where a new resource and an output copy it', async () => {
    const gh = await new FakeGitHub().start()
    try {
      const model = analyzePlan(parsePlanText(noopSecret.json, 'plan'))
      expect(model.counts).toMatchObject({ add: 1, noop: 1 })
      // Terraform passes the copy on unmarked: only the no-op's marks say it is secret.
      expect(noopSecret.json).toMatch(/"after":\{"input":"hunter2-Sup3rSecret"/)
      const r = await runAction({ action: 'plan-comment', inputs: { 'plan-file': noopSecret.planFile }, event: EVENT, apiUrl: gh.url })
      expect(r.exitCode, r.stdout).toBe(0)
      const markdown = readFileSync(r.outputs['markdown-file']!, 'utf8')
      const comment = gh.commentsOf('acme', 'infra', 42)[0]!.body
      for (const text of [comment, r.summary, markdown, r.stdout, JSON.stringify(r.outputs)]) expect(text).not.toContain('Sup3rSecret')
      expect(markdown).toContain('| `o` | create | `(none)` | `(sensitive)` |')
    } finally {
      await gh.stop()
    }
  })

  it('plan-comment posts an errored plan, says so loudly, then fails the step', async () => {
    const gh = await new FakeGitHub().start()
    try {
      // On a worker thread: its exit code is the step's.
      const r = await runAction({
        action: 'plan-comment',
        inputs: { 'plan-file': errored.planFile },
        event: EVENT,
        apiUrl: gh.url,
        env: { INFRA_ACTIONS_WORKER_BYTES: '1', RUNNER_DEBUG: '1' },
      })
      expect(r.stdout).toMatch(/::debug::.* the action runs on a worker thread/)
      expect(r.exitCode).toBe(1)
      expect(gh.commentsOf('acme', 'infra', 42)[0]!.body).toContain('**The plan errored.**')
      expect(r.stdout).toMatch(/::error::The Terraform plan errored/)
    } finally {
      await gh.stop()
    }
  })
})
