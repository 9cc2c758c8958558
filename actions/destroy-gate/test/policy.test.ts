import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Inputs } from '@infra-actions/common'
import { readSettings } from '../src/settings.js'

async function settings(policy: string | undefined, inputs: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'policy-'))
  if (policy !== undefined) writeFileSync(path.join(dir, 'destroy-policy.yml'), policy)
  const values: Record<string, string> = { 'working-directory': dir, 'plan-json': 'plan.json', ...inputs }
  if (policy !== undefined) values.policy = 'destroy-policy.yml'
  return readSettings(Inputs.of(values))
}

const POLICY = `environments:
  prod:  { max-destroy: 0, protected: [google_sql_database_instance.*, google_storage_bucket.*] }
  stage: { max-destroy: 5, count-replace: false }
  dev:   { max-destroy: -1 }
`

describe('policy file', () => {
  it('selects the entry of the environment', async () => {
    expect((await settings(POLICY, { environment: 'stage' })).rules).toMatchObject({ maxDestroy: 5, countReplace: false, protected: [] })
    expect((await settings(POLICY, { environment: 'dev' })).rules.maxDestroy).toBe(-1)
  })

  it("finds an environment's entry whatever its case, as GitHub does, and refuses entries that differ only in case", async () => {
    // `PROD` falling back to a default entry would lose prod's protected list.
    const withDefault = `${POLICY}default: { max-destroy: -1 }\n`
    const r = (await settings(withDefault, { environment: 'PROD' })).rules
    expect(r).toMatchObject({ maxDestroy: 0, protected: ['google_sql_database_instance.*', 'google_storage_bucket.*'] })
    const twice = POLICY.replace('environments:\n', 'environments:\n  PROD: { max-destroy: 3 }\n')
    // Ambiguous whichever spelling the job uses, the exact one included.
    // Ambiguous whichever environment the job names: the policy itself is wrong.
    for (const environment of ['prod', 'Prod', 'stage'])
      await expect(settings(twice, { environment })).rejects.toThrow(/entries 'PROD' and 'prod', one environment to GitHub/)
  })

  it('trims the patterns, as the inputs are (a quoted " aws_db.* " protected nothing)', async () => {
    const r = (await settings('environments:\n  prod: { protected: [" google_sql_database_instance.* "] }\n', { environment: 'prod' }))
      .rules
    expect(r.protected).toEqual(['google_sql_database_instance.*'])
  })

  it('lets explicit inputs win, and adds protected patterns instead of replacing them', async () => {
    const r = (await settings(POLICY, { environment: 'prod', 'max-destroy': '2', protected: 'module.db.*' })).rules
    expect(r.maxDestroy).toBe(2)
    expect(r.protected).toEqual(['module.db.*', 'google_sql_database_instance.*', 'google_storage_bucket.*'])
  })

  it('fails closed on an environment it does not list', async () => {
    await expect(settings(POLICY, { environment: 'qa' })).rejects.toThrow(/has no entry for environment 'qa'.*it has: prod, stage, dev/)
    expect((await settings(`${POLICY}default: { max-destroy: 1 }\n`, { environment: 'qa' })).rules.maxDestroy).toBe(1)
  })

  it('reports unknown keys with their line', async () => {
    await expect(settings(`environments:\n  prod:\n    max-destroy: 0\n    max_destroy: 3\n`, { environment: 'prod' })).rejects.toThrow(
      /destroy-policy.yml:4: environments.prod: unknown key 'max_destroy'/,
    )
  })

  it('reports wrong types and YAML errors with their line', async () => {
    await expect(settings(`environments:\n  prod: { max-destroy: two }\n`, { environment: 'prod' })).rejects.toThrow(
      /destroy-policy.yml:2: environments.prod.max-destroy:/,
    )
    await expect(settings(`environments:\n  prod: { max-destroy: 0\n`, { environment: 'prod' })).rejects.toThrow(
      /destroy-policy.yml:\d+:\d+: invalid YAML/,
    )
  })

  it('names a missing policy file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'))
    await expect(
      readSettings(Inputs.of({ 'working-directory': dir, 'plan-json': 'plan.json', policy: 'nope.yml', environment: 'prod' })),
    ).rejects.toThrow("Input 'policy' (nope.yml) cannot be read: no such file")
  })

  it('defaults to max-destroy 0 with replacements counted', async () => {
    expect((await settings(undefined, {})).rules).toMatchObject({ maxDestroy: 0, countReplace: true, allowDestroy: false })
  })

  it('validates inputs by name', async () => {
    await expect(settings(undefined, { 'max-destroy': 'two' })).rejects.toThrow(
      `Input 'max-destroy' must be a whole number >= -1, got "two"`,
    )
    await expect(settings(undefined, { 'allow-destroy': 'yes' })).rejects.toThrow(`Input 'allow-destroy' must be true or false, got "yes"`)
  })

  it('refuses a list written as one string, with the file and line', async () => {
    await expect(
      settings('environments:\n  prod:\n    protected: google_sql_database_instance.*, google_storage_bucket.*\n', { environment: 'prod' }),
    ).rejects.toThrow(/^destroy-policy\.yml:3: environments\.prod\.protected: must be a list of globs/)
  })

  it('refuses a pattern that can never match an address (module.db. would protect nothing), in an input and in the policy', async () => {
    await expect(settings(undefined, { protected: 'google_sql_database_instance.*\nmodule.db.' })).rejects.toThrow(
      "Input 'protected': 'module.db.' can never match a resource address: an address never ends in '.' (did you mean 'module.db.*' or 'module.db'?).",
    )
    await expect(settings(undefined, { ignore: '.terraform_data.*' })).rejects.toThrow(
      /^Input 'ignore': '\.terraform_data\.\*' can never match/,
    )
    await expect(
      settings('environments:\n  prod:\n    protected:\n      - aws_db.*\n      - module.db..x\n', { environment: 'prod' }),
    ).rejects.toThrow(
      /^destroy-policy\.yml:5: environments\.prod\.protected\.1: 'module\.db\.\.x' can never match a resource address: an address has no empty part/,
    )
  })

  it('splits the protected and ignore inputs on newlines, and on commas outside brackets and quotes', async () => {
    const r = (
      await settings(undefined, {
        protected: 'module.dbs["eu,primary"].*, google_sql_database_instance.*',
        ignore: 'terraform_data.t["*,*"]',
      })
    ).rules
    expect(r.protected).toEqual(['module.dbs["eu,primary"].*', 'google_sql_database_instance.*'])
    expect(r.ignore).toEqual(['terraform_data.t["*,*"]'])
  })

  it('finds no policy entry for names of Object.prototype members', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      await expect(settings(POLICY, { environment: name }), name).rejects.toThrow(
        `has no entry for environment '${name}' and no 'default' entry`,
      )
      expect((await settings(`${POLICY}default: { max-destroy: 0, protected: [x.*] }\n`, { environment: name })).rules.protected).toEqual([
        'x.*',
      ])
    }
    await expect(settings('environments:\n  __proto__: { max-destroy: -1 }\n', { environment: 'prod' })).rejects.toThrow(
      "destroy-policy.yml:2: the key '__proto__' is not allowed",
    )
  })
})
