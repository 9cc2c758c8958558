import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '@infra-actions/common'
import { contextFor, realPayload } from '../../../test/support/events.js'
import { parseConfig } from '../src/config-schema.js'
import { DEFAULT_CONFIG } from '../src/default-config.js'
import { eventFacts } from '../src/event-facts.js'
import { slugBranch } from '../src/templates.js'
import { resolve, type ResolveOptions } from '../src/resolve.js'

type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

// The built-in rules name main/develop; the real payloads come from a repo whose default is master.
const rules = parseConfig(DEFAULT_CONFIG.replace(/base: main/g, 'base: [main, master]'), 'rules.yml')
const options: ResolveOptions = { explicitEnvironment: undefined, requireMatch: false, runId: '777' }
const decide = (event: string, payload: Record<string, unknown>, o: Partial<ResolveOptions> = {}, config = rules, ref?: string) =>
  resolve(config, eventFacts(contextFor(event, payload, ref ? { GITHUB_REF: ref } : {})), { ...options, ...o })

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pr = (action: string, mutate: (p: any) => void = () => {}) => {
  const p = realPayload('pull_request', { action })
  mutate(p)
  return p
}

describe('pull requests', () => {
  it.each(['opened', 'synchronize', 'reopened', 'ready_for_review'])('%s into master plans prod', async (action) => {
    const { resolution } = await decide('pull_request', pr(action))
    expect(resolution).toMatchObject({
      environment: 'prod',
      operation: 'plan',
      rule: 'prod plan',
      trusted: true,
      'approval-required': true,
      'validation-level': 'strict',
    })
  })

  it('merged into master applies prod, with the reason spelled out', async () => {
    const { resolution, trace } = await decide(
      'pull_request',
      pr('closed', (p) => (p.pull_request.merged = true)),
    )
    expect(resolution).toMatchObject({
      operation: 'apply',
      rule: 'prod apply',
      'tfvars-file': 'environments/prod.tfvars',
      'state-key': 'prod/terraform.tfstate',
    })
    expect(resolution.reason).toBe("pull_request closed and merged into master matched rule 'prod apply'")
    expect(trace.find((t) => t.rule === 'prod plan')!.why).toBe('the activity is closed, not opened/synchronize/reopened/ready_for_review')
  })

  it('closed without merging matches nothing, unless a closed rule says so', async () => {
    const closed = pr('closed', (p) => (p.pull_request.merged = false))
    expect((await decide('pull_request', closed)).resolution).toMatchObject({ operation: 'none', environment: '' })
    const withPreview = parseConfig(
      `${DEFAULT_CONFIG.replace(/base: main/g, 'base: [main, master]')}  - { name: preview down, on: pull_request, base: [main, master], closed: true, environment: preview, operation: destroy }\n`,
      'r.yml',
    )
    const { resolution } = await decide('pull_request', closed, {}, withPreview)
    expect(resolution).toMatchObject({
      operation: 'destroy',
      environment: 'preview-pr-2',
      'environment-key': 'preview',
      'state-key': 'preview/pr-2/terraform.tfstate',
    })
  })

  it('closed: true matches a closed pull request only, whatever activities types lists', async () => {
    const config = parseConfig(
      [
        'environments:',
        '  preview: { name: "preview-pr-{pr}", state-key: "preview/pr-{pr}/terraform.tfstate" }',
        'rules:',
        '  - { name: preview down, on: pull_request, closed: true, types: [closed, labeled], environment: preview, operation: destroy }',
        '  - { name: preview up, on: pull_request, types: [opened, synchronize, labeled], environment: preview, operation: apply }',
        '',
      ].join('\n'),
      'r.yml',
    )
    // An open PR's label must not tear its preview down.
    const open = await decide('pull_request', pr('labeled'), {}, config)
    expect(open.resolution).toMatchObject({ operation: 'apply', rule: 'preview up', environment: 'preview-pr-2' })
    expect(open.trace).toEqual([{ rule: 'preview down', why: 'the pull request is open, not closed' }])
    const closedLabeled = pr('labeled', (p) => (p.pull_request.state = 'closed'))
    expect((await decide('pull_request', closedLabeled, {}, config)).resolution).toMatchObject({
      operation: 'destroy',
      rule: 'preview down',
    })
    expect((await decide('pull_request', pr('closed'), {}, config)).resolution).toMatchObject({
      operation: 'destroy',
      rule: 'preview down',
    })
  })

  it('labeled is not one of the default activities', async () => {
    expect((await decide('pull_request', pr('labeled'))).resolution.operation).toBe('none')
  })

  it('uses the PR head sha, not the synthetic merge commit', async () => {
    const p = pr('opened', (x) => (x.pull_request.merge_commit_sha = 'f00dfeed'.repeat(5)))
    const { resolution } = await decide('pull_request', p)
    expect(resolution.sha).toBe(p.pull_request.head.sha)
    expect(contextFor('pull_request', p).sha).not.toBe(p.pull_request.head.sha)
  })

  it('a fork PR is untrusted and never applies', async () => {
    const p = pr('closed', (x) => {
      x.pull_request.merged = true
      x.pull_request.head.repo.full_name = 'mallory/Hello-World'
    })
    const { resolution } = await decide('pull_request', p)
    expect(resolution).toMatchObject({ trusted: false, operation: 'plan', rule: 'prod apply' })
    expect(resolution.reason).toMatch(/apply downgraded to plan because the pull request comes from the fork mallory\/Hello-World/)
  })

  it('a review or review comment on a fork PR is untrusted too: its payload names the fork as a pull_request does', async () => {
    for (const event of ['pull_request_review', 'pull_request_review_comment']) {
      const same = realPayload(event)
      expect((await decide(event, same)).resolution.trusted, event).toBe(true)
      const fork = realPayload(event)
      fork.pull_request.head.repo.full_name = 'mallory/Hello-World'
      expect((await decide(event, fork)).resolution.trusted, event).toBe(false)
      const deletedFork = realPayload(event)
      deletedFork.pull_request.head.repo = null
      expect((await decide(event, deletedFork)).resolution.trusted, event).toBe(false)
    }
  })

  it('a pull_request without its pull_request object is untrusted, and never applies', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: a, on: pull_request, environment: prod, operation: apply }\n',
      'r.yml',
    )
    const { pull_request: _, ...bare } = pr('opened')
    const { resolution } = await decide('pull_request', bare, {}, config)
    expect(resolution).toMatchObject({ trusted: false, operation: 'plan' })
    expect(resolution.reason).toMatch(/apply downgraded to plan because the payload has no pull_request/)
  })

  it('trust is established, not assumed: a comment on a PR, an unknown or an empty event are untrusted', async () => {
    const comment = realPayload('issue_comment')
    comment.issue.pull_request = { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/1' }
    expect((await decide('issue_comment', comment)).resolution.trusted).toBe(false)
    expect((await decide('issue_comment', realPayload('issue_comment'))).resolution.trusted).toBe(false)
    for (const event of ['', 'something_new']) expect((await decide(event, { action: 'created' })).resolution.trusted, event).toBe(false)
    for (const event of ['push', 'workflow_dispatch', 'release'])
      expect(eventFacts(contextFor(event, realPayload(event))).trusted, event).toBe(true)
  })

  it('pull_request_target is always untrusted', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: t, on: pull_request_target, environment: prod, operation: plan }\n',
      'r.yml',
    )
    const { resolution } = await decide('pull_request_target', pr('opened'), {}, config)
    expect(resolution).toMatchObject({ trusted: false, operation: 'plan' })
  })
})

