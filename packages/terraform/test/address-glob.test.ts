import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { AddressMatcher, addressGlobProblem, compileAddressGlob, localAddress, splitModule } from '../src/index.js'

describe('address globs', () => {
  const m = (patterns: string[], address: string, moduleAddress?: string, type?: string) =>
    new AddressMatcher(patterns).match({ address, moduleAddress, type })

  it('treats brackets, quotes and dots literally and * as any run', () => {
    expect(m(['module.x["a.b"].aws_s3_bucket.this[0]'], 'module.x["a.b"].aws_s3_bucket.this[0]')).toBeDefined()
    expect(m(['module.x["a.b"].aws_s3_bucket.this[0]'], 'module.x["a-b"].aws_s3_bucket.this[0]')).toBeUndefined()
    expect(m(['module.x[*].aws_s3_bucket.*'], 'module.x["a.b"].aws_s3_bucket.this[0]')).toBeDefined()
    expect(compileAddressGlob('a.b[?]').test('a.b[0]')).toBe(true)
    expect(compileAddressGlob('a.b').test('axb')).toBe(false)
  })

  it('matches a type pattern in any module, and a module prefix', () => {
    expect(m(['google_sql_database_instance.*'], 'module.db.google_sql_database_instance.main', 'module.db')).toBe(
      'google_sql_database_instance.*',
    )
    expect(m(['module.db.*'], 'module.db.module.inner.google_sql_database_instance.main', 'module.db.module.inner')).toBe('module.db.*')
    expect(m(['module.db.*'], 'module.dbx.google_sql_database_instance.main', 'module.dbx')).toBeUndefined()
    expect(m(['null_resource'], 'module.a.null_resource.x', 'module.a', 'null_resource')).toBe('null_resource')
    expect(m(['null_resource'], 'module.a.null_resource_x.x', 'module.a', 'null_resource_x')).toBeUndefined()
  })

  it('matches every instance of a module named without its key (module.db.* is module.db[0] and module.db["eu"] too)', () => {
    expect(m(['module.db.*'], 'module.db[0].terraform_data.main')).toBe('module.db.*')
    expect(m(['module.db.*'], 'module.db["eu.west"].google_sql_database_instance.main')).toBe('module.db.*')
    expect(m(['module.a.module.b.*'], 'module.a[1].module.b["k\\"]"].x.y')).toBe('module.a.module.b.*')
    expect(m(['module.db.*'], 'module.db_old[0].x.y')).toBeUndefined()
    expect(m(['module.db.*'], 'module.dbx["a"].x.y')).toBeUndefined()
    // A key in the pattern still names that instance only.
    expect(m(['module.db[0].*'], 'module.db[1].x.y')).toBeUndefined()
    // A module named alone is everything in it, as `-target=module.db` is (no address ends in a module).
    expect(m(['module.db'], 'module.db.google_sql_database_instance.main')).toBe('module.db')
    expect(m(['module.db'], 'module.db["eu"].module.inner.x.y')).toBe('module.db')
    expect(m(['module.db[0]'], 'module.db[0].x.y')).toBe('module.db[0]')
    expect(m(['module.db[0]'], 'module.db[1].x.y')).toBeUndefined()
    expect(m(['module.db'], 'module.dbx.x.y')).toBeUndefined()
    // Every instance's contents, not only addresses that end in a key.
    expect(m(['module.db[*]'], 'module.db[0].aws_db_instance.main')).toBe('module.db[*]')
    expect(m(['module.db[*]'], 'module.db["eu"].aws_db_instance.replica["a"]')).toBe('module.db[*]')
    expect(m(['module.db[*]'], 'module.dbx[0].aws_db_instance.main')).toBeUndefined()
    expect(m(['module.db[*]'], 'module.db.aws_db_instance.main')).toBe('module.db[*]')
    // So is a resource named without its key (count or for_each added: an implicit move to [0]).
    expect(m(['google_sql_database_instance.main'], 'google_sql_database_instance.main[0]')).toBeDefined()
    expect(m(['google_sql_database_instance.main'], 'google_sql_database_instance.main["eu"]')).toBeDefined()
    expect(m(['google_sql_database_instance.main'], 'google_sql_database_instance.main_replica')).toBeUndefined()
    expect(m(['google_sql_database_instance.main[0]'], 'google_sql_database_instance.main[1]')).toBeUndefined()
  })

  it('reads [*] as any instance or none, and ? in a module name as part of it (a module or resource without count matched nothing)', () => {
    expect(m(['module.m[*].*'], 'module.m.terraform_data.r')).toBe('module.m[*].*')
    expect(m(['module.m[*].*'], 'module.m["a"].terraform_data.r')).toBe('module.m[*].*')
    expect(m(['module.m[*].*'], 'module.mx.terraform_data.r')).toBeUndefined()
    expect(m(['terraform_data.x[*]'], 'terraform_data.x')).toBe('terraform_data.x[*]')
    expect(m(['terraform_data.x[*]'], 'terraform_data.x[3]')).toBe('terraform_data.x[*]')
    expect(m(['terraform_data.x[*]'], 'terraform_data.xy')).toBeUndefined()
    expect(m(['module.d?.*'], 'module.db[0].r.n')).toBe('module.d?.*')
    expect(m(['module.d?.*'], 'module.db.r.n')).toBe('module.d?.*')
    expect(m(['module.d?'], 'module.db["eu"].r.n')).toBe('module.d?')
    expect(m(['terraform_data.scratc?'], 'terraform_data.scratch[0]')).toBe('terraform_data.scratc?')
  })

  it('ignores only what every address of a change matches: a move into an ignored path is not ignored', () => {
    const moved = {
      address: 'module.sandbox.terraform_data.main',
      moduleAddress: 'module.sandbox',
      previousAddress: 'module.db.terraform_data.main',
    }
    expect(new AddressMatcher(['module.sandbox.*']).matchEvery(moved)).toBeUndefined()
    expect(new AddressMatcher(['module.sandbox.*', 'module.db.*']).matchEvery(moved)).toBe('module.sandbox.*')
    expect(new AddressMatcher(['terraform_data.*']).matchEvery(moved)).toBe('terraform_data.*')
    expect(new AddressMatcher(['module.sandbox.*']).matchEvery({ address: 'module.sandbox.terraform_data.x' })).toBe('module.sandbox.*')
  })

  it('tells a move out of what the patterns cover', () => {
    const out = { address: 'module.other.terraform_data.main', previousAddress: 'module.db.terraform_data.main' }
    expect(new AddressMatcher(['module.db.*']).movedOutOf(out)).toBe('module.db.*')
    expect(new AddressMatcher(['module.db.*']).movedOutOf({ ...out, address: 'module.db[0].terraform_data.main' })).toBeUndefined()
    expect(new AddressMatcher(['module.db.*']).movedOutOf({ address: 'module.other.x.y' })).toBeUndefined()
  })

  it('does not let a key containing a module-like string confuse the local address', () => {
    expect(localAddress({ address: 'module.a["module.b"].x.y', moduleAddress: 'module.a["module.b"]' })).toBe('x.y')
  })

  it('sees the address a resource was moved from (a moved block cannot take it out of protection)', () => {
    const moved = { address: 'terraform_data.gone', type: 'terraform_data', previousAddress: 'module.db.terraform_data.main' }
    expect(new AddressMatcher(['module.db.*']).match(moved)).toBe('module.db.*')
    expect(new AddressMatcher(['terraform_data.main']).match(moved)).toBe('terraform_data.main')
    expect(new AddressMatcher(['module.other.*']).match(moved)).toBeUndefined()
    const retyped = { address: 'aws_s3_bucket_v2.b', type: 'aws_s3_bucket_v2', previousAddress: 'module.x[0].aws_s3_bucket.b' }
    expect(new AddressMatcher(['aws_s3_bucket']).match(retyped)).toBe('aws_s3_bucket')
  })

  it('splits the module path off an address, keys with dots, brackets and quotes included', () => {
    expect(splitModule('module.a["x.y"].module.b[0].aws_s3_bucket.c')).toEqual({
      module: 'module.a["x.y"].module.b[0]',
      local: 'aws_s3_bucket.c',
    })
    expect(splitModule('module.a["]\\".module.z"].data.x.y')).toEqual({ module: 'module.a["]\\".module.z"]', local: 'data.x.y' })
    expect(splitModule('aws_s3_bucket.c')).toEqual({ module: '', local: 'aws_s3_bucket.c' })
  })
})

