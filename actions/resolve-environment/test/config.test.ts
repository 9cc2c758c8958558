import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config-schema.js'
import { BUILTIN_RULES } from '../src/builtin-rules.js'
import { DEFAULT_CONFIG } from '../src/default-config.js'

const env = 'environments:\n  dev: {}\n  prod: {}\n'
const bad = (text: string) => () => parseConfig(text, 'environments.yml')

describe('the rules file', () => {
  it('accepts the built-in rules, and ships them exactly as documented', () => {
    expect(parseConfig(DEFAULT_CONFIG, 'built-in').rules).toHaveLength(8)
    expect(BUILTIN_RULES).toEqual(parseConfig(DEFAULT_CONFIG, 'built-in'))
  })

  it('rejects unknown keys with their line', () => {
    expect(bad(`${env}rules:\n  - name: a\n    on: push\n    branch: [main]\n    environment: dev\n    operation: apply\n`)).toThrow(
      /environments.yml:7: rules.0: unknown key 'branch'/,
    )
    expect(bad(`${env}  stage: { aproval: true }\n`)).toThrow(/environments.yml:4: environments.stage: unknown key 'aproval'/)
  })

  it('rejects unknown environments, events and operations', () => {
    expect(bad(`${env}rules:\n  - { name: a, on: push, environment: qa, operation: apply }\n`)).toThrow(
      /environments.yml:5: rule 'a': environment 'qa' is not defined under environments \(dev, prod\)/,
    )
    expect(bad(`${env}rules:\n  - { name: a, on: pushh, environment: dev, operation: apply }\n`)).toThrow(
      'environments.yml:5: rules.0.on: "pushh" is not an event a rule can name; the events are push, pull_request, pull_request_target, merge_group, release, workflow_run, schedule, workflow_dispatch, repository_dispatch',
    )
    expect(bad(`${env}rules:\n  - { name: a, on: [push, Pull_request], environment: dev, operation: apply }\n`)).toThrow(
      /rules.0.on: "Pull_request" is not an event a rule can name \(events are written in lower case: pull_request\)/,
    )
    expect(bad(`${env}rules:\n  - { name: a, on: push, environment: dev, operation: deploy }\n`)).toThrow(/rules.0.operation/)
  })

  it('rejects bad globs and bad templates', () => {
    expect(bad(`${env}rules:\n  - { name: a, on: push, branches: [refs/heads/main], environment: dev, operation: apply }\n`)).toThrow(
      /starts with refs\//,
    )
    expect(bad(`environments:\n  dev: { image-tag: "dev-{sha8}" }\n`)).toThrow(
      /environments.yml:2: environments.dev.image-tag: template "dev-\{sha8\}" uses an unknown variable \{sha8\}/,
    )
    expect(bad(`environments:\n  dev: { image-tag: "dev-{sha7" }\n`)).toThrow(/without '\}'/)
  })

  it('rejects an environment name that is not one, with its line', () => {
    expect(bad(`environments:\n  dev: {}\n  prod: { name: "prod/../{inputs.region}" }\n`)).toThrow(
      /environments.yml:3: environments.prod.name: environment name "prod\/\.\.\/\{inputs.region\}" holds a '\.\.' or '\.' part/,
    )
    expect(bad(`environments:\n  prod: { name: "prod/{inputs.region}" }\n`)).not.toThrow()
    expect(bad(`environments:\n  preview: { name: "preview-pr-{pr}" }\n`)).not.toThrow()
  })

  it('rejects a rule an earlier rule shadows', () => {
    const text = `${env}rules:\n  - { name: all pushes, on: push, environment: dev, operation: apply }\n  - { name: main push, on: push, branches: [main], environment: prod, operation: apply }\n`
    expect(bad(text)).toThrow(
      /environments.yml:6: rule 'main push': can never match, because rule 'all pushes' before it matches everything it would/,
    )
  })

  it('does not call a rule shadowed by `*` when it matches names with a `/` (`*` stops at `/`)', () => {
    const rules = (a: string, b: string) =>
      `${env}rules:\n  - { name: a, on: pull_request, ${a} environment: prod, operation: plan }\n  - { name: b, on: pull_request, ${b} environment: prod, operation: plan }\n`
    const pairs: [string, string][] = [
      ['base: ["*"],', ''],
      ['base: ["*"],', 'base: ["**"],'],
      ['base: ["*"],', 'base: ["release**"],'],
      ['head: ["*"],', 'head: ["dependabot/**"],'],
    ]
    for (const [a, b] of pairs) expect(bad(rules(a, b))).not.toThrow()
    // What `*` or `**` does cover is still said.
    expect(bad(rules('base: ["*"],', 'base: [main],'))).toThrow(/rule 'b': can never match/)
    expect(bad(rules('base: ["**"],', 'base: ["release/**"],'))).toThrow(/rule 'b': can never match/)
  })

  it('refuses {a,b} braces, which GitHub filters do not have (they would match nothing)', () => {
    expect(bad(`${env}rules:\n  - { name: m, on: push, branches: ["{main,master}"], environment: prod, operation: apply }\n`)).toThrow(
      /uses \{a,b\} braces, which GitHub's filters do not have/,
    )
  })

  it('does not call different activities or kinds of push shadowing', () => {
    expect(() => parseConfig(DEFAULT_CONFIG, 'x')).not.toThrow()
    const text = [
      `${env}rules:`,
      '  - { name: plan, on: pull_request, base: main, environment: prod, operation: plan }',
      '  - { name: closed, on: pull_request, base: main, closed: true, environment: dev, operation: destroy }',
      '  - { name: merged, on: pull_request, base: main, merged: true, environment: prod, operation: apply }',
      '',
    ].join('\n')
    expect(bad(text)).toThrow(/rule 'merged': can never match, because rule 'closed'/)
    expect(() =>
      parseConfig(
        `${env}rules:\n  - { name: b, on: push, branches: ["*"], environment: dev, operation: apply }\n  - { name: t, on: push, tags: ["v*"], environment: prod, operation: apply }\n`,
        'x',
      ),
    ).not.toThrow()
  })

  it('rejects apply or destroy on an always-untrusted event', () => {
    expect(bad(`${env}rules:\n  - { name: t, on: pull_request_target, environment: prod, operation: apply }\n`)).toThrow(
      /operation 'apply' on pull_request_target/,
    )
  })

  it('rejects apply on closed pull requests without merged: true (an abandoned PR would be applied)', () => {
    for (const how of [
      'on: pull_request, types: [closed]',
      'on: pull_request, types: [opened, closed]',
      'on: pull_request, closed: true',
      'on: [pull_request, workflow_dispatch], types: [closed]',
    ])
      expect(bad(`${env}rules:\n  - { name: m, ${how}, environment: prod, operation: apply }\n`)).toThrow(
        /rule 'm': operation 'apply' on closed pull requests would apply one closed without merging; add 'merged: true'/,
      )
    for (const ok of ['merged: true', 'types: [closed], merged: true'])
      expect(bad(`${env}rules:\n  - { name: m, on: pull_request, ${ok}, base: main, environment: prod, operation: apply }\n`)).not.toThrow()
    // Tearing a preview down on any close stays what `closed: true` is for.
    expect(bad(`${env}rules:\n  - { name: m, on: pull_request, closed: true, environment: prod, operation: destroy }\n`)).not.toThrow()
  })

  it('rejects closed or merged rules whose types only open pull requests have (they could never match)', () => {
    for (const [how, key] of [
      ['closed: true, types: [opened]', 'closed'],
      ['merged: true, types: [opened, synchronize]', 'merged'],
    ])
      expect(bad(`${env}rules:\n  - { name: c, on: pull_request, ${how}, environment: prod, operation: destroy }\n`)).toThrow(
        new RegExp(
          `environments.yml:5: rule 'c': '${key}: true' matches closed pull requests only, and types \\[.*\\] come from open ones: it can never match`,
        ),
      )
    expect(
      bad(
        `${env}rules:\n  - { name: c, on: pull_request, closed: true, types: [closed, labeled], environment: prod, operation: destroy }\n`,
      ),
    ).not.toThrow()
    // A rule for closed PRs does not hide a later rule for open ones with the same activity.
    expect(
      bad(
        `${env}rules:\n  - { name: c, on: pull_request, closed: true, types: [labeled], environment: dev, operation: destroy }\n  - { name: o, on: pull_request, types: [labeled], environment: dev, operation: plan }\n`,
      ),
    ).not.toThrow()
  })

  it('rejects branches on pull_request rules as ambiguous', () => {
    expect(bad(`${env}rules:\n  - { name: p, on: pull_request, branches: [main], environment: prod, operation: plan }\n`)).toThrow(
      /'branches' is ambiguous on pull_request rules; use 'base'/,
    )
  })

  it('says where a YAML syntax error is', () => {
    expect(bad('environments:\n  dev: {\n')).toThrow(/environments.yml:\d+:\d+: invalid YAML/)
  })
})

describe('rules files as editors write them', () => {
  it('numbers lint lines as the editor shows them when the file starts with a byte-order mark, and says a missing on: is missing', () => {
    const text = 'rules:\n  - { name: a, on: push, merged: true, environment: dev, operation: plan }\nenvironments: { dev: {} }\n'
    expect(() => parseConfig(`\ufeff${text}`, 'bom.yml')).toThrow(/^bom\.yml:2: .*'merged' and 'closed' apply to pull_request events only/)
    expect(() => parseConfig('environments: { dev: {} }\nrules:\n  - { name: a, environment: dev, operation: plan }\n', 'r.yml')).toThrow(
      /rules\.0\.on: is required: the event or list of events the rule is for/,
    )
  })
})
