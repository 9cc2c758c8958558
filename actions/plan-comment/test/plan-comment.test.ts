import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { ConfigurationError, type ActionContext } from '@infra-actions/common'
import { bufferSource } from '@infra-actions/common/json-stream'
import { commentMarker, type CommentApi, type IssueComment } from '@infra-actions/github'
import { emptyCounts } from '@infra-actions/terraform'
import { planText, rc } from '../../../test/support/plans.js'
import { runPlanComment, type PlanCommentDeps } from '../src/plan-comment.js'
import type { PlanCommentSettings } from '../src/settings.js'

/**
 * When set, the plan as read again by pass two (through `readAt`, which pass one does not use):
 * the file rewritten between the two passes.
 */
const rewritten = vi.hoisted((): { bytes: Buffer | undefined } => ({ bytes: undefined }))
vi.mock('@infra-actions/terraform', async (importOriginal) => {
  const m = await importOriginal<typeof import('@infra-actions/terraform')>()
  const withPlanBytes: typeof m.withPlanBytes = (source, read, options) =>
    m.withPlanBytes(
      source,
      (bytes, label) => {
        const now = rewritten.bytes
        if (!now) return read(bytes, label)
        return read({ ...bytes, readAt: (into, at, length, position) => bufferSource(now).readAt(into, at, length, position) }, label)
      },
      options,
    )
  return { ...m, withPlanBytes }
})

/** An in-memory CommentApi: enough to see what plan-comment asks of GitHub. */
function memoryComments(): CommentApi & { all: IssueComment[] } {
  const all: IssueComment[] = []
  let id = 1
  return {
    all,
    identity: async () => 'github-actions[bot]',
    listComments: async () => [...all],
    createComment: async (_n, body) => {
      const c = { id: id++, body, author: 'github-actions[bot]', url: `https://github.com/acme/infra/pull/7#issuecomment-${id}` }
      all.push(c)
      return c
    },
    updateComment: async (cid, body) => {
      const c = all.find((x) => x.id === cid)!
      c.body = body
      return c
    },
    deleteComment: async (cid) => {
      all.splice(
        all.findIndex((x) => x.id === cid),
        1,
      )
    },
  }
}

const context = (payload: Record<string, unknown> = { pull_request: { number: 7, head: { sha: 'abcdef1234567' } } }): ActionContext => ({
  eventName: 'pull_request',
  payload,
  owner: 'acme',
  repo: 'infra',
  sha: 'merge',
  headSha: 'abcdef1234567',
  ref: 'refs/pull/7/merge',
  headRef: 'feature',
  baseRef: 'main',
  actor: 'alice',
  runId: '42',
  runAttempt: '1',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  workflow: 'ci',
  isAct: false,
  runUrl: 'https://github.com/acme/infra/actions/runs/42',
})

function setup(
  planFields: Record<string, unknown>,
  overrides: Partial<PlanCommentSettings> = {},
  depOverrides: Partial<PlanCommentDeps> = {},
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pc-'))
  writeFileSync(path.join(dir, 'plan.json'), planText(planFields))
  const comments = memoryComments()
  const summaries: string[] = []
  const logs: string[] = []
  const uploads: string[] = []
  const settings: PlanCommentSettings = {
    mode: 'single',
    source: { kind: 'json', path: 'plan.json', input: 'plan-json', workingDirectory: dir },
    workingDirectory: dir,
    key: 'infra:prod',
    environment: 'prod',
    title: 'Terraform plan',
    commentMode: 'update',
    maxLength: 65536,
    token: 't',
    commentAuthor: undefined,
    prNumber: undefined,
    artifact: true,
    summaries: [],
    driftIssue: false,
    issueLabels: ['drift'],
    ...overrides,
  }
  const deps: PlanCommentDeps = {
    context: context(),
    comments,
    apiSkipReason: undefined,
    writeSummary: async (md) => summaries.push(md),
    uploadArtifact: async (name) => {
      uploads.push(name)
      return { id: 9, url: 'https://github.com/acme/infra/actions/runs/42/artifacts/9' }
    },
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(`WARN ${m}`) },
    outputDir: path.join(dir, 'out'),
    ...depOverrides,
  }
  return { dir, settings, deps, comments, summaries, logs, uploads }
}