describe('pushes and tags', () => {
  const push = (ref: string, extra: Record<string, unknown> = {}): Payload => ({
    ...realPayload('push', { ref: /heads\/master/ }),
    ref,
    ...extra,
  })

  it('dev/* deploys to dev with a dev image tag', async () => {
    const p = push('refs/heads/dev/Feature_X')
    const { resolution } = await decide('push', p)
    expect(resolution).toMatchObject({
      environment: 'dev',
      operation: 'apply',
      'image-tag': `dev-${String(p.after).slice(0, 7)}`,
      sha: p.after,
    })
  })

  it('a push that deletes a branch never deploys', async () => {
    const { resolution, trace } = await decide(
      'push',
      push('refs/heads/dev/old', { deleted: true, after: '0000000000000000000000000000000000000000' }),
    )
    expect(resolution.operation).toBe('none')
    expect(trace[0]!.why).toBe('the push deletes a ref, which never deploys')
    const tagDeleted = realPayload('push', { test: (p) => p.deleted === true })
    expect((await decide('push', { ...tagDeleted, ref: 'refs/tags/v1.2.3' })).resolution.operation).toBe('none')
  })

  it('a semver tag releases to prod with {version}', async () => {
    const { resolution } = await decide('push', push('refs/tags/v1.4.0'))
    expect(resolution).toMatchObject({ environment: 'prod', operation: 'apply', rule: 'release', 'image-tag': 'v1.4.0' })
  })

  it('a tag that is not semver cannot fill {version}: a clear error', async () => {
    await expect(decide('push', push('refs/tags/vNext'))).rejects.toThrow(/The tag 'vNext' is not a semantic version/)
    const real = realPayload('push', { ref: /tags\/simple-tag/, test: (p) => p.deleted === false })
    expect((await decide('push', real)).resolution.operation).toBe('none')
  })

  it('a merge-queue branch is not a base branch', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: main push, on: push, branches: ["**"], environment: prod, operation: apply }\n',
      'r.yml',
    )
    const { resolution, trace } = await decide('push', push('refs/heads/gh-readonly-queue/main/pr-5-abc'), {}, config)
    expect(resolution.operation).toBe('none')
    expect(trace[0]!.why).toMatch(/merge-queue branch/)
  })

  it('looks up the PR of a pushed commit when a template needs {pr}', async () => {
    const config = parseConfig(
      'environments:\n  preview: { name: "preview-{pr}" }\nrules:\n  - { name: p, on: push, branches: [main], environment: preview, operation: apply }\n',
      'r.yml',
    )
    const p = push('refs/heads/main')
    const { resolution } = await decide('push', p, { lookupPr: async (sha) => (sha === p.after ? 99 : undefined) }, config)
    expect(resolution).toMatchObject({ environment: 'preview-99', 'pr-number': '99' })
  })
})

