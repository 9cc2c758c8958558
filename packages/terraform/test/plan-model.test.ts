import { describe, expect, it } from 'vitest'
import { analyzePlan, parsePlanText, planSummaryLine, PlanFormatError } from '../src/index.js'
import { plan, planText, rc } from '../../../test/support/plans.js'

const model = (fields: Record<string, unknown>) => analyzePlan(parsePlanText(JSON.stringify(plan(fields)), 'plan.json'))

describe('parsePlanText refuses anything but one plan document', () => {
  it('refuses a member named twice at every level destroy-gate decides from (read without values)', () => {
    const withChanges = (changes: string) =>
      planText({ resource_changes: 'CHANGES' }).replace('"resource_changes":"CHANGES"', `"resource_changes":${changes}`)
    const element = (change: string) => withChanges(`[{"address":"a.b","mode":"managed","type":"a","name":"b","change":{${change}}}]`)
    const lean = (text: string) => () => parsePlanText(text, 'plan.json', { attributeValues: false })
    expect(lean(element('"actions":["delete"],"actions":["no-op"]'))).toThrow(
      /has the member "actions" twice in one object \(line 1, column \d+\)/,
    )
    expect(lean(element('"actions":["delete"],"before":{},"before":null'))).toThrow(/"before" twice/)
    expect(lean(withChanges('[{"address":"a.b","address":"c.d","change":{"actions":["delete"]}}]'))).toThrow(/"address" twice/)
    expect(lean(planText({ errored: false }).replace('"errored":false', '"errored":true,"errored":false'))).toThrow(/"errored" twice/)
    // A second resource_changes: an empty one after the real one would hide every destroy.
    const hidden = withChanges(`${JSON.stringify([rc('a.b', ['delete'])])},"resource_changes":[]`)
    expect(JSON.parse(hidden).resource_changes).toEqual([])
    expect(lean(hidden)).toThrow(/has the member "resource_changes" twice in one object/)
  })

  const cases: [string, string | Buffer, RegExp][] = [
    ['empty', '', /is empty/],
    // Windows PowerShell: Out-File -Encoding utf8 writes a byte order mark, `>` writes UTF-16.
    ['a byte order mark', `\ufeff${planText()}`, /not one JSON document: it starts with a byte order mark/],
    ['UTF-16', Buffer.from(`\ufeff${planText()}`, 'utf16le'), /not one JSON document: it is UTF-16 text/],
    ['UTF-16 big-endian', Buffer.from(`\ufeff${planText()}`, 'utf16le').swap16(), /not one JSON document: it is UTF-16 text/],
    ['truncated', planText({ resource_changes: [rc('a.b', ['delete'])] }).slice(0, 80), /not one JSON document: it ends early/],
    [
      'setup-terraform wrapper noise',
      `[command]/home/runner/terraform show -json tfplan\n${planText()}\n::debug::exitcode: 0`,
      /setup-terraform's wrapper/,
    ],
    ['terragrunt concatenation', `${planText()}\n${planText()}`, /several JSON documents/],
    [
      'a state file',
      JSON.stringify({ format_version: '1.0', terraform_version: '1.9.5', values: { root_module: {} } }),
      /is a Terraform state, not a plan/,
    ],
    ['HCP redacted plan', JSON.stringify({ plan_format_version: '2.0', resource_changes: [] }), /HCP Terraform's redacted plan/],
    ['unknown format major', planText({ format_version: '2.0' }), /format_version "2.0".*does not know/],
    ['no format_version', JSON.stringify({ resource_changes: [] }), /no format_version/],
    ['an array', '[]', /expected an object, got an array/],
    ['resource_changes not an array', planText({ resource_changes: {} }), /resource_changes is not an array/],
    // Sections that are never built are still checked, byte by byte.
    [
      'damage inside prior_state',
      planText({ prior_state: { values: { root_module: {} } } }).replace('"root_module":{}', '"root_module":tru'),
      /not one JSON document: malformed JSON at line 1, column \d+/,
    ],
    [
      'a control character inside planned_values',
      planText({ planned_values: { root_module: { x: 'a' } } }).replace('"a"', '"a\u0001"'),
      /not one JSON document: malformed JSON/,
    ],
  ]
  const tampered: [string, string, RegExp][] = [
    ['errored as a string', planText({ errored: 'false' }), /errored is "false", not true or false/],
    ['complete as a number', planText({ complete: 1 }), /complete is 1, not true or false/],
    ['format_version and nothing else', JSON.stringify({ format_version: '1.2' }), /none of a plan's keys/],
    ['format_version and errored: false only', JSON.stringify({ format_version: '1.2', errored: false }), /none of a plan's keys/],
    ['format_version with three parts', planText({ format_version: '1.2.3' }), /format_version "1.2.3", which is not <major>.<minor>/],
    ['format_version without a minor', planText({ format_version: '1' }), /which is not <major>.<minor>/],
    ['format_version with a v', planText({ format_version: 'v1.2' }), /which is not <major>.<minor>/],
    ['resource_drift not an array', planText({ resource_drift: {} }), /resource_drift is not an array/],
    ['output_changes not an object', planText({ output_changes: [] }), /output_changes is not an object/],
  ]
  it.each([...cases, ...tampered])('%s', (_name, text, message) => {
    expect(() => parsePlanText(text, 'plan.json')).toThrow(PlanFormatError)
    expect(() => parsePlanText(text, 'plan.json')).toThrow(message)
  })

  it('says where a file is broken without quoting it (a plan holds secrets)', () => {
    const text = planText({ prior_state: { values: { tokens: ['hunter2-hunter2', true] } } }).replace(
      '"hunter2-hunter2",true',
      '"hunter2-hunter2",tru',
    )
    expect(() => JSON.parse(text)).toThrow(/nter2/) // JSON.parse's own message quotes the text around the damage
    expect(() => parsePlanText(text, 'plan.json')).toThrow(/malformed JSON at line 1, column \d+: unexpected character\.$/)
    expect(() => parsePlanText(text, 'plan.json')).not.toThrow(/hunter2/)
  })

  it('accepts format 0.1 through 1.x minors it has never seen', () => {
    expect(() => parsePlanText(planText({ format_version: '0.1' }), 'p')).not.toThrow()
    expect(() => parsePlanText(planText({ format_version: '1.10' }), 'p')).not.toThrow()
  })

  it('rejects a change without actions as damaged', () => {
    expect(() => model({ resource_changes: [{ address: 'a.b', change: {} }] })).toThrow(/no address or no change.actions/)
  })
})

describe('analyzePlan counts like Terraform', () => {
  it('counts a replacement in add, destroy and replace, in both orders', () => {
    const m = model({ resource_changes: [rc('a.one', ['delete', 'create']), rc('a.two', ['create', 'delete']), rc('a.three', ['create'])] })
    expect(m.counts).toMatchObject({ add: 3, change: 0, destroy: 2, replace: 2 })
    expect(m.changes.map((c) => c.replaceOrder)).toEqual(['delete-first', 'create-first', undefined])
    expect(planSummaryLine(m)).toBe('Plan: 3 to add, 0 to change, 2 to destroy.')
  })

  it('counts deposed deletions separately from the current object', () => {
    const m = model({ resource_changes: [rc('a.db', ['update']), rc('a.db', ['delete'], { deposed: '00000001' })] })
    expect(m.counts).toMatchObject({ change: 1, destroy: 1, deposed: 1 })
    expect(m.changes.filter((c) => c.destroys).map((c) => c.deposed)).toEqual(['00000001'])
  })

  it('does not count forget (either spelling) as a destroy', () => {
    const m = model({
      resource_changes: [
        rc('a.kept', ['forget'], { action_reason: 'delete_because_no_resource_config' }),
        rc('a.tf', ['create', 'forget']),
        rc('a.tofu', ['forget', 'create']),
      ],
    })
    expect(m.counts).toMatchObject({ add: 2, destroy: 0, forget: 3 })
    expect(m.changes.some((c) => c.destroys)).toBe(false)
    expect(planSummaryLine(m)).toBe('Plan: 2 to add, 0 to change, 0 to destroy, 3 to forget.')
  })

  it('counts imports and moves riding on no-op and keeps them as changes', () => {
    const m = model({
      resource_changes: [
        rc('a.imported', ['no-op'], { change: { importing: { id: 'projects/p/x' } } }),
        rc('a.moved', ['no-op'], { previous_address: 'a.old' }),
        rc('a.same', ['no-op']),
        rc('a.imp_upd', ['update'], { change: { importing: { id: 'y' } } }),
      ],
    })
    expect(m.counts).toMatchObject({ import: 2, move: 1, change: 1, noop: 3 })
    expect(m.changes.map((c) => c.address)).toEqual(['a.imported', 'a.moved', 'a.imp_upd'])
    expect(m.hasChanges).toBe(true)
    expect(planSummaryLine(m)).toBe('Plan: 2 to import, 0 to add, 1 to change, 0 to destroy.')
  })

  it('never counts data sources, drift or deferred changes as changes', () => {
    const m = model({
      resource_changes: [rc('data.google_project.p', ['read'], { mode: 'data' })],
      resource_drift: [rc('a.gone', ['delete']), rc('a.edited', ['update'])],
      deferred_changes: [{ reason: 'provider_config_unknown', resource_change: rc('a.later', ['delete']) }],
      complete: false,
    })
    expect(m.counts).toMatchObject({ add: 0, change: 0, destroy: 0, read: 1, drift: 2, deferred: 1 })
    expect(m.hasChanges).toBe(false)
    expect(m.complete).toBe(false)
    expect(m.deferred[0]!.item.destroys).toBe(true)
  })

  it('keeps unknown actions apart instead of guessing', () => {
    const m = model({ resource_changes: [rc('a.x', ['open'])] })
    expect(m.unknownActions.map((u) => u.address)).toEqual(['a.x'])
    expect(m.hasChanges).toBe(true)
  })

  it('treats a missing resource_changes as no changes and reads errored', () => {
    const m = model({ errored: true })
    expect(m.errored).toBe(true)
    expect(m.hasChanges).toBe(false)
    expect(planSummaryLine(m)).toBe('No changes. Your infrastructure matches the configuration.')
  })

  it('reads failing checks with their messages', () => {
    const m = model({
      checks: [
        {
          address: { kind: 'resource', to_display: 'a.b' },
          status: 'fail',
          instances: [{ address: { to_display: 'a.b[0]' }, status: 'fail', problems: [{ message: 'Must be in europe' }] }],
        },
        { address: { kind: 'check', to_display: 'check.ok' }, status: 'pass' },
      ],
    })
    expect(m.checks).toEqual([{ address: 'a.b[0]', status: 'fail', problems: ['Must be in europe'] }])
  })

  it('reports output changes and their sensitivity', () => {
    const m = model({
      output_changes: {
        url: { actions: ['update'], before: 'a', after: 'b', before_sensitive: false, after_sensitive: false },
        pw: { actions: ['create'], before: null, after: 's3cret', before_sensitive: true, after_sensitive: true },
      },
    })
    expect(m.outputs.map((o) => [o.name, o.action, o.sensitive])).toEqual([
      ['pw', 'create', true],
      ['url', 'update', false],
    ])
    expect(m.hasChanges).toBe(true)
  })
})