describe('runPlanComment', () => {
  it('posts one comment, writes the summary and sets every output', async () => {
    const t = setup({
      resource_changes: [
        rc('a.b', ['delete', 'create']),
        rc('a.c', ['update']),
        rc('a.d', ['no-op'], { change: { importing: { id: 'x' } } }),
      ],
      resource_drift: [rc('a.c', ['update'])],
    })
    const r = await runPlanComment(t.settings, t.deps)
    expect(r.outputs).toMatchObject({
      add: '1',
      change: '1',
      destroy: '1',
      replace: '1',
      import: '1',
      move: '0',
      forget: '0',
      drift: '1',
      'has-changes': 'true',
      summary: 'Plan: 1 to import, 1 to add, 1 to change, 1 to destroy.',
      'comment-id': '1',
    })
    expect(t.comments.all).toHaveLength(1)
    expect(t.comments.all[0]!.body.startsWith(commentMarker('plan-comment', 'infra:prod'))).toBe(true)
    expect(t.summaries).toHaveLength(1)
    expect(t.summaries[0]).toContain('♻️ Replace (1)')
    expect(t.comments.all[0]!.body).toContain('Planned at [`abcdef1`](https://github.com/acme/infra/commit/abcdef1234567)')
    expect(readFileSync(r.outputs['markdown-file']!, 'utf8')).toContain('`a.b`')
    expect(JSON.parse(readFileSync(r.outputs['summary-file']!, 'utf8'))).toMatchObject({
      key: 'infra:prod',
      counts: { destroy: 1 },
      destroyed: ['a.b'],
    })
    expect(r.failure).toBeUndefined()
  })

  it('masks a secret that only a no-op marks, where another resource and an output copy it, and in the summary file', async () => {
    // As Terraform 1.11 writes it: terraform_data.src (applied, unchanged) marks its input; a new copy of its
    // output and a new output carry it unmarked. A destroyed resource is keyed by it.
    const secret = 'hunter2-Sup3rSecret'
    const t = setup({
      resource_changes: [
        rc('terraform_data.src', ['no-op'], {
          change: {
            before: { input: secret, output: secret },
            after: { input: secret, output: secret },
            before_sensitive: { input: true, output: true },
            after_sensitive: { input: true, output: true },
          },
        }),
        rc('terraform_data.copy', ['create'], { change: { after: { input: secret }, after_sensitive: {} } }),
        rc(`terraform_data.keyed["${secret}"]`, ['delete']),
      ],
      output_changes: { o: { actions: ['create'], before: null, after: secret, before_sensitive: false, after_sensitive: false } },
    })
    const r = await runPlanComment(t.settings, t.deps)
    const summaryFile = readFileSync(r.outputs['summary-file']!, 'utf8')
    const markdown = readFileSync(r.outputs['markdown-file']!, 'utf8')
    for (const text of [t.comments.all[0]!.body, t.summaries[0]!, markdown, summaryFile]) expect(text).not.toContain('Sup3rSecret')
    expect(markdown).toContain('| `input` | `(sensitive)` |')
    expect(JSON.parse(summaryFile).destroyed).toEqual(['terraform_data.keyed["(sensitive)"]'])
  })

  it('says a value nested deeper than it can walk is one, not that the file changed or that it is a bug', async () => {
    // Written by hand: JSON.stringify cannot write it either.
    const deep = `${'['.repeat(20_000)}"x"${']'.repeat(20_000)}`
    for (const change of [{ after: { v: 'DEEP' } }, { after: { v: 'x' }, after_sensitive: { v: 'DEEP' } }]) {
      const t = setup({ resource_changes: [rc('terraform_data.deep', ['create'], { change })] })
      const file = path.join(t.dir, 'plan.json')
      writeFileSync(file, readFileSync(file, 'utf8').replace('"DEEP"', deep))
      await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(/nested deeper than plan-comment can walk/)
    }
  })

  it('says a value too long to build, met first in the second pass, is one, not that the file changed', async () => {
    // A value of over 512 MiB (V8's longest string) in a change without sensitive marks is first
    // built in pass two; Buffer#toString then throws this. Made here without 512 MiB of plan.
    const tooLong = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' })
    vi.resetModules()
    vi.doMock('@infra-actions/terraform', async (importOriginal) => ({
      ...(await importOriginal<typeof import('@infra-actions/terraform')>()),
      readSection: () => {
        throw tooLong
      },
    }))
    try {
      const { runPlanComment: withTooLong } = await import('../src/plan-comment.js')
      const t = setup({ resource_changes: [rc('terraform_data.a', ['update'])] })
      await expect(withTooLong(t.settings, t.deps)).rejects.toThrow(
        /plan\.json\): a change of the plan holds a value of over 512 MiB, longer than Node\.js can hold as one string/,
      )
    } finally {
      vi.doUnmock('@infra-actions/terraform')
      vi.resetModules()
    }
  })

  it('reads a mark nested thousands deep without `true`, beside a `true` on the other side (Secrets never walks it)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`
    const t = setup({
      resource_changes: [
        rc('terraform_data.a', ['create'], {
          change: { before: null, after: 'TopSecretValue', before_sensitive: 'DEEP', after_sensitive: true },
        }),
        rc('terraform_data.copy', ['create'], { change: { after: { input: 'TopSecretValue' }, after_sensitive: {} } }),
      ],
    })
    const file = path.join(t.dir, 'plan.json')
    writeFileSync(file, readFileSync(file, 'utf8').replace('"DEEP"', deep))
    const r = await runPlanComment(t.settings, t.deps)
    const markdown = readFileSync(r.outputs['markdown-file']!, 'utf8')
    expect(markdown).not.toContain('TopSecretValue')
    expect(markdown).toContain('| `input` | `(sensitive)` |')
  })

  it('refuses summaries that name neither a file nor a directory', async () => {
    const t = setup({}, { mode: 'aggregate', summaries: ['/dev/null'] })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      /Input 'summaries' names \/dev\/null, which is neither a file nor a directory/,
    )
  })

  it('replaces a stale plan with "No changes" in the same comment', async () => {
    const t = setup({ resource_changes: [rc('a.b', ['delete'])] })
    await runPlanComment(t.settings, t.deps)
    writeFileSync(path.join(t.dir, 'plan.json'), planText({ resource_changes: [rc('a.b', ['no-op'])] }))
    const r = await runPlanComment(t.settings, t.deps)
    expect(t.comments.all).toHaveLength(1)
    expect(t.comments.all[0]!.body).toContain('No changes. Your infrastructure matches the configuration.')
    expect(r.outputs['has-changes']).toBe('false')
  })

  it('writes only the job summary when there is no PR, with outputs still set', async () => {
    const t = setup({ resource_changes: [rc('a.b', ['create'])] }, {}, { context: { ...context({ after: 'abc' }), eventName: 'push' } })
    const r = await runPlanComment(t.settings, t.deps)
    expect(t.comments.all).toHaveLength(0)
    expect(t.summaries).toHaveLength(1)
    expect(r.outputs.add).toBe('1')
    expect(t.logs.join('\n')).toMatch(/No pull request in this push event/)
  })

  it('comments on an explicit pr-number when the event has none', async () => {
    const t = setup(
      { resource_changes: [rc('a.b', ['create'])] },
      { prNumber: 7 },
      { context: { ...context({}), eventName: 'workflow_run' } },
    )
    await runPlanComment(t.settings, t.deps)
    expect(t.comments.all).toHaveLength(1)
  })

  it('warns and goes on without the API', async () => {
    const t = setup(
      { resource_changes: [rc('a.b', ['create'])] },
      {},
      { comments: undefined, apiSkipReason: 'running under nektos/act (ACT=true)' },
    )
    const r = await runPlanComment(t.settings, t.deps)
    expect(t.logs.join('\n')).toMatch(/WARN The PR comment was skipped: running under nektos\/act/)
    expect(t.summaries).toHaveLength(1)
    expect(r.outputs.add).toBe('1')
  })

  it('posts nothing for a broken plan and fails with the reason', async () => {
    const t = setup({})
    writeFileSync(path.join(t.dir, 'plan.json'), '{"format_version":"1.2","resource_changes":[')
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(ConfigurationError)
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      /Input 'plan-json' \(plan.json\) is not one JSON document: it ends early/,
    )
    expect(t.comments.all).toHaveLength(0)
    expect(t.summaries).toHaveLength(0)
  })

  it('refuses a plan whose changes are other bytes when read again (the file rewritten between the passes)', async () => {
    const t = setup({ resource_changes: [rc('a.b', ['delete']), rc('a.c', ['update'])], resource_drift: [rc('a.c', ['update'])] })
    const file = readFileSync(path.join(t.dir, 'plan.json'), 'utf8')
    // Each of the same length and the same number of changes: only the bytes tell them apart.
    for (const [from, to] of [
      ['"delete"', '"update"'],
      ['"id":"new"', '"id":"neW"'],
      ['"address":"a.c"', '"address":"a.x"'],
    ] as const) {
      const other = file.replaceAll(from, to)
      expect(other).not.toBe(file)
      expect(other.length).toBe(file.length)
      rewritten.bytes = Buffer.from(other)
      try {
        await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
          "Input 'plan-json' (plan.json) changed while it was read: the second pass over its changes found other bytes.",
        )
      } finally {
        rewritten.bytes = undefined
      }
    }
    expect(t.comments.all).toHaveLength(0)
    // The same bytes read again are the same plan.
    rewritten.bytes = Buffer.from(file)
    try {
      await expect(runPlanComment(t.settings, t.deps)).resolves.toMatchObject({ outputs: { destroy: '1' } })
    } finally {
      rewritten.bytes = undefined
    }
  })

  it('refuses a change with a second "actions", as destroy-gate does, rather than show the last one', async () => {
    const t = setup({ resource_changes: [rc('a.b', ['delete']), rc('a.c', ['create'])] })
    const file = path.join(t.dir, 'plan.json')
    writeFileSync(file, readFileSync(file, 'utf8').replace('"actions":["delete"]', '"actions":["delete"],"actions":["no-op"]'))
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      /^Input 'plan-json' \(plan.json\) has the member "actions" twice in one object \(line 1, column \d+\)/,
    )
    expect(t.comments.all).toHaveLength(0)
  })

  it('names a missing plan file', async () => {
    const t = setup({}, { source: { kind: 'json', path: 'missing.json', input: 'plan-json', workingDirectory: tmpdir() } })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow("Input 'plan-json' (missing.json) cannot be read: no such file")
  })

  it('comments an errored plan and then fails the step', async () => {
    const t = setup({ errored: true, resource_changes: [rc('a.b', ['create'])] })
    const r = await runPlanComment(t.settings, t.deps)
    expect(t.comments.all[0]!.body).toContain('The plan errored.')
    expect(r.failure).toMatch(/errored/)
  })

  it('uploads the full plan and links it when the comment is cut', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => rc(`google_pubsub_topic.topic_with_a_long_name_${i}`, ['create']))
    const t = setup({ resource_changes: many }, { maxLength: 20000 })
    await runPlanComment(t.settings, t.deps)
    expect(t.uploads).toEqual([expect.stringMatching(/^plan-infra-prod-[0-9a-f]{8}-attempt-1$/)])
    const body = t.comments.all[0]!.body
    expect(body.length).toBeLessThanOrEqual(20000)
    expect(body).toContain('[rendered plan](https://github.com/acme/infra/actions/runs/42/artifacts/9)')
    expect(body).toMatch(/and \d+ more created resources not shown here/)
  })

  it('runs the plan file through terraform show -json', async () => {
    const t = setup({})
    writeFileSync(path.join(t.dir, 'tfplan'), 'binary')
    const calls: string[][] = []
    t.settings.source = {
      kind: 'file',
      path: 'tfplan',
      input: 'plan-file',
      binary: 'tofu',
      binaryInput: 'terraform-binary',
      workingDirectory: t.dir,
    }
    t.deps.show = async (binary, args, _cwd, stdoutFile) => {
      calls.push([binary, ...args])
      writeFileSync(stdoutFile, planText({ resource_changes: [rc('a.b', ['create'])] }))
      return { exitCode: 0, stderr: '' }
    }
    const r = await runPlanComment(t.settings, t.deps)
    expect(calls).toEqual([['tofu', 'show', '-json', path.join(t.dir, 'tfplan')]])
    expect(r.outputs.add).toBe('1')
  })

  // A saved plan file `tfplan`, shown by the injected show command.
  const withPlanFile = <T extends ReturnType<typeof setup>>(t: T): T => {
    writeFileSync(path.join(t.dir, 'tfplan'), 'binary')
    t.settings.source = {
      kind: 'file',
      path: 'tfplan',
      input: 'plan-file',
      binary: 'terraform',
      binaryInput: 'terraform-binary',
      workingDirectory: t.dir,
    }
    return t
  }

  it('reports a failing terraform show in plain words, naming the input, and what it printed that is not a plan', async () => {
    const t = withPlanFile(setup({}))
    // Terraform 1.11's own words for a file that is not a plan, colours included.
    const stderr =
      '\x1b[31m╷\x1b[0m\x1b[0m\n\x1b[31m│\x1b[0m \x1b[0m\x1b[1m\x1b[31mError: \x1b[0m\x1b[0m\x1b[1mFailed to read the given file as a state or plan file\x1b[0m\n\x1b[31m╵\x1b[0m\x1b[0m\n'
    t.deps.show = async () => ({ exitCode: 1, stderr })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      new ConfigurationError(
        "Input 'plan-file' (tfplan): 'terraform show -json tfplan' failed with exit code 1: ╷\n│ Error: Failed to read the given file as a state or plan file\n╵",
      ),
    )
    t.deps.show = async (_binary, _args, _cwd, stdoutFile) => {
      writeFileSync(stdoutFile, '{"format_version":"1.2"')
      return { exitCode: 0, stderr: '' }
    }
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      /^The output of 'terraform show -json tfplan' \(input 'plan-file'\) is not one JSON document: it ends early/,
    )
  })

  it('says terraform show was killed by a signal, not that it exited with 1', async () => {
    const t = withPlanFile(setup({}))
    t.deps.show = async () => ({ exitCode: 1, signal: 'SIGKILL', stderr: '' })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      new ConfigurationError("Input 'plan-file' (tfplan): 'terraform show -json tfplan' was killed by SIGKILL: (nothing on stderr)"),
    )
  })

  it('says a RUNNER_TEMP that is a file is one, not that terraform could not run', async () => {
    const t = withPlanFile(setup({}))
    const file = path.join(t.dir, 'not-a-dir')
    writeFileSync(file, 'x')
    t.deps.outputDir = file
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      new ConfigurationError(`The runner's temporary directory (RUNNER_TEMP) cannot be written: ${file} is not a directory.`),
    )
  })

  it('reports a failing terraform show with its stderr', async () => {
    const t = withPlanFile(setup({}))
    t.deps.show = async () => ({ exitCode: 1, stderr: 'Error: Failed to load plugin schemas' })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(/exit code 1: Error: Failed to load plugin schemas/)
  })
})