describe('schedule, dispatch, release, workflow_run, merge_group', () => {
  it('a schedule applies prod to correct drift', async () => {
    const { resolution } = await decide('schedule', { schedule: '0 3 * * *', repository: { full_name: 'acme/infra' } })
    expect(resolution).toMatchObject({ environment: 'prod', operation: 'apply', rule: 'drift' })
    expect(resolution.reason).toBe("schedule (0 3 * * *) matched rule 'drift'")
  })

  it('a manual dispatch applies the chosen environment', async () => {
    const p = { ...realPayload('workflow_dispatch'), inputs: { environment: 'stage' } }
    expect((await decide('workflow_dispatch', p)).resolution).toMatchObject({ environment: 'stage', operation: 'apply', rule: 'manual' })
    expect((await decide('workflow_dispatch', { ...p, inputs: {} }, { explicitEnvironment: 'dev' })).resolution.environment).toBe('dev')
  })

  it('refuses a dispatch input that is not text, naming it', () => {
    for (const [value, what] of [
      [{ toString: 1 }, 'object'],
      [['prod'], 'list'],
    ] as const)
      expect(() =>
        eventFacts(contextFor('workflow_dispatch', { ...realPayload('workflow_dispatch'), inputs: { environment: value } })),
      ).toThrow(
        new ConfigurationError(
          `The dispatch input 'environment' is a JSON ${what}, and workflow_dispatch inputs are strings, numbers or booleans: check what sent this event (an API call with a JSON ${what} as the input?).`,
        ),
      )
  })

  it('refuses a dispatch to an environment that is not configured', async () => {
    const p = { ...realPayload('workflow_dispatch'), inputs: { environment: 'qa' } }
    await expect(decide('workflow_dispatch', p)).rejects.toThrow(
      /chose the environment "qa" \(from \{inputs.environment\}\), which is not configured/,
    )
    await expect(decide('workflow_dispatch', p, { explicitEnvironment: 'qa' })).rejects.toThrow(
      `Input 'environment' must name a configured environment (dev, stage, prod, preview), got "qa"`,
    )
    await expect(decide('workflow_dispatch', { ...p, inputs: {} })).rejects.toThrow(
      /has no \{inputs.environment\}.*Pass input 'environment'/,
    )
  })

  it('an explicit environment cannot redirect a rule with a fixed environment', async () => {
    await expect(decide('pull_request', pr('opened'), { explicitEnvironment: 'dev' })).rejects.toThrow(
      /Input 'environment' is 'dev', but rule 'prod plan' targets 'prod'/,
    )
  })

  it('release: published only, tags matched', async () => {
    const config = parseConfig(
      'environments: { prod: { image-tag: "{version}" } }\nrules:\n  - { name: rel, on: release, tags: ["*.*.*"], environment: prod, operation: apply }\n',
      'r.yml',
    )
    expect((await decide('release', realPayload('release', { action: 'published' }), {}, config)).resolution).toMatchObject({
      operation: 'apply',
      'image-tag': '0.0.1',
    })
    expect((await decide('release', realPayload('release', { action: 'prereleased' }), {}, config)).resolution.operation).toBe('none')
    expect((await decide('release', realPayload('release', { action: 'deleted' }), {}, config)).resolution.operation).toBe('none')
  })

  it('workflow_run: a run whose head repository is unknown (a deleted fork) is untrusted', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: after ci, on: workflow_run, branches: [master, main], environment: prod, operation: apply }\n',
      'r.yml',
    )
    for (const headRepository of [null, undefined, {}, { full_name: '' }]) {
      const p = realPayload('workflow_run', { test: (x) => x.workflow_run?.conclusion === 'success' })
      p.workflow_run.head_repository = headRepository
      const { resolution } = await decide('workflow_run', p, {}, config)
      expect(resolution).toMatchObject({ operation: 'plan', trusted: false })
      expect(resolution.reason).toMatch(/downgraded to plan because the triggering run does not say which repository its code comes from/)
    }
  })

  it('names of Object.prototype members are not environments', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const p = { ...realPayload('workflow_dispatch'), inputs: { environment: name } }
      await expect(decide('workflow_dispatch', p), name).rejects.toThrow(/which is not configured/)
      await expect(decide('workflow_dispatch', { ...p, inputs: {} }, { explicitEnvironment: name }), name).rejects.toThrow(
        /Input 'environment' must name a configured environment/,
      )
    }
  })

  it('workflow_run: only a successful run, and never apply from a fork', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: after ci, on: workflow_run, branches: [master, main], environment: prod, operation: apply }\n',
      'r.yml',
    )
    const ok = realPayload('workflow_run', { test: (p) => p.workflow_run?.conclusion === 'success' })
    expect((await decide('workflow_run', ok, {}, config)).resolution).toMatchObject({ operation: 'apply', trusted: true })
    const requested = realPayload('workflow_run', { action: 'requested' })
    expect((await decide('workflow_run', requested, {}, config)).resolution.operation).toBe('none')
    ok.workflow_run.head_repository.full_name = 'mallory/octo-repo'
    expect((await decide('workflow_run', ok, {}, config)).resolution).toMatchObject({ operation: 'plan', trusted: false })
  })

  it('workflow_run: a run whose origin the payload does not carry never applies (pull_request_target, a comment, a chained run)', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: after ci, on: workflow_run, branches: [master, main], environment: prod, operation: apply }\n',
      'r.yml',
    )
    for (const event of ['pull_request_target', 'issue_comment', 'workflow_run', undefined]) {
      const p = realPayload('workflow_run', { test: (x) => x.workflow_run?.conclusion === 'success' })
      p.workflow_run.event = event
      const { resolution } = await decide('workflow_run', p, {}, config)
      expect(resolution, String(event)).toMatchObject({ operation: 'plan', trusted: false })
      expect(resolution.reason).toMatch(/apply downgraded to plan because the triggering run was started by /)
    }
    // A push's run, and a pull request's from a branch of this repository (trusted as the PR itself is; a fork's is not, above).
    for (const event of ['push', 'pull_request', 'pull_request_review']) {
      const p = realPayload('workflow_run', { test: (x) => x.workflow_run?.conclusion === 'success' })
      p.workflow_run.event = event
      expect((await decide('workflow_run', p, {}, config)).resolution, event).toMatchObject({ operation: 'apply', trusted: true })
    }
  })

  it('no output holds a newline or another control character from a workflow or branch name', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: after ci, on: workflow_run, branches: [master, main], environment: prod, operation: plan }\n',
      'r.yml',
    )
    const p = realPayload('workflow_run', { test: (x) => x.workflow_run?.conclusion === 'success' })
    p.workflow_run.name = 'CI\noperation=apply\r\u0085\u2028'
    const { resolution, event } = await decide('workflow_run', p, {}, config)
    expect(resolution.reason).toBe(`workflow_run of CI\\noperation=apply\\n\\u0085\\u2028 on master matched rule 'after ci'`)
    expect(event).not.toMatch(/[\n\r\u0085\u2028]/)
    const head = pr('opened', (x) => (x.pull_request.head.ref = 'x\nEVIL=1'))
    for (const v of Object.values((await decide('pull_request', head)).resolution)) expect(String(v)).not.toMatch(/[\n\r]/)
  })

  it('merge_group: matched on its base, not on the queue branch', async () => {
    const config = parseConfig(
      'environments: { prod: {} }\nrules:\n  - { name: queue, on: merge_group, base: main, environment: prod, operation: plan }\n',
      'r.yml',
    )
    expect((await decide('merge_group', realPayload('merge_group'), {}, config)).resolution).toMatchObject({
      operation: 'plan',
      rule: 'queue',
    })
  })

  it('an unknown event matches nothing, or fails with require-match', async () => {
    expect((await decide('issue_comment', { action: 'created' })).resolution).toMatchObject({
      operation: 'none',
      reason: 'issue_comment on main matched no rule',
    })
    await expect(decide('issue_comment', { action: 'created' }, { requireMatch: true })).rejects.toThrow(ConfigurationError)
  })
})

