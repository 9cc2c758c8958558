import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Inputs, InputError, parseDuration, parseList } from '../src/index.js'

const inputs = (values: Record<string, string>) => Inputs.of(values)

describe('Inputs', () => {
  it('reads hyphenated names the way the runner passes them (core.getInput: INPUT_ upper-cased, hyphens kept, trimmed)', () => {
    process.env['INPUT_MAX-DESTROY'] = ' 3 '
    process.env.INPUT_PLAN_FILE = 'x'
    try {
      const read = new Inputs()
      expect(read.integer('max-destroy', { default: 0, min: -1 })).toBe(3)
      expect(read.string('plan file')).toBe('x')
      expect([...read.names]).toEqual(['max-destroy', 'plan file'])
    } finally {
      delete process.env['INPUT_MAX-DESTROY']
      delete process.env.INPUT_PLAN_FILE
    }
  })

  it('does not take a name for an inherited property as set', () => {
    expect(inputs({}).optionalString('constructor')).toBeUndefined()
    expect(inputs({}).optionalString('__proto__')).toBeUndefined()
  })

  it('names the input, the rule and the value in integer errors', () => {
    expect(() => inputs({ 'max-destroy': 'two' }).integer('max-destroy', { default: 0, min: -1 })).toThrow(
      `Input 'max-destroy' must be a whole number >= -1, got "two"`,
    )
    expect(() => inputs({ 'max-destroy': '-2' }).integer('max-destroy', { default: 0, min: -1 })).toThrow(InputError)
    expect(() => inputs({ n: '1.5' }).integer('n', { default: 0 })).toThrow(/whole number/)
    expect(() => inputs({ n: '99999999999999999999' }).integer('n', { default: 0 })).toThrow(/whole number/)
  })

  it('uses defaults for empty inputs', () => {
    const i = inputs({})
    expect(i.integer('max-destroy', { default: 0 })).toBe(0)
    expect(i.boolean('artifact', true)).toBe(true)
    expect(i.string('title', { default: 'Terraform plan' })).toBe('Terraform plan')
    expect(i.list('protected')).toEqual([])
  })

  it('accepts the YAML 1.2 core booleans only', () => {
    expect(inputs({ b: 'True' }).boolean('b', false)).toBe(true)
    expect(inputs({ b: 'FALSE' }).boolean('b', true)).toBe(false)
    expect(() => inputs({ b: 'yes' }).boolean('b', false)).toThrow(`Input 'b' must be true or false, got "yes"`)
  })

  it('checks enums and lists the allowed values', () => {
    expect(inputs({ 'comment-mode': 'recreate' }).enumeration('comment-mode', ['update', 'recreate', 'new', 'off'], 'update')).toBe(
      'recreate',
    )
    expect(() => inputs({ 'comment-mode': 'upsert' }).enumeration('comment-mode', ['update', 'recreate'], 'update')).toThrow(
      `Input 'comment-mode' must be one of 'update', 'recreate', got "upsert"`,
    )
  })

  it('parses durations and percentages', () => {
    expect(parseDuration('30s')).toBe(30_000)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1.5h')).toBe(5_400_000)
    expect(parseDuration('250ms')).toBe(250)
    expect(parseDuration('90')).toBe(90_000)
    expect(parseDuration('5 minutes')).toBeUndefined()
    expect(() => inputs({ wait: 'soon' }).duration('wait', 1000)).toThrow(
      `Input 'wait' must be a duration such as 30s, 5m or 1h, got "soon"`,
    )
    expect(inputs({ p: '12.5%' }).percentage('p', 0)).toBe(12.5)
    expect(() => inputs({ p: '120%' }).percentage('p', 0)).toThrow(/from 0 to 100/)
  })

  it('splits newline- or comma-separated lists and drops blanks and comments', () => {
    expect(parseList('a.*, b.*\n\n# note\n  c  ')).toEqual(['a.*', 'b.*', 'c'])
    expect(parseList('a\r\nb')).toEqual(['a', 'b'])
  })

  it('keeps commas inside brackets and quotes: for_each keys may hold them', () => {
    expect(parseList('module.dbs["eu,primary"].*, google_sql_database_instance.*')).toEqual([
      'module.dbs["eu,primary"].*',
      'google_sql_database_instance.*',
    ])
    expect(parseList('terraform_data.t["*,*"]')).toEqual(['terraform_data.t["*,*"]'])
    expect(parseList('a["x\\",y"], b')).toEqual(['a["x\\",y"]', 'b'])
    expect(parseList('m[0], n')).toEqual(['m[0]', 'n'])
  })

  it('checks that paths exist, relative to a base', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'inputs-'))
    writeFileSync(path.join(dir, 'plan.json'), '{}')
    expect(inputs({ 'plan-json': 'plan.json' }).existingPath('plan-json', { base: dir })).toBe(path.join(dir, 'plan.json'))
    expect(() => inputs({ 'plan-json': 'nope.json' }).existingPath('plan-json', { base: dir })).toThrow(
      /Input 'plan-json' names a path that does not exist: "nope.json"/,
    )
    expect(() => inputs({ 'plan-json': '.' }).existingPath('plan-json', { base: dir, kind: 'file' })).toThrow(/must name a regular file/)
    execFileSync('mkfifo', [path.join(dir, 'fifo')])
    expect(() => inputs({ 'plan-json': 'fifo' }).existingPath('plan-json', { base: dir, kind: 'file' })).toThrow(/must name a regular file/)
    expect(() => inputs({}).existingPath('plan-json', { required: true })).toThrow(`Input 'plan-json' is required but was not given`)
  })
})