describe('aggregate mode', () => {
  it('combines the summaries of a matrix into one comment, destroys first', async () => {
    const a = setup({ resource_changes: [rc('a.x', ['create'])] }, { key: 'network', environment: 'prod' })
    const ra = await runPlanComment(a.settings, { ...a.deps, comments: undefined })
    const b = setup({ resource_changes: [rc('google_sql_database_instance.main', ['delete'])] }, { key: 'database', environment: 'prod' })
    const rb = await runPlanComment(b.settings, { ...b.deps, comments: undefined })
    const collected = mkdtempSync(path.join(tmpdir(), 'agg-'))
    for (const [i, f] of [ra.outputs['summary-file']!, rb.outputs['summary-file']!].entries())
      writeFileSync(path.join(collected, `${i}.plan-summary.json`), readFileSync(f))
    const t = setup(
      {},
      {
        mode: 'aggregate',
        key: 'aggregate',
        summaries: [collected],
        source: undefined,
        workingDirectory: '/',
      },
    )
    const r = await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    expect(body).toContain('**2 root modules: 1 to add, 0 to change, 1 to destroy.**')
    expect(body.indexOf('`database`')).toBeLessThan(body.indexOf('`network`'))
    expect(body).toContain('`google_sql_database_instance.main`')
    expect(r.outputs).toMatchObject({ add: '1', destroy: '1', 'has-changes': 'true' })
  })

  it('refuses a directory with no summaries', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'agg-'))
    const t = setup({}, { mode: 'aggregate', summaries: [empty] })
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(/matched no \*\.plan-summary\.json/)
  })
})