describe('patterns that can never match an address', () => {
  it('are told apart, with what is wrong', () => {
    expect(addressGlobProblem('module.db.')).toBe(
      "'module.db.' can never match a resource address: an address never ends in '.' (did you mean 'module.db.*' or 'module.db'?)",
    )
    expect(addressGlobProblem('.module.db')).toMatch(/: an address never starts with '\.'$/)
    expect(addressGlobProblem('[0]')).toMatch(/: an address never starts with '\['$/)
    expect(addressGlobProblem('module.db..aws_db_instance.main')).toMatch(/: an address has no empty part \('\.\.'\) outside a quoted key$/)
    expect(addressGlobProblem('module.db .*')).toMatch(/: an address has no white space outside a quoted key$/)
    expect(addressGlobProblem('module.db,')).toMatch(/: an address never ends in ','$/)
  })

  it('refuse no pattern that matches an address: every pattern of the README, and every address of the corpus with parts replaced by *', () => {
    const fine = [
      'terraform_data.*',
      'null_resource',
      'module.x["a.b"].aws_s3_bucket.this[0]',
      'module.db[*]',
      'module.db',
      'module.db[0].*',
      '*',
      '?',
      'google_sql_database_instance.*',
      'module.dbs["eu,primary"].*',
      'data.x.y',
      'aws_s3_bucket.b["a b"]',
      'aws_s3_bucket.b["a..b"]',
      '*..x"]',
      'x.y["a*',
      '*.main',
      '_x.y',
      'a-b.c',
    ]
    for (const p of fine) expect(addressGlobProblem(p), p).toBeUndefined()
    const addresses = new Set<string>()
    for (const file of corpusFiles('terraform')) {
      if (!file.endsWith('.json')) continue
      let plan: { resource_changes?: { address?: unknown; previous_address?: unknown }[] }
      try {
        plan = JSON.parse(readFileSync(corpusPath('terraform', file), 'utf8'))
      } catch {
        continue
      }
      for (const c of Array.isArray(plan?.resource_changes) ? plan.resource_changes : [])
        for (const a of [c?.address, c?.previous_address]) if (typeof a === 'string') addresses.add(a)
    }
    expect(addresses.size).toBeGreaterThan(100)
    for (const a of addresses) {
      const variants = [
        a,
        `${a}*`,
        `*${a.slice(1)}`,
        a.replace(/\.[^.]*$/, '.*'),
        a.replace(/\[[^\]]*\]$/, '[*]'),
        a.slice(0, Math.ceil(a.length / 2)) + '*',
      ]
      for (const p of variants) {
        if (compileAddressGlob(p).test(a)) expect(addressGlobProblem(p), `${p} (matches ${a})`).toBeUndefined()
      }
    }
  })
})
