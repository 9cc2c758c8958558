import { describe, expect, it } from 'vitest'
import { analyzePlan, checkPlanDocument } from '@infra-actions/terraform'
import { plan, rc } from '../../../test/support/plans.js'
import { decide } from '../src/decide.js'
import type { GateRules } from '../src/settings.js'

const rules = (r: Partial<GateRules> = {}): GateRules => ({
  maxDestroy: 0,
  countReplace: true,
  allowDestroy: false,
  protected: [],
  ignore: [],
  allowReview: false,
  allowLabel: undefined,
  ...r,
})
const model = (fields: Record<string, unknown>) => analyzePlan(checkPlanDocument(plan(fields), 'plan.json'))
const gate = (fields: Record<string, unknown>, r: Partial<GateRules> = {}, o: Parameters<typeof decide>[2] = {}) =>
  decide(model(fields), rules(r), o)

describe('destroy-gate rules', () => {
  it('passes a plan that destroys nothing', () => {
    const d = gate({ resource_changes: [rc('a.b', ['create']), rc('a.c', ['update'])] })
    expect(d).toMatchObject({ allowed: true, destroyCount: 0, counted: [] })
  })

  it('blocks a delete with max-destroy 0', () => {
    const d = gate({ resource_changes: [rc('google_storage_bucket.logs', ['delete'])] })
    expect(d).toMatchObject({ allowed: false, destroyCount: 1, counted: ['google_storage_bucket.logs'] })
    expect(d.reason).toBe('The plan destroys 1 resource; at most 0 are allowed.')
  })

  it('counts both replace orders, not only the last action', () => {
    const d = gate({ resource_changes: [rc('a.one', ['delete', 'create']), rc('a.two', ['create', 'delete'])] }, { maxDestroy: 1 })
    expect(d).toMatchObject({ allowed: false, destroyCount: 2, replaceCount: 2 })
    expect(d.reason).toMatch(/2 resources \(replacements included\); at most 1 is allowed/)
  })

  it('lets replacements through with count-replace false, but not deletes', () => {
    expect(gate({ resource_changes: [rc('a.one', ['create', 'delete'])] }, { countReplace: false })).toMatchObject({
      allowed: true,
      destroyCount: 0,
      replaceCount: 1,
    })
    expect(gate({ resource_changes: [rc('a.one', ['create', 'delete']), rc('a.x', ['delete'])] }, { countReplace: false }).allowed).toBe(
      false,
    )
  })

  it('counts deposed objects, each apart from the current object', () => {
    const d = gate(
      { resource_changes: [rc('a.db', ['create', 'delete']), rc('a.db', ['delete'], { deposed: '0a1b2c' })] },
      { maxDestroy: 1 },
    )
    expect(d.counted).toEqual(['a.db', 'a.db (deposed 0a1b2c)'])
    expect(d.allowed).toBe(false)
  })

  it('counts instances in any module and any count/for_each key', () => {
    const d = gate(
      {
        resource_changes: [
          rc('module.a["x"].module.b.aws_s3_bucket.this[0]', ['delete'], { module_address: 'module.a["x"].module.b' }),
          rc('module.a["x"].module.b.aws_s3_bucket.this[1]', ['delete'], { module_address: 'module.a["x"].module.b' }),
        ],
      },
      { maxDestroy: 1 },
    )
    expect(d.destroyCount).toBe(2)
  })

  it('lists forget but never counts it', () => {
    const d = gate({
      resource_changes: [
        rc('a.kept', ['forget'], { action_reason: 'delete_because_no_resource_config' }),
        rc('a.tf', ['create', 'forget']),
        rc('a.tofu', ['forget', 'create']),
      ],
    })
    expect(d).toMatchObject({ allowed: true, destroyCount: 0 })
    expect(d.rows.map((r) => r.verdict)).toEqual(['forget', 'forget', 'forget'])
  })

  it('never counts data sources, and mixes import with destroy correctly', () => {
    const d = gate({
      resource_changes: [
        rc('data.google_project.p', ['read'], { mode: 'data' }),
        rc('a.imported', ['no-op'], { change: { importing: { id: 'x' } } }),
        rc('a.imp_then_replace', ['delete', 'create'], { change: { importing: { id: 'y' } } }),
      ],
    })
    expect(d.counted).toEqual(['a.imp_then_replace'])
  })

  it('lists deferred destroys as a warning without counting them', () => {
    const d = gate({
      resource_changes: [],
      deferred_changes: [{ reason: 'provider_config_unknown', resource_change: rc('a.later', ['delete']) }],
      complete: false,
    })
    expect(d).toMatchObject({ allowed: true, destroyCount: 0 })
    expect(d.rows).toEqual([expect.objectContaining({ address: 'a.later', verdict: 'deferred' })])
  })

  it('ignores drift deletes: they already happened', () => {
    expect(gate({ resource_drift: [rc('a.gone', ['delete'])] }).allowed).toBe(true)
  })

  it('blocks protected resources even with allow-destroy or an approved label', () => {
    const fields = {
      resource_changes: [rc('module.db.google_sql_database_instance.main', ['delete', 'create'], { module_address: 'module.db' })],
    }
    const d = gate(
      fields,
      { protected: ['google_sql_database_instance.*'], allowDestroy: true, maxDestroy: -1 },
      { allowDestroy: { by: 'alice' }, approval: { by: 'bob' } },
    )
    expect(d).toMatchObject({ allowed: false, protectedHits: ['module.db.google_sql_database_instance.main'] })
    expect(d.reason).toMatch(/protected resource.*remove it from 'protected' in a reviewed change/)
    expect(gate(fields, { protected: ['module.db.*'] }).allowed).toBe(false)
  })

  it('matches globs against addresses with quotes, brackets and dots', () => {
    const fields = { resource_changes: [rc('module.x["a.b"].aws_s3_bucket.this[0]', ['delete'], { module_address: 'module.x["a.b"]' })] }
    expect(gate(fields, { protected: ['module.x["a.b"].aws_s3_bucket.this[0]'] }).protectedHits).toHaveLength(1)
    expect(gate(fields, { protected: ['module.x["a-b"].*'] }).protectedHits).toHaveLength(0)
    expect(gate(fields, { ignore: ['aws_s3_bucket.*'] })).toMatchObject({ allowed: true, destroyCount: 0 })
  })

  it('protects a resource moved out of a protected module (a real Terraform 1.11 plan: moved to an unconfigured address)', () => {
    const fields = {
      resource_changes: [
        rc('terraform_data.gone', ['delete'], {
          previous_address: 'module.db.terraform_data.main',
          action_reason: 'delete_because_no_move_target',
        }),
      ],
    }
    const d = gate(fields, { protected: ['module.db.*'], allowDestroy: true, maxDestroy: -1 }, { allowDestroy: { by: 'alice' } })
    expect(d).toMatchObject({ allowed: false, protectedHits: ['terraform_data.gone (moved from module.db.terraform_data.main)'] })
    // Ignored only when every address it has is: the object destroyed was at module.db's address.
    expect(gate(fields, { ignore: ['module.db.*'] }).allowed).toBe(false)
    expect(gate(fields, { ignore: ['module.db.*', 'terraform_data.gone'] }).allowed).toBe(true)
  })

  it('does not ignore a resource moved into an ignored path to be destroyed there (the author picks the new address)', () => {
    const fields = {
      resource_changes: [
        rc('module.sandbox.terraform_data.main', ['delete'], {
          module_address: 'module.sandbox',
          previous_address: 'module.db.terraform_data.main',
          action_reason: 'delete_because_no_move_target',
        }),
      ],
    }
    const d = gate(fields, { ignore: ['module.sandbox.*'] })
    expect(d).toMatchObject({ allowed: false, destroyCount: 1 })
    expect(d.countedAddresses).toEqual(['module.sandbox.terraform_data.main'])
  })

  it('counts a move into an ignored path as a destroy (the next plan could destroy it there uncounted), which an approval can allow', () => {
    const move = (to: string, from = 'aws_s3_bucket.logs') => ({
      resource_changes: [rc(to, ['no-op'], { previous_address: from })],
    })
    const d = gate(move('terraform_data.logs'), { ignore: ['terraform_data.*'] })
    expect(d).toMatchObject({ allowed: false, destroyCount: 1, countedAddresses: ['terraform_data.logs'] })
    expect(d.reason).toBe(
      "The plan takes 1 resource into 'ignore' (aws_s3_bucket.logs → terraform_data.logs, by terraform_data.*), counted as a destroy; at most 0 are allowed.",
    )
    expect(d.rows).toEqual([
      expect.objectContaining({
        address: 'terraform_data.logs (moved from aws_s3_bucket.logs)',
        verdict: 'moved-into-ignore',
        pattern: 'terraform_data.*',
      }),
    ])
    expect(gate(move('terraform_data.logs'), { ignore: ['terraform_data.*'] }, { approval: { by: 'bob' } })).toMatchObject({
      allowed: true,
      overridden: true,
    })
    expect(gate(move('terraform_data.logs'), { ignore: ['terraform_data.*'], maxDestroy: 1 }).allowed).toBe(true)
    // Within ignore, out of ignore, or protected where it goes: not counted.
    expect(gate(move('terraform_data.b', 'terraform_data.a'), { ignore: ['terraform_data.*'] })).toMatchObject({
      allowed: true,
      destroyCount: 0,
    })
    expect(gate(move('aws_s3_bucket.b', 'terraform_data.a'), { ignore: ['terraform_data.*'] })).toMatchObject({
      allowed: true,
      destroyCount: 0,
    })
    expect(gate(move('terraform_data.logs'), { ignore: ['terraform_data.*'], protected: ['terraform_data.logs'] })).toMatchObject({
      allowed: true,
      destroyCount: 0,
    })
    // A forgotten resource is not destroyed wherever it was moved.
    const forget = { resource_changes: [rc('terraform_data.logs', ['forget'], { previous_address: 'aws_s3_bucket.logs' })] }
    expect(gate(forget, { ignore: ['terraform_data.*'] })).toMatchObject({ allowed: true, destroyCount: 0 })
  })

  it('counts a replacement moved into ignore even with count-replace false, and an import into ignore (from a hostile review)', () => {
    const replacedInto = {
      resource_changes: [rc('terraform_data.scratch_db', ['delete', 'create'], { previous_address: 'terraform_data.db' })],
    }
    expect(gate(replacedInto, { ignore: ['terraform_data.scratch_*'], countReplace: false })).toMatchObject({
      allowed: false,
      destroyCount: 1,
      rows: [expect.objectContaining({ verdict: 'moved-into-ignore' })],
    })
    // removed { destroy = false } of db plus import { to = scratch_db, id = db's }: a move the plan does not call one.
    const imported = {
      resource_changes: [
        rc('terraform_data.db', ['forget']),
        rc('terraform_data.scratch_db', ['no-op'], { change: { importing: { id: '5f2c' } } }),
      ],
    }
    const d = gate(imported, { ignore: ['terraform_data.scratch_*'] })
    expect(d).toMatchObject({ allowed: false, destroyCount: 1, countedAddresses: ['terraform_data.scratch_db'] })
    expect(d.reason).toBe(
      "The plan takes 1 resource into 'ignore' (import → terraform_data.scratch_db, by terraform_data.scratch_*), counted as a destroy; at most 0 are allowed.",
    )
    // An import replaced at once in an ignored path destroys the imported object: counted too.
    const importReplaced = {
      resource_changes: [rc('terraform_data.scratch_db', ['delete', 'create'], { change: { importing: { id: '5f2c' } } })],
    }
    expect(gate(importReplaced, { ignore: ['terraform_data.scratch_*'] })).toMatchObject({ allowed: false, destroyCount: 1 })
    // An import anywhere else is not a destroy, nor one into a pattern that ignores its whole type
    // (the object's destroy was ignored wherever it was: the README's own ignore list).
    expect(gate(imported, { ignore: ['null_resource.*'] })).toMatchObject({ allowed: true, destroyCount: 0 })
    for (const typeWide of ['terraform_data.*', 'terraform_data', '*'])
      expect(gate(imported, { ignore: [typeWide, 'null_resource.*'] }), typeWide).toMatchObject({ allowed: true, destroyCount: 0 })
    expect(gate(imported, { ignore: ['module.scratch.*', '*.scratch_*'] })).toMatchObject({ allowed: false, destroyCount: 1 })
    // A pattern that names the resource is not type-wide, whatever name the gate probes with.
    for (const named of ['*scratch*', '*db*', 'terraform_data.s*'])
      expect(gate(imported, { ignore: [named] }), named).toMatchObject({ allowed: false, destroyCount: 1 })
    for (const name of ['x', 'y1', 'probe']) {
      const at = { resource_changes: [rc(`terraform_data.${name}`, ['no-op'], { change: { importing: { id: 'prod-db' } } })] }
      expect(gate(at, { ignore: [`*${name}*`] }), name).toMatchObject({ allowed: false, destroyCount: 1 })
    }
  })

  it('blocks forgetting a protected resource (it could be imported again out of protection), with no override', () => {
    const forgets = { resource_changes: [rc('terraform_data.db', ['forget'])] }
    const d = gate(forgets, { protected: ['terraform_data.db'], maxDestroy: -1 }, { allowDestroy: { by: 'alice' } })
    expect(d).toMatchObject({ allowed: false, protectedAddresses: ['terraform_data.db'], destroyCount: 0 })
    expect(d.reason).toMatch(/^The plan forgets 1 protected resource \(terraform_data\.db\); no override allows that\./)
    expect(d.rows).toEqual([expect.objectContaining({ verdict: 'forget-protected', pattern: 'terraform_data.db' })])
    // Moved out and forgotten in one plan: said as the forget it is.
    const movedAndForgotten = {
      resource_changes: [rc('terraform_data.scratch_db', ['forget'], { previous_address: 'terraform_data.db' })],
    }
    expect(gate(movedAndForgotten, { protected: ['terraform_data.db'] }).reason).toMatch(/^The plan forgets 1 protected resource/)
    expect(gate(forgets).allowed).toBe(true)
  })

  it('says what was counted: a move is not called a destroy, replacements only when one is counted', () => {
    const fields = {
      resource_changes: [
        rc('terraform_data.scratch_a', ['no-op'], { previous_address: 'terraform_data.a' }),
        rc('terraform_data.scratch_b', ['no-op'], { previous_address: 'terraform_data.b' }),
        rc('null_resource.x', ['delete', 'create']),
        rc('aws_s3_bucket.logs', ['delete']),
      ],
    }
    const rules = { ignore: ['terraform_data.scratch_*', 'null_resource.*'] }
    expect(gate(fields, { ...rules, maxDestroy: 3 }).reason).toBe(
      "The plan destroys 1 resource and takes 2 resources into 'ignore' (terraform_data.a → terraform_data.scratch_a, by terraform_data.scratch_*; " +
        'terraform_data.b → terraform_data.scratch_b, by terraform_data.scratch_*), counted as destroys: 3 counted, at most 3 allowed.',
    )
    expect(gate(fields, rules).reason).toMatch(
      /^The plan destroys 1 resource and takes 2 resources into 'ignore' .*; at most 0 are allowed\.$/,
    )
  })

  it('blocks a move that takes a protected resource out of every protected pattern (it could then be destroyed unprotected)', () => {
    const move = (to: string) => ({
      resource_changes: [rc(to, ['no-op'], { previous_address: 'module.db.terraform_data.main' })],
    })
    const d = gate(
      move('module.archive.terraform_data.main'),
      { protected: ['module.db.*'], maxDestroy: -1 },
      { allowDestroy: { by: 'alice' } },
    )
    expect(d.allowed).toBe(false)
    expect(d.reason).toMatch(
      /^The plan moves 1 protected resource out of 'protected' \(module\.db\.terraform_data\.main → module\.archive\.terraform_data\.main, by module\.db\.\*\); no override allows that\./,
    )
    expect(d.protectedAddresses).toEqual(['module.archive.terraform_data.main'])
    // Into an instance of the same module (count added): still protected, and allowed.
    expect(gate(move('module.db[0].terraform_data.main'), { protected: ['module.db.*'] }).allowed).toBe(true)
    // count added to a resource protected by its address: Terraform's implicit move to [0], still protected.
    const counted = {
      resource_changes: [rc('google_sql_database_instance.main[0]', ['no-op'], { previous_address: 'google_sql_database_instance.main' })],
    }
    expect(gate(counted, { protected: ['google_sql_database_instance.main'] }).allowed).toBe(true)
  })

  it('outputs addresses, not the labels of the summary (deposed objects, moves)', () => {
    const d = gate(
      {
        resource_changes: [
          rc('terraform_data.db["a"]', ['delete'], { deposed: '00000001' }),
          rc('terraform_data.db["a"]', ['delete', 'create']),
          rc('terraform_data.gone', ['delete'], { previous_address: 'terraform_data.old' }),
        ],
      },
      { protected: ['terraform_data.gone'] },
    )
    expect(d.countedAddresses).toEqual(['terraform_data.db["a"]', 'terraform_data.gone'])
    expect(d.protectedAddresses).toEqual(['terraform_data.gone'])
    expect(d.rows.map((r) => r.address)).toContain('terraform_data.db["a"] (deposed 00000001)')
  })

  it('does not let ignore hide a protected resource', () => {
    const d = gate(
      { resource_changes: [rc('null_resource.db', ['delete'])] },
      { protected: ['null_resource.db'], ignore: ['null_resource.*'] },
    )
    expect(d.allowed).toBe(false)
  })

  it('lets destroys through an override, naming who', () => {
    const d = gate(
      { resource_changes: [rc('a.b', ['delete'])] },
      { allowDestroy: true },
      { allowDestroy: { by: 'alice (allow-destroy: true)' } },
    )
    expect(d).toMatchObject({ allowed: true, overridden: true })
    expect(d.reason).toMatch(/but alice \(allow-destroy: true\) allowed it/)
  })

  it('adds the label refusal to the reason', () => {
    const d = gate(
      { resource_changes: [rc('a.b', ['delete'])] },
      {},
      { refusals: ["The label 'allow-destroy' was added by eve, who has 'triage' permission."] },
    )
    expect(d.allowed).toBe(false)
    expect(d.reason).toMatch(/eve, who has 'triage'/)
  })

  it('honours max-destroy -1 and limits above the count', () => {
    expect(gate({ resource_changes: [rc('a.b', ['delete']), rc('a.c', ['delete'])] }, { maxDestroy: -1 }).allowed).toBe(true)
    expect(gate({ resource_changes: [rc('a.b', ['delete']), rc('a.c', ['delete'])] }, { maxDestroy: 2 }).allowed).toBe(true)
  })

  it('fails closed on an errored plan or an unknown action, whatever the limit', () => {
    const errored = gate({ errored: true, resource_changes: [] }, { maxDestroy: -1, allowDestroy: true }, { allowDestroy: { by: 'x' } })
    expect(errored).toMatchObject({ allowed: false, unverifiable: true })
    expect(errored.reason).toMatch(/^Cannot verify the plan: it errored/)
    const unknown = gate({ resource_changes: [rc('a.b', ['destroy-later'])] }, { maxDestroy: -1 })
    expect(unknown).toMatchObject({ allowed: false, unverifiable: true })
    // Names of Object.prototype members are unknown actions too, not known ones.
    for (const action of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(gate({ resource_changes: [rc('a.b', [action])] }, { maxDestroy: -1 }), action).toMatchObject({
        allowed: false,
        unverifiable: true,
      })
    }
  })
})

describe('destroy-gate annotations', () => {
  it('shows a for_each key with bidi or zero-width characters as escapes, so the address reads as it is', async () => {
    const { addressAnnotations } = await import('../src/report.js')
    const d = gate({ resource_changes: [rc('google_storage_bucket.b["prod\u202e\u200bgol"]', ['delete'])] })
    const lines = addressAnnotations(d)
    expect(lines).toEqual(['Would be destroyed: google_storage_bucket.b["prod\\u202e\\u200bgol"]'])
  })
})

describe('destroy-gate reason', () => {
  it('names protected addresses with their bidi and zero-width characters as escapes (it becomes the error line and an output)', () => {
    const d = gate(
      { resource_changes: [rc('google_sql_database_instance.db["a\u202eb\u200bc"]', ['delete'])] },
      { protected: ['google_sql_database_instance.*'] },
    )
    expect(d.reason).toContain('google_sql_database_instance.db["a\\u202eb\\u200bc"]')
    expect(d.reason).not.toMatch(/[\u202e\u200b]/)
  })
})