describe('the full plan artifact', () => {
  it('is uploaded once and linked from the job summary when only the summary is cut', async () => {
    const many = Array.from({ length: 12000 }, (_, i) =>
      rc(`google_pubsub_topic.topic_with_quite_a_long_name_${i}`, ['update'], {
        change: { before: { labels: { a: 'x'.repeat(40) } }, after: { labels: { a: 'y'.repeat(40) } } },
      }),
    )
    const t = setup({ resource_changes: many }, { commentMode: 'off' })
    await runPlanComment(t.settings, t.deps)
    expect(t.uploads).toHaveLength(1)
    expect(Buffer.byteLength(t.summaries[0]!)).toBeLessThanOrEqual(1024 * 1024)
    expect(t.summaries[0]).toContain('Shortened to fit GitHub’s 1 MiB job summary limit')
    expect(t.summaries[0]).toContain('[rendered plan](https://github.com/acme/infra/actions/runs/42/artifacts/9)')
  })

  it('is not uploaded when nothing was cut, or when artifact is false', async () => {
    const t = setup({ resource_changes: [rc('a.b', ['create'])] })
    await runPlanComment(t.settings, t.deps)
    expect(t.uploads).toHaveLength(0)
    const many = Array.from({ length: 3000 }, (_, i) => rc(`google_pubsub_topic.topic_with_a_long_name_${i}`, ['create']))
    const u = setup({ resource_changes: many }, { maxLength: 20000, artifact: false })
    await runPlanComment(u.settings, u.deps)
    expect(u.uploads).toHaveLength(0)
    expect(u.comments.all[0]!.body).toContain('The full plan is in the job summary of this run.')
  })

  it('does not send reviewers to the job summary for the full plan when the summary was cut too', async () => {
    const many = Array.from({ length: 12000 }, (_, i) =>
      rc(`google_pubsub_topic.topic_with_quite_a_long_name_${i}`, ['update'], {
        change: { before: { labels: { a: 'x'.repeat(40) } }, after: { labels: { a: 'y'.repeat(40) } } },
      }),
    )
    const t = setup({ resource_changes: many }, { artifact: false })
    await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    expect(body).not.toContain('The full plan is in the job summary')
    expect(body).toMatch(
      /More of the plan is in the job summary of this run \(cut too, to 1 MiB\); the full rendering is plan-comment-[\w-]+\.md on the runner \(input 'artifact' is false/,
    )
  })
})

describe('aggregate mode and untrusted summary files', () => {
  it('refuses a summary whose counts are not numbers, and never links a non-https URL', async () => {
    const { parseSummary } = await import('../src/summary-schema.js')
    const { renderAggregate } = await import('../src/aggregate.js')
    const good = {
      schema: 'infra-actions/plan-summary@1',
      key: 'k',
      environment: 'prod',
      title: 't',
      summary: 's',
      counts: { ...emptyCounts(), add: 1 },
      hasChanges: true,
      errored: false,
      complete: true,
      destroyed: [],
      sha: 'a',
      detailsUrl: 'javascript:alert(1)',
    }
    expect(() => parseSummary(JSON.stringify({ ...good, counts: { ...good.counts, add: '<img src=x>' } }), 'x.json')).toThrow(
      /not a plan summary written by plan-comment \(schema infra-actions\/plan-summary@1\): counts\.add: /,
    )
    // Counts that are missing would render "NaN to add": refused, naming the field.
    expect(() => parseSummary(JSON.stringify({ ...good, counts: {} }), 'x.json')).toThrow(/counts\.add: /)
    expect(() => parseSummary(JSON.stringify({ ...good, counts: { ...good.counts, destroy: -1 } }), 'x.json')).toThrow(/counts\.destroy: /)
    expect(() => parseSummary(JSON.stringify({ ...good, destroyed: [1] }), 'x.json')).toThrow(/destroyed\.0: /)
    const run = { title: 'Plans', serverUrl: 'https://github.com', headSha: undefined }
    const blocks = renderAggregate([parseSummary(JSON.stringify(good), 'x.json') as never], run, {
      max: 65536,
      perModule: 5,
      total: 50,
      elsewhere: 'the job summary',
    })
    expect(blocks.map((b) => b.text).join('\n')).not.toContain('javascript:')
  })
})

/** Summary files as matrix jobs leave them, in one directory, and the aggregate step's setup. */
function aggregateOf(summaries: Record<string, unknown>[], overrides: Partial<PlanCommentSettings> = {}) {
  const collected = mkdtempSync(path.join(tmpdir(), 'agg-'))
  for (const [i, s] of summaries.entries()) {
    const dir = path.join(collected, String(i))
    mkdirSync(dir)
    writeFileSync(path.join(dir, `${i}.plan-summary.json`), JSON.stringify(summaryOf(s)))
  }
  return setup(
    {},
    { mode: 'aggregate', key: 'aggregate', title: 'Terraform plans', summaries: [collected], source: undefined, ...overrides },
  )
}

function summaryOf(fields: Record<string, unknown>): Record<string, unknown> {
  const counts = emptyCounts()
  return {
    schema: 'infra-actions/plan-summary@1',
    key: 'k',
    title: 'Terraform plan',
    summary: 's',
    hasChanges: false,
    errored: false,
    destroyed: [],
    ...fields,
    counts: { ...counts, ...(fields.counts as object) },
  }
}

describe('aggregate mode within the budget', () => {
  it('keeps the heading, totals and destroy caution when 80 modules each destroy 20 resources', async () => {
    const t = aggregateOf(
      Array.from({ length: 80 }, (_, i) => ({
        key: `infra/module-${i}`,
        counts: { destroy: 20 },
        hasChanges: true,
        destroyed: Array.from({ length: 20 }, (_, j) => `module.service_${i}.google_cloud_run_v2_service.svc["region-${j}"]`),
      })),
    )
    const r = await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    expect(body.length).toBeLessThanOrEqual(65536)
    expect(body).toContain('### Terraform plans')
    expect(body).toContain('**80 root modules: 0 to add, 0 to change, 1600 to destroy.**')
    expect(body).toContain('**1600 resources will be destroyed or replaced** in 80 root modules:')
    // A few addresses per module, and the rest counted and pointed to.
    expect(body).toContain('`module.service_0.google_cloud_run_v2_service.svc["region-4"]` and 15 more')
    expect(body).not.toContain('region-5"]`')
    // Past 50 addresses in all, a module is named with its count.
    expect(body).toContain('> - `infra/module-18`: 20 resources\n')
    expect(body).toMatch(
      /\n> Not every destroyed address is listed here: see \[the job summary of this run\]\(https:[^)]+\) and each root module's details\.\n/,
    )
    expect(body).not.toContain('without destroys')
    expect(r.outputs.destroy).toBe('1600')
    // The job summary lists every address the summary files hold.
    expect(t.summaries[0]).toContain('`module.service_79.google_cloud_run_v2_service.svc["region-19"]`')
  })

  it('cuts a 70,000-character address to its start and end, and keeps every row', async () => {
    const t = aggregateOf([
      { key: 'ok', counts: { add: 1 }, hasChanges: true },
      { key: 'big', counts: { destroy: 1 }, hasChanges: true, destroyed: [`${'x'.repeat(70000)}.end`] },
    ])
    await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    expect(body).toContain('**1 resource will be destroyed or replaced** in 1 root module:')
    expect(body).toMatch(/> - `big`: `x+…x+\.end \(70,004 characters\)`\n/)
    expect(body).toMatch(/\n\| `big` \|.*⚠️ destroys/)
    expect(body).toMatch(/\n\| `ok` \|/)
  })

  it('keeps the caution within the smallest max-length, and says which rows it dropped', async () => {
    const t = aggregateOf(
      [
        ...Array.from({ length: 30 }, (_, i) => ({
          key: `infra/services/module-number-${i}`,
          counts: { destroy: 1 },
          hasChanges: true,
          destroyed: [`google_sql_database_instance.db${i}`],
        })),
        ...Array.from({ length: 30 }, (_, i) => ({ key: `infra/quiet-${i}`, counts: { add: 1 }, hasChanges: true })),
      ],
      { maxLength: 2000 },
    )
    await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    expect(body.length).toBeLessThanOrEqual(2000)
    expect(body).toContain('**60 root modules: 30 to add, 0 to change, 30 to destroy.**')
    expect(body).toContain('**30 resources will be destroyed or replaced** in 30 root modules:')
    expect(body).toMatch(/> - … and \d+ more root modules destroying \d+ resources\n/)
    expect(body).toMatch(/_… and \d+ more root modules that destroy or errored not shown: see \[the job summary of this run\]/)
    expect(body).toMatch(/_… and 30 more root modules not shown: see /)
  })
})

