import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { contextFor } from '../../../test/support/events.js'
import { BUILTIN_RULES } from '../src/builtin-rules.js'
import { eventFacts } from '../src/event-facts.js'
import { resolve } from '../src/resolve.js'

// Every real webhook payload of the corpus (test/corpus/events, from @octokit/webhooks-examples)
// under the built-in rules: what the rules see, and what they decide. None of these payloads may
// lead to apply: they come from a repository whose default branch is master, so no rule targets
// them, and a deleted tag or an unmerged close must never deploy.
const files = corpusFiles('events')

const expected: Record<string, { facts: Record<string, unknown>; operation: string }> = {
  'create.tag.json': { facts: { event: 'create' }, operation: 'none' },
  'delete.json': { facts: { event: 'delete' }, operation: 'none' },
  'merge_group.checks_requested.json': {
    facts: { base: 'main', head: expect.stringMatching(/^gh-readonly-queue\/main\//) },
    operation: 'none',
  },
  'pull_request.closed.unmerged.json': {
    facts: { action: 'closed', merged: false, base: 'master', prNumber: 2, trusted: true },
    operation: 'none',
  },
  'pull_request.labeled.json': { facts: { action: 'labeled', base: 'master', prNumber: 2 }, operation: 'none' },
  'pull_request.opened.json': {
    facts: { action: 'opened', base: 'master', head: 'changes', prNumber: 2, trusted: true },
    operation: 'none',
  },
  'pull_request.reopened.json': { facts: { action: 'reopened', base: 'master', prNumber: 2 }, operation: 'none' },
  'pull_request.synchronize.json': { facts: { action: 'synchronize', base: 'master', prNumber: 2 }, operation: 'none' },
  'push.branch-created.refs-heads-master.json': { facts: { branch: 'master', tag: undefined, deleted: false }, operation: 'none' },
  'push.branch-created.refs-heads-master.variant.json': { facts: { branch: 'master', deleted: false }, operation: 'none' },
  'push.tag-created.refs-tags-simple-tag.json': { facts: { tag: 'simple-tag', branch: undefined, deleted: false }, operation: 'none' },
  'push.tag-deleted.refs-tags-simple-tag.json': { facts: { tag: 'simple-tag', deleted: true }, operation: 'none' },
  'release.prereleased.json': { facts: { action: 'prereleased', tag: '0.0.1' }, operation: 'none' },
  'release.published.json': { facts: { action: 'published', tag: '0.0.1' }, operation: 'none' },
  'workflow_dispatch.refs-heads-main.json': { facts: { branch: 'main', inputs: {} }, operation: 'none' },
  // This example's head_repository (octo-org/octo-repo) is not its repository (Codertocat/Hello-World): untrusted.
  'workflow_run.completed.from-workflow_dispatch.json': {
    facts: { conclusion: undefined, trusted: false, untrustedWhy: 'the triggering run comes from the fork octo-org/octo-repo' },
    operation: 'none',
  },
  'workflow_run.completed.success.with-pull_requests.json': {
    facts: { conclusion: 'success', prNumber: expect.any(Number) },
    operation: 'none',
  },
  'workflow_run.requested.json': { facts: { action: 'requested' }, operation: 'none' },
}

describe('resolve-environment over the real webhook payloads', () => {
  it('has an expectation for every corpus file', () => expect(files.sort()).toEqual(Object.keys(expected).sort()))

  it.each(files)('%s', async (file) => {
    const payload = JSON.parse(readFileSync(corpusPath('events', file), 'utf8'))
    const event = path.basename(file).split('.')[0]!
    const facts = eventFacts(contextFor(event, payload))
    expect(facts).toMatchObject({ event, ...expected[file]!.facts })
    expect(facts.sha).toMatch(/^[0-9a-f]{40}$/)
    // The manual rule needs {inputs.environment}, which this dispatch does not carry: a clear error.
    if (event === 'workflow_dispatch') {
      await expect(resolve(BUILTIN_RULES, facts, { explicitEnvironment: undefined, requireMatch: false, runId: '1' })).rejects.toThrow(
        /has no \{inputs\.environment\}\. Pass input 'environment'/,
      )
      return
    }
    const { resolution } = await resolve(BUILTIN_RULES, facts, { explicitEnvironment: undefined, requireMatch: false, runId: '1' })
    expect(resolution.operation).toBe(expected[file]!.operation)
  })
})