describe('templates', () => {
  it('slug the branch for DNS and treat values as data', async () => {
    const config = parseConfig(
      'environments:\n  dev: { image-tag: "{branch}-{sha7}-{run}" }\nrules:\n  - { name: d, on: push, environment: dev, operation: apply }\n',
      'r.yml',
    )
    const p: Payload = { ...realPayload('push', { ref: /heads\/master/ }), ref: 'refs/heads/Feature/$(rm -rf)/{sha}_ÄÖ' }
    const { resolution } = await decide('push', p, {}, config)
    const hash = createHash('sha256').update('Feature/$(rm -rf)/{sha}_ÄÖ').digest('hex').slice(0, 6)
    expect(resolution['image-tag']).toBe(`feature-rm-rf-sha-${hash}-${String(p.after).slice(0, 7)}-777`)
  })

  it('keep branches apart that slug alike, or that are cut at 63 characters', () => {
    const slugs = ['dev/feature/foo', 'dev/feature_foo', 'dev/feature-foo', 'Dev/Feature/Foo', 'dev-feature-foo'].map(slugBranch)
    expect(new Set(slugs).size).toBe(5)
    expect(slugs[4]).toBe('dev-feature-foo')
    expect(slugs[0]).toMatch(/^dev-feature-foo-[0-9a-f]{6}$/)
    const long = (end: string) => slugBranch(`feature-${'x'.repeat(70)}-${end}`)
    expect(long('a')).not.toBe(long('b'))
    for (const s of [...slugs, long('a'), slugBranch('main'), slugBranch('/')]) expect(s).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
    expect(slugBranch('main')).toBe('main')
  })

  it('refuse event values that would climb out of a path or end a line, and fix image tags or refuse them', async () => {
    const config = parseConfig(
      [
        'environments:',
        '  prod: { tfvars-file: "environments/{inputs.region}.tfvars", state-key: "{inputs.region}/state", image-tag: "{inputs.tag}" }',
        'rules:',
        '  - { name: manual, on: workflow_dispatch, environment: prod, operation: apply }',
        '',
      ].join('\n'),
      'r.yml',
    )
    const dispatch = (inputs: Record<string, string>) =>
      decide('workflow_dispatch', { ...realPayload('workflow_dispatch'), inputs }, {}, config)
    const ok = await dispatch({ region: 'eu/west1', tag: 'v1.2.3+build.7' })
    expect(ok.resolution).toMatchObject({
      'tfvars-file': 'environments/eu/west1.tfvars',
      'state-key': 'eu/west1/state',
      'image-tag': 'v1.2.3-build.7',
    })
    expect(ok.warnings).toEqual(['image-tag "v1.2.3+build.7" holds \'+\', which image tags cannot: it is "v1.2.3-build.7".'])
    for (const [region, problem] of [
      ['../../../prod/secrets', "holds a '..' segment"],
      ['eu/../../x', "holds a '..' segment"],
      ['/etc/passwd', 'is an absolute path'],
      ['C:\\x', 'is an absolute path'],
      ['eu\nINJECTED=1', 'holds a control character'],
      ['eu\u0000', 'holds a control character'],
    ] as const) {
      await expect(dispatch({ region, tag: 'v1' })).rejects.toThrow(
        new RegExp(`\\{inputs\\.region\\} is .*, which ${problem.replace(/[.()]/g, '\\$&')}`),
      )
    }
    await expect(dispatch({ region: 'eu', tag: 'v1 latest' })).rejects.toThrow(
      /image-tag of environment 'prod' .* renders "v1 latest", which is not a valid image tag/,
    )
    await expect(dispatch({ region: 'eu', tag: 'v1\nx' })).rejects.toThrow(/\{inputs\.tag\} is .*, which holds a control character/)
    // Past ASCII too: NEL and the line separator end a line as much as \n.
    for (const tag of ['v1\u0085x', 'v1\u2028x'])
      await expect(dispatch({ region: 'eu', tag })).rejects.toThrow(/\{inputs\.tag\} is [\s\S]*, which holds a control character/)
  })

  it('check the filled-in path, not only each value: values side by side must not climb out either', async () => {
    const config = parseConfig(
      [
        'environments:',
        '  sandbox: { tfvars-file: "vars/{inputs.team}.{inputs.region}/main.tfvars", state-key: "stacks/{inputs.a}{inputs.b}/terraform.tfstate" }',
        '  shared: { tfvars-file: "../environments/{environment}.tfvars", state-key: "{inputs.a}{inputs.b}/state" }',
        'rules:',
        '  - { name: manual, on: workflow_dispatch, environment: "{inputs.environment}", operation: apply }',
        '',
      ].join('\n'),
      'r.yml',
    )
    const dispatch = (inputs: Record<string, string>) =>
      decide(
        'workflow_dispatch',
        { ...realPayload('workflow_dispatch'), inputs: { team: 't', region: 'eu', a: 'a', b: 'b', ...inputs } },
        {},
        config,
      )
    await expect(dispatch({ environment: 'sandbox', a: '.', b: './prod' })).rejects.toThrow(
      `state-key of environment 'sandbox' (stacks/{inputs.a}{inputs.b}/terraform.tfstate) is "stacks/../prod/terraform.tfstate" once filled in, which holds a '..' segment. It is refused, not used.`,
    )
    await expect(dispatch({ environment: 'sandbox', team: 'x/', region: './y' })).rejects.toThrow(
      /tfvars-file of environment 'sandbox' .* is "vars\/x\/\.\.\/y\/main\.tfvars" once filled in, which holds a '\.\.' segment/,
    )
    await expect(dispatch({ environment: 'shared', a: 'C', b: ':' })).rejects.toThrow(
      /is "C:\/state" once filled in, which is an absolute path/,
    )
    await expect(dispatch({ environment: 'sandbox', region: 'eu\\west' })).rejects.toThrow(
      /\{inputs\.region\} is .*, which holds a backslash/,
    )
    // The rules file's own '..' (a tfvars file next to the working directory) stays the author's choice.
    expect((await dispatch({ environment: 'shared' })).resolution).toMatchObject({
      'tfvars-file': '../environments/shared.tfvars',
      'state-key': 'ab/state',
    })
  })

  it('refuse an environment name that a value makes unsafe (sandbox/../prod), and keep the usual ones', async () => {
    const config = parseConfig(
      'environments:\n  sandbox: { name: "{inputs.target}" }\nrules:\n  - { name: manual, on: workflow_dispatch, environment: sandbox, operation: plan }\n',
      'r.yml',
    )
    const dispatch = (target: string) =>
      decide('workflow_dispatch', { ...realPayload('workflow_dispatch'), inputs: { target } }, {}, config)
    for (const [target, problem] of [
      ['sandbox/../prod', "holds a '..' or '.' part"],
      ['sandbox\\..\\prod', "holds a '..' or '.' part"],
      ['..', "holds a '..' or '.' part"],
      ['x'.repeat(256), 'is longer than the 255 characters GitHub allows'],
      [' prod', 'starts or ends with white space'],
    ] as const)
      await expect(dispatch(target), target).rejects.toThrow(`once filled in, which ${problem}`)
    // Names GitHub accepts (its provider's own tests create `environment/test`).
    for (const target of ['preview-pr-12', 'Production EU', 'v1.2_x', 'staging/eu-west-1', 'Production (EU)', '-rf'])
      expect((await dispatch(target)).resolution.environment).toBe(target)
  })

  it('read branch patterns as GitHub filters do: in order, a negation excluding what came before', async () => {
    const config = parseConfig(
      `environments:
  prod: { approval: true }
rules:
  - { name: release, on: push, branches: ["release/**", "!release/experimental/**"], environment: prod, operation: apply }
`,
      'rules.yml',
    )
    const push = (ref: string) => ({ ...realPayload('push'), ref: `refs/heads/${ref}` })
    expect((await decide('push', push('release/1.2'), {}, config)).resolution).toMatchObject({ operation: 'apply', environment: 'prod' })
    for (const branch of ['release/experimental/x', 'some-random-branch'])
      expect((await decide('push', push(branch), {}, config)).resolution.operation).toBe('none')
  })

  it('never match a branch rule on a tag: a dispatch from a tag is not a dispatch from main', async () => {
    const config = parseConfig(
      `environments:\n  prod: { approval: true }\nrules:\n  - { name: prod from main, on: workflow_dispatch, branches: [main], environment: prod, operation: apply }\n`,
      'rules.yml',
    )
    const fromTag = { ...realPayload('workflow_dispatch'), inputs: {} }
    const { resolution, trace } = await decide('workflow_dispatch', fromTag, {}, config, 'refs/tags/evil')
    expect(resolution.operation).toBe('none')
    expect(trace).toEqual([{ rule: 'prod from main', why: 'the event is on tag evil, not on a branch' }])
  })

  it('never apply a pull request closed without merging, whatever the activity (labeled after the close)', async () => {
    const config = parseConfig(
      `environments:\n  prod: { approval: true }\nrules:\n  - { name: a, on: pull_request, types: [labeled], base: main, environment: prod, operation: apply }\n`,
      'rules.yml',
    )
    const labeled = pr('labeled', (p) => {
      p.pull_request.state = 'closed'
      p.pull_request.merged = false
    })
    expect((await decide('pull_request', labeled, {}, config)).resolution.operation).toBe('none')
  })

  it('refuse to apply or destroy with a state key, tfvars file or name left empty: it would change another state', async () => {
    // A dispatch naming the preview environment (state key preview/pr-{pr}/…) has no pull request.
    const p = { ...realPayload('workflow_dispatch'), inputs: { environment: 'preview' } }
    await expect(decide('workflow_dispatch', p)).rejects.toThrow(
      /name of environment 'preview' \(preview-pr-\{pr\}\) needs \{pr\}, which this workflow_dispatch on main does not have: rule 'manual' would apply with it left empty, .* so it is refused\. Run it from an event that has \{pr\}/,
    )
    const config = (operation: string) =>
      parseConfig(
        `environments:
  dev: { tfvars-file: "envs/{inputs.region}.tfvars", state-key: "dev/{inputs.region}.tfstate" }
rules:
  - { name: manual, on: workflow_dispatch, environment: dev, operation: ${operation} }
`,
        'rules.yml',
      )
    const noInputs = { ...realPayload('workflow_dispatch'), inputs: {} }
    await expect(decide('workflow_dispatch', noInputs, {}, config('destroy'))).rejects.toThrow(
      /tfvars-file of environment 'dev' .* rule 'manual' would destroy with it left empty/,
    )
    // A plan only reads: left empty, with a warning, as before.
    const { resolution, warnings } = await decide('workflow_dispatch', noInputs, {}, config('plan'))
    expect(resolution).toMatchObject({ operation: 'plan', 'tfvars-file': '', 'state-key': '' })
    expect(warnings).toEqual([
      expect.stringMatching(/tfvars-file of environment 'dev' .* needs \{inputs\.region\}.*; it is left empty\./),
      expect.stringMatching(/state-key of environment 'dev' .* needs \{inputs\.region\}.*; it is left empty\./),
    ])
  })

  it('leave a value empty, with a warning, when the event lacks what it needs', async () => {
    const { resolution, warnings } = await decide(
      'pull_request',
      pr('closed', (p) => (p.pull_request.merged = true)),
    )
    expect(resolution['image-tag']).toBe('')
    expect(warnings).toEqual([expect.stringMatching(/image-tag of environment 'prod' \(v\{version\}\) needs \{version\}/)])
  })
})