describe('aggregate mode and two summaries of one key', () => {
  it('refuses them, naming both files, rather than let zero counts hide the other plan’s destroys', async () => {
    const t = aggregateOf([
      { key: 'prod', counts: { destroy: 3 }, hasChanges: true, destroyed: ['google_sql_database_instance.main'] },
      { key: 'prod' },
    ])
    await expect(runPlanComment(t.settings, t.deps)).rejects.toThrow(
      /^Input 'summaries': \S+\/0\/0\.plan-summary\.json and \S+\/1\/1\.plan-summary\.json are two different plans with the key 'prod'/,
    )
    expect(t.comments.all).toHaveLength(0)
  })

  it('reads a file named twice once, and takes the same summary downloaded twice as one', async () => {
    const t = aggregateOf([
      { key: 'prod', counts: { destroy: 3 }, hasChanges: true },
      { key: 'prod', counts: { destroy: 3 }, hasChanges: true },
    ])
    t.settings.summaries.push(path.join(t.settings.summaries[0]!, '0', '0.plan-summary.json'))
    const r = await runPlanComment(t.settings, t.deps)
    expect(r.outputs.destroy).toBe('3')
    expect(t.comments.all[0]!.body).toContain('**1 root module: 0 to add, 0 to change, 3 to destroy.**')
  })
})

describe('aggregate mode checks what a summary file says', () => {
  it('links details only into this GitHub, says "no changes" only when the counts agree, and shows incomplete, drifted and stale plans', async () => {
    const t = aggregateOf([
      { key: 'evil', sha: 'abcdef1234567', detailsUrl: 'https://evil.example/login?next=github', counts: { add: 5 }, hasChanges: false },
      { key: 'fine', sha: 'abcdef1234567', detailsUrl: 'https://github.com/acme/infra/pull/7#issuecomment-1' },
      { key: 'incomplete', complete: false, counts: { deferred: 2 } },
      { key: 'drifted', counts: { drift: 7 } },
      { key: 'old', sha: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef', counts: { change: 1 }, hasChanges: true },
    ])
    const r = await runPlanComment(t.settings, t.deps)
    const body = t.comments.all[0]!.body
    const row = (key: string): string => body.split('\n').find((l) => l.startsWith(`| \`${key}\` |`)) ?? ''
    expect(body).not.toContain('evil.example')
    expect(row('evil').endsWith('| 📝 changes |  |')).toBe(true)
    expect(row('fine')).toMatch(/\| ✅ no changes \| \[details\]\(https:\/\/github\.com\/acme\/infra\/pull\/7#issuecomment-1\) \|$/)
    expect(row('incomplete')).toContain('⏸️ incomplete')
    expect(row('incomplete')).not.toContain('no changes')
    expect(row('drifted')).toContain('🌀 drift (7)')
    expect(row('drifted')).not.toContain('no changes')
    expect(row('old')).toContain('📝 changes, 🕰️ of `deadbeefdead`, not the head')
    expect(body).toContain('**1 plan is incomplete** (deferred changes)')
    expect(body).toContain('**1 plan is of another commit** than `abcdef123456`')
    expect(r.outputs['has-changes']).toBe('true')
    expect(t.logs).toContainEqual(
      expect.stringMatching(/^WARN \S+\.plan-summary\.json: the plan of 'old' is of commit deadbeef\w+, not of abcdef1234567/),
    )
    expect(t.logs).toContainEqual(
      expect.stringMatching(/^WARN \S+\.plan-summary\.json: the details of 'evil' link outside https:\/\/github\.com/),
    )
  })
})
