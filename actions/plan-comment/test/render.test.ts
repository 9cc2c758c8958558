import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { analyzePlan, checkPlanDocument, parsePlanText, planSummaryLine } from '@infra-actions/terraform'
import { plan, rc } from '../../../test/support/plans.js'
import { assemble, renderPlan } from '../src/render.js'

const options = {
  title: 'Terraform plan',
  environment: 'prod',
  key: 'infra/prod:prod',
  workingDirectory: 'infra/prod',
  sha: '0123456789abcdef',
  runUrl: 'https://github.com/acme/infra/actions/runs/42',
}
const render = (fields: Record<string, unknown>, max = Number.POSITIVE_INFINITY) => {
  const rendered = renderPlan(analyzePlan(checkPlanDocument(plan(fields), 'plan.json')), options)
  return assemble(rendered, { max })
}

describe('the plan comment', () => {
  it('heads with environment, key, plan line, commit and run link', () => {
    const { text } = render({ resource_changes: [rc('google_storage_bucket.logs', ['create'])] })
    expect(text).toContain('### 📝 Terraform plan — `prod` · `infra/prod`\n')
    const custom = assemble(
      renderPlan(analyzePlan(checkPlanDocument(plan({ resource_changes: [rc('a.b', ['create'])] }), 'p')), { ...options, key: 'eu-west' }),
      { max: Infinity },
    ).text
    expect(custom).toContain('### 📝 Terraform plan — `prod` · `infra/prod` · `eu-west`\n')
    expect(text).toContain('**Plan: 1 to add, 0 to change, 0 to destroy.**')
    expect(text).toContain('Planned at `0123456`')
    expect(text).toContain('[workflow run](https://github.com/acme/infra/actions/runs/42)')
  })

  it('puts destroys and replacements first, flagged, with the reason and the forcing attribute', () => {
    const { text } = render({
      resource_changes: [
        rc('google_storage_bucket.new', ['create']),
        rc('google_cloud_run_v2_service.api', ['delete', 'create'], {
          action_reason: 'replace_because_cannot_update',
          change: {
            before: { image: 'gcr.io/app:1', name: 'api' },
            after: { image: 'gcr.io/app:2', name: 'api' },
            replace_paths: [['image']],
          },
        }),
        rc('google_sql_database_instance.main', ['delete'], { action_reason: 'delete_because_no_resource_config' }),
      ],
    })
    expect(text).toMatch(/\[!CAUTION\]\n> \*\*1 resource will be destroyed\*\* and \*\*1 resource will be replaced\*\*/)
    const destroyAt = text.indexOf('#### 🗑️ Destroy (1)')
    const replaceAt = text.indexOf('#### ♻️ Replace (1)')
    const createAt = text.indexOf('#### ➕ Create (1)')
    expect(text.indexOf('#### ✏️ Update')).toBe(-1)
    expect(destroyAt).toBeGreaterThan(0)
    expect(destroyAt).toBeLessThan(replaceAt)
    expect(replaceAt).toBeLessThan(createAt)
    expect(text).toContain('- `google_sql_database_instance.main` — its configuration was removed')
    expect(text).toContain('replaced because `image` forces replacement')
    expect(text).toContain('| `image` ⚠️ forces replacement | `"gcr.io/app:1"` | `"gcr.io/app:2"` |')
  })

  it('says when a replacement creates before it destroys, and shows deposed objects', () => {
    const { text } = render({ resource_changes: [rc('a.b', ['create', 'delete']), rc('a.c', ['delete'], { deposed: 'abc123' })] })
    expect(text).toContain('new object created before the old one is destroyed')
    expect(text).toContain('deposed object `abc123`')
  })

  it('shows moved, imported, forgotten and deferred resources and output changes', () => {
    const { text } = render({
      resource_changes: [
        rc('a.moved', ['no-op'], { previous_address: 'a.old' }),
        rc('a.imported', ['no-op'], { change: { importing: { id: 'projects/p/buckets/b' } } }),
        rc('a.kept', ['forget'], { action_reason: 'delete_because_no_resource_config' }),
      ],
      deferred_changes: [{ reason: 'provider_config_unknown', resource_change: rc('a.later', ['delete']) }],
      output_changes: { url: { actions: ['update'], before: 'old', after: 'new', before_sensitive: false, after_sensitive: false } },
      complete: false,
    })
    expect(text).toContain('#### 🚚 Move (1)')
    expect(text).toContain('- `a.moved` — from `a.old`')
    expect(text).toContain('imported from id `projects/p/buckets/b`')
    expect(text).toContain('#### 🫥 Forget')
    expect(text).toContain('the real object is kept')
    expect(text).toContain('#### ⏸️ Deferred to a later plan (1)')
    expect(text).toContain('⚠️ **would destroy**')
    expect(text).toContain('| `url` | update | `"old"` | `"new"` |')
    expect(text).toContain('This plan is incomplete')
  })

  it('puts drift in its own collapsed section', () => {
    const { text } = render({
      resource_changes: [rc('a.b', ['update'])],
      resource_drift: [rc('a.gone', ['delete']), rc('a.b', ['update'])],
    })
    expect(text).toMatch(/<details><summary>🌀 Drift: 2 resources changed outside Terraform<\/summary>/)
    expect(text).toContain('- `a.gone`: deleted outside Terraform')
  })

  it('says no changes plainly', () => {
    const { text } = render({ resource_changes: [rc('a.b', ['no-op'])] })
    expect(text).toContain('### ✅ Terraform plan')
    expect(text).toContain('No changes. Your infrastructure matches the configuration.')
    expect(text).not.toContain('| ➕ Add')
  })

  it('says an errored plan loudly', () => {
    const { text } = render({ errored: true, resource_changes: [rc('a.b', ['create'])] })
    expect(text).toContain('### ❌')
    expect(text).toMatch(/\[!CAUTION\]\n> \*\*The plan errored\.\*\*/)
  })

  it('lists failing checks', () => {
    const { text } = render({
      checks: [
        {
          address: { kind: 'resource', to_display: 'a.b' },
          status: 'fail',
          instances: [{ address: { to_display: 'a.b' }, status: 'fail', problems: [{ message: 'Bucket must be private' }] }],
        },
      ],
    })
    expect(text).toContain('#### ❗ Checks that did not pass (1)')
    expect(text).toContain('Bucket must be private')
  })
})

describe('what each new, adopted or deleted resource is (#15)', () => {
  const bucket = rc('google_storage_bucket.logs', ['create'], {
    change: {
      after: {
        name: 'acme-logs',
        location: 'EU',
        public_access_prevention: 'inherited',
        labels: { team: 'core' },
        versioning: [{ enabled: true }],
        lifecycle_rule: [],
        retention_policy: null,
        website: [],
        encryption_key: 'k-123456789',
        self_link: null,
      },
      after_unknown: { id: true, self_link: true, url: true },
      after_sensitive: { encryption_key: true },
    },
  })
  const firewall = rc('google_compute_firewall.ssh', ['create'], {
    change: { after: { name: 'allow-ssh', source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['22'] }] } },
  })

  it('shows a create as a collapsed table: known values, unknown and sensitive parts, nested blocks flattened, empties counted', () => {
    const { text } = render({ resource_changes: [bucket, firewall] })
    const block = text.slice(text.indexOf('`google_storage_bucket.logs`'), text.indexOf('`google_compute_firewall.ssh`'))
    expect(block).toContain('<details><summary>9 attributes</summary>')
    for (const row of [
      '| `name` | `"acme-logs"` |',
      '| `public_access_prevention` | `"inherited"` |',
      '| `labels.team` | `"core"` |',
      '| `versioning[0].enabled` | `true` |',
      '| `encryption_key` | `(sensitive)` |',
      '| `id` | `(known after apply)` |',
      '| `self_link` | `(known after apply)` |',
      '| `url` | `(known after apply)` |',
    ])
      expect(block).toContain(`  ${row}`)
    expect(block).toContain('3 null or empty values not shown.')
    expect(block).not.toContain('k-123456789')
    expect(text).toContain('| `source_ranges[0]` | `"0.0.0.0/0"` |')
    expect(text).toContain('| `allow[0].ports[0]` | `"22"` |')
  })

  it('shows what a delete takes away by its identifying attributes only, and what an import adopts', () => {
    const { text } = render({
      resource_changes: [
        rc('google_sql_database_instance.main', ['delete'], {
          change: {
            before: {
              id: 'main',
              name: 'main',
              self_link: 'https://x/main',
              region: 'europe-west1',
              labels: { env: 'prod' },
              settings: [{ tier: 'db-f1' }],
              root_password: 'pw-123456',
            },
            before_sensitive: { root_password: true },
          },
        }),
        rc('google_storage_bucket.old', ['no-op'], {
          change: { before: { name: 'old', location: 'US' }, after: { name: 'old', location: 'US' }, importing: { id: 'old' } },
        }),
      ],
    })
    expect(text).toContain('<details><summary>5 identifying attributes</summary>')
    expect(text).toContain('| `labels.env` | `"prod"` |')
    expect(text).not.toContain('settings[0].tier')
    expect(text).not.toContain('pw-123456')
    expect(text).toContain('<details><summary>2 attributes adopted</summary>')
    expect(text).toContain('| `location` | `"US"` |')
  })

  it('shows a replacement’s changes and its new object', () => {
    const { text } = render({
      resource_changes: [
        rc('google_cloud_run_v2_service.api', ['create', 'delete'], {
          change: { before: { name: 'api', location: 'eu' }, after: { name: 'api', location: 'us' }, replace_paths: [['location']] },
        }),
      ],
    })
    expect(text).toContain('| `location` ⚠️ forces replacement | `"eu"` | `"us"` |')
    expect(text).toContain('<details><summary>2 attributes of the new object</summary>')
  })

  it('cuts these lists before any update’s changes, and never the counts, a destroy or a replacement', () => {
    const fields = {
      resource_changes: [
        rc('google_sql_database_instance.gone', ['delete']),
        rc('google_storage_bucket.u', ['update'], { change: { before: { labels: { a: '1' } }, after: { labels: { a: '2' } } } }),
        ...Array.from({ length: 300 }, (_, i) => ({ ...firewall, address: `google_compute_firewall.f${i}`, name: `f${i}` })),
      ],
    }
    const full = render(fields).text
    const { text, cut } = render(fields, full.length - 10_000)
    expect(cut!.lightened.get(0)).toBeGreaterThan(0)
    expect(cut!.lightened.get(1) ?? 0).toBe(0)
    expect(text).toContain('| `labels.a` | `"1"` | `"2"` |')
    expect(text).toContain('`google_sql_database_instance.gone`')
    expect(text).toMatch(/Shortened to fit [\d,]+ characters: the attribute lists of \d+ resources/)
  })
})

describe('what each resource will be', () => {
  it('lists every attribute of a wide new resource, far past fifty', () => {
    const after = Object.fromEntries(Array.from({ length: 72 }, (_, i) => [`attribute_${String(i).padStart(2, '0')}`, `v${i}`]))
    const { text } = render({ resource_changes: [rc('google_storage_bucket.wide', ['create'], { change: { after } })] })
    expect(text).toContain('72 attributes')
    expect(text).toContain('| `attribute_71` | `"v71"` |')
    expect(text).not.toContain('… and')
  })

  it('shows what an import adopts as it is, not as the update that follows will make it', () => {
    const { text } = render({
      resource_changes: [
        rc('aws_s3_bucket.imported', ['update'], {
          change: { before: { acl: 'private', bucket: 'b' }, after: { acl: 'public-read', bucket: 'b' }, importing: { id: 'b' } },
        }),
      ],
    })
    const adopted = text.slice(text.indexOf('adopted'))
    expect(adopted).toContain('| `acl` | `"private"` |')
    expect(adopted).not.toContain('| `acl` | `"public-read"` |')
  })
})

describe('secrets', () => {
  const secretPlan = {
    resource_changes: [
      rc('google_secret_manager_secret_version.db', ['update'], {
        change: {
          before: { secret_data: 'hunter2-OLD-value', labels: { team: 'core' }, nested: [{ token: 'ghp_OLDTOKEN123' }] },
          after: {
            secret_data: 'hunter2-NEW-value',
            labels: { team: 'platform' },
            nested: [{ token: 'ghp_NEWTOKEN456' }],
            description: 'copy: hunter2-NEW-value',
          },
          before_sensitive: { secret_data: true, nested: [{ token: true }] },
          after_sensitive: { secret_data: true, nested: [{ token: true }] },
        },
      }),
      rc('random_password.x', ['create'], { change: { after: { result: 'p@ssw0rd-created' }, after_sensitive: { result: true } } }),
    ],
    output_changes: {
      db_password: { actions: ['create'], before: null, after: 'output-secret-999', before_sensitive: true, after_sensitive: true },
    },
  }

  it('are scrubbed from the full rendering written while rendering, which is the unbudgeted text exactly', () => {
    const wide = rc('google_storage_bucket.wide', ['create'], {
      change: {
        after: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`attribute_${i}`, `value number ${i} of a wide resource`])),
      },
    })
    const many = { ...secretPlan, resource_changes: [...Array.from({ length: 4000 }, () => secretPlan.resource_changes).flat(), wide] }
    const model = analyzePlan(checkPlanDocument(plan(many), 'p'))
    const pieces: string[] = []
    const streamed = renderPlan(model, options, (t) => pieces.push(t))
    expect(pieces.length).toBeGreaterThan(1)
    const written = pieces.join('')
    // The same text as an unbudgeted assembly, whether its large blocks were kept or rendered again.
    expect(written).toBe(assemble(renderPlan(model, options), { max: Number.POSITIVE_INFINITY }).text)
    expect(written).toBe(assemble(streamed, { max: Number.POSITIVE_INFINITY }).text)
    expect(written).not.toContain('hunter2-NEW-value')
    // Large blocks were kept as sizes only, and a budget renders the same comment either way.
    expect(streamed.blocks.some((b) => typeof b.text !== 'string')).toBe(true)
    expect(assemble(streamed, { max: 30_000 }).text).toBe(assemble(renderPlan(model, options), { max: 30_000 }).text)
  })

  it('are not shown in part when a long copied value is cut for display', () => {
    const key = `-----BEGIN PRIVATE KEY-----${'A'.repeat(200)}-----END PRIVATE KEY-----`
    const { text } = render({
      resource_changes: [
        rc('google_service_account_key.k', ['update'], {
          change: {
            before: { private_key: 'old-key-value', note: 'x' },
            after: { private_key: key, note: key },
            before_sensitive: { private_key: true },
            after_sensitive: { private_key: true },
          },
        }),
      ],
    })
    expect(text).not.toContain('BEGIN PRIVATE KEY')
    // The provider copied the secret into a plain attribute: the value equals a sensitive one, so it is masked.
    expect(text).toContain('| `note` | `"x"` | `(sensitive)` |')
  })

  it('are found inside longer text whatever escaping the rendering gives them (a table cell, code, JSON)', () => {
    const secrets = { pw: 'pass|word123', zw: 'zero\u200bwidth-secret', nl: 'multi\nline-secret', q: 'quote"d-secret' }
    const { text } = render({
      resource_changes: [
        rc('a.src', ['create'], { change: { after: secrets, after_sensitive: { pw: true, zw: true, nl: true, q: true } } }),
        rc('b.dst', ['create'], {
          change: {
            after: {
              copy: 'prefix pass|word123 suffix',
              copy2: 'see zero\u200bwidth-secret here',
              copy3: 'a multi\nline-secret b',
              nested: { json: { v: 'x quote"d-secret y', w: 'pass|word123!' } },
              // A jsonencode()d attribute holding the secrets: escaped twice on the way to the Markdown.
              container_definitions: JSON.stringify([{ environment: secrets }]),
            },
          },
        }),
        rc('c.upd', ['update'], { change: { before: { v: 'old' }, after: { v: 'prefix pass|word123 suffix' } } }),
      ],
    })
    for (const leaked of ['word123', 'width-secret', 'line-secret', 'd-secret']) expect(text).not.toContain(leaked)
    expect(text).toContain('prefix (sensitive) suffix')
  })

  it("are found in Terraform's jsonencode() spelling (& < > as \\u escapes)", () => {
    const { text } = render({
      resource_changes: [
        rc('aws_db_instance.main', ['update'], {
          change: {
            before: { password: 'old-password-1' },
            after: { password: 's3cr3t&<>pass' },
            before_sensitive: { password: true },
            after_sensitive: { password: true },
          },
        }),
        rc('aws_ecs_task_definition.app', ['create'], {
          change: { after: { container_definitions: '[{"value":"s3cr3t\\u0026\\u003c\\u003epass"}]' } },
        }),
      ],
    })
    expect(text).not.toContain('s3cr3t')
  })

  it('mask every sensitive value as a whole value, past 100,000 of them', () => {
    const keys = Array.from({ length: 100_001 }, (_, i) => `k${i}`)
    const { text } = render({
      resource_changes: [
        rc('terraform_data.keys', ['create'], { change: { after: { input: keys }, after_sensitive: { input: true } } }),
        rc('terraform_data.copy', ['create'], { change: { after: { output: 'TOPSECRET-pw-42' } } }),
      ],
      output_changes: { pw: { actions: ['create'], before: null, after: 'TOPSECRET-pw-42', after_sensitive: true } },
    })
    expect(text).not.toContain('TOPSECRET')
  })

  it('keep the comment within its limit when (sensitive) is longer than the secrets it replaced', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      rc(`null_resource.r["${'abcdef'.repeat(20)}${i}"]`, ['delete'], { change: { before: { id: `x${i}` } } }),
    )
    const rendered = renderPlan(
      analyzePlan(
        checkPlanDocument(
          plan({
            resource_changes: many,
            output_changes: { pw: { actions: ['create'], before: null, after: 'abcdef', after_sensitive: true } },
          }),
          'p',
        ),
      ),
      options,
    )
    const { text } = assemble(rendered, { max: 60_000 })
    expect(text).not.toContain('abcdef')
    expect(text.length).toBeLessThanOrEqual(60_000)
  })

  it('leave our own markup whole when a secret is one of its words', () => {
    // Secrets that are words of the rendering's markup, marked sensitive in one resource and copied into plain
    // attributes of others; and the same plan with secrets that are no word of it. The layout must be the same.
    const planWith = (secrets: string[]) => ({
      resource_changes: [
        rc('google_secret_manager_secret_version.s', ['create'], {
          change: {
            after: Object.fromEntries(secrets.map((x, i) => [`k${i}`, x])),
            after_sensitive: Object.fromEntries(secrets.map((_, i) => [`k${i}`, true])),
          },
        }),
        rc('google_storage_bucket.copy', ['update'], {
          change: {
            before: { note: 'old' },
            after: { note: `a ${secrets[0]} b`, ...Object.fromEntries(secrets.map((x, i) => [`c${i}`, x])) },
          },
        }),
        rc('google_storage_bucket.new', ['create'], { change: { after: Object.fromEntries(secrets.map((x, i) => [`c${i}`, x])) } }),
        rc('google_sql_database_instance.gone', ['delete']),
      ],
      resource_drift: [rc('google_storage_bucket.copy', ['update'], { change: { before: { v: 'x' }, after: { v: secrets[1] } } })],
      output_changes: { out: { actions: ['create'], before: null, after: secrets[2], before_sensitive: false, after_sensitive: false } },
    })
    const words = [
      'details',
      '</details>',
      '<summary>',
      'Attribute',
      'attributes',
      'workflow run',
      'Terraform plan',
      '| --- |',
      'Planned at',
    ]
    const neutral = words.map((_, i) => `zq-neutral-${i}`)
    const md = new MarkdownIt({ html: true })
    // The HTML without what code spans hold (values are masked in one and not the other).
    const skeleton = (text: string) => md.render(text).replace(/<code>[\s\S]*?<\/code>/g, '<code/>')
    const { text } = render(planWith(words))
    expect(skeleton(text)).toBe(skeleton(render(planWith(neutral)).text))
    expect(text).toContain('<details><summary>')
    // Where they were copied, they are masked all the same.
    const codes = [...md.render(text).matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) =>
      m[1]!
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    )
    for (const w of words.filter((x) => x.length >= 6)) expect(codes.filter((c) => c.includes(w))).toEqual([])
    expect(text).toContain('`"a (sensitive) b"`')
  })

  it('never appear where the plan’s own text is shown as prose: actions, reasons, check results', () => {
    const canary = 'CANARY-s3cr3t-9f2e'
    const { text } = render({
      resource_changes: [rc('google_storage_bucket.odd', [canary])],
      resource_drift: [rc('google_storage_bucket.drifted', [canary])],
      deferred_changes: [{ reason: `wait ${canary}`, resource_change: rc('google_storage_bucket.later', [canary]) }],
      output_changes: {
        leaked: { actions: [canary], before: null, after: 'x', before_sensitive: false, after_sensitive: false },
        pw: { actions: ['create'], before: null, after: canary, before_sensitive: false, after_sensitive: true },
      },
      checks: [
        {
          address: { to_display: 'check.health' },
          status: 'fail',
          instances: [{ address: { to_display: 'check.health' }, status: 'fail', problems: [{ message: `got ${canary}` }] }],
        },
      ],
    })
    expect(text).toContain('check.health')
    expect(text).toContain('deferred: wait \\(sensitive\\)')
    expect(text).not.toContain(canary)
  })

  it('mask a short secret wherever the plan’s own text shows it whole: ids, deposed keys, reasons, output names, messages', () => {
    const pw = 'Pw1x'
    const { text } = render({
      resource_changes: [
        rc('terraform_data.src', ['create'], { change: { after: { input: pw }, after_sensitive: { input: true } } }),
        rc('google_storage_bucket.adopted', ['no-op'], { change: { importing: { id: pw } } }),
        rc('google_storage_bucket.old', ['delete'], { deposed: pw, action_reason: pw }),
      ],
      deferred_changes: [{ reason: pw, resource_change: rc('google_storage_bucket.later', ['create']) }],
      output_changes: { [pw]: { actions: ['create'], before: null, after: 'x', before_sensitive: false, after_sensitive: false } },
      checks: [
        {
          address: { to_display: 'check.c' },
          status: 'fail',
          instances: [{ address: { to_display: 'check.c' }, status: 'fail', problems: [{ message: pw }] }],
        },
      ],
    })
    expect(text).toContain('imported from id `(sensitive)`')
    expect(text).toContain('deposed object `(sensitive)`')
    expect(text).not.toMatch(/Pw1x/)
  })

  it('take the keys of a sensitive map for secrets, and mask a short one in the version, drift and check addresses and unknown actions', () => {
    const { text } = render({
      terraform_version: 'Pw1x',
      resource_changes: [
        rc('terraform_data.a', ['create'], {
          change: { after: { input: { 'svc-deploy-admin': 'Xk9pQ2vLm8Rt', Pw1x: 'y' } }, after_sensitive: { input: true } },
        }),
        rc('terraform_data.c', ['create'], { change: { after: { input: { copy: { 'svc-deploy-admin': 'z' } } } } }),
        rc('terraform_data.odd', ['Pw1x']),
      ],
      resource_drift: [rc('Pw1x', ['update'])],
      checks: [{ address: { to_display: 'Pw1x' }, status: 'fail', instances: [] }],
    })
    expect(text).not.toContain('svc-deploy-admin')
    expect(text).not.toMatch(/Pw1x/)
  })

  it('scrub a long secret before an address or id is shortened to fit a budget', () => {
    const key = `-----BEGIN KEY-----${'ABCDEFGHIJKLMNOP'.repeat(24)}-----END KEY-----`
    const fields = {
      resource_changes: [
        rc('terraform_data.k', ['create'], { change: { after: { input: key }, after_sensitive: { input: true } } }),
        rc('google_storage_bucket.adopted', ['update'], { change: { importing: { id: key } } }),
        ...Array.from({ length: 40 }, (_, i) => rc(`google_pubsub_topic.t${i}`, ['create'])),
      ],
    }
    const full = render(fields).text
    const cut = render(fields, 1200)
    expect(cut.cut!.lightened.size + cut.cut!.dropped.size).toBeGreaterThan(0)
    for (const text of [full, cut.text]) expect(text).not.toContain('ABCDEFGHIJKLMNOP')
  })

  it('scrub a secret from a JSON string whose writer escaped every character past ASCII (Python’s json.dumps)', () => {
    const secret = 'QZ\u200bzw|4-long'
    const { text } = render({
      resource_changes: [
        rc('terraform_data.s', ['create'], { change: { after: { input: secret }, after_sensitive: { input: true } } }),
        rc('google_storage_bucket.b', ['create'], {
          change: {
            after: { policy: JSON.stringify({ k: secret }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`) },
          },
        }),
      ],
    })
    expect(text).not.toContain('zw')
  })

  it('never appear in the rendering, however deep, and are masked where shown', () => {
    const { text } = render(secretPlan)
    for (const secret of ['hunter2', 'OLDTOKEN', 'NEWTOKEN', 'p@ssw0rd', 'output-secret']) expect(text).not.toContain(secret)
    expect(text).toContain('| `secret_data` | `(sensitive)` | `(sensitive)` |')
    expect(text).toContain('| `labels.team` | `"core"` | `"platform"` |')
    // The provider copied a secret into a plain attribute: scrubbed all the same.
    expect(text).toContain('`"copy: (sensitive)"`')
    expect(text).toContain('| `db_password` | create | `(none)` | `(sensitive)` |')
  })
})

describe('hostile plan text', () => {
  const md = new MarkdownIt({ html: true })
  const hostile = fc.oneof(
    fc.constantFrom(
      '</details><h1>pwned</h1>',
      '@acme/admins',
      '```\n# x',
      '<img src=x onerror=alert(1)>',
      '| a | b |',
      '\n\n## injected',
      '<!--',
      '`',
    ),
    fc.string({ maxLength: 40 }),
  )
  it('cannot break the layout, inject HTML or mention anyone', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (key, value, reason) => {
        const address = `module.x[${JSON.stringify(key)}].google_storage_bucket.b`
        const { text } = render({
          resource_changes: [
            rc(address, ['update'], {
              action_reason: reason,
              change: { before: { [key]: 'a', v: value }, after: { [key]: 'b', v: `${value}!` } },
            }),
            rc(`a.del[${JSON.stringify(key)}]`, ['delete']),
          ],
          resource_drift: [rc(address, ['update'], { change: { before: { v: value }, after: { v: key } } })],
        })
        const html = md.render(text)
        expect(html).not.toMatch(/<h1>pwned|<img|<script|<h2>injected/)
        expect(html.match(/<details>/g)?.length).toBe(html.match(/<\/details>/g)?.length)
        expect(html.replace(/<code>[\s\S]*?<\/code>/g, '')).not.toMatch(/@[A-Za-z0-9]/)
        // No plan text can start a line: only this project writes a comment's marker line.
        expect(text.split('\n').filter((l) => l.startsWith('<!--'))).toEqual([])
      }),
      { numRuns: 150 },
    )
  })

  it('cannot start a line with another key’s comment marker', () => {
    const marker = '<!-- infra-actions:plan-comment:key=infra%3Astage -->'
    const { text } = render({
      resource_changes: [
        rc('google_storage_bucket.b', ['update'], { change: { before: { tags: { t: 'a' } }, after: { tags: { t: `\n${marker}\n` } } } }),
      ],
    })
    expect(text.split('\n').some((l) => l.trimStart().startsWith('<!-- infra-actions'))).toBe(false)
  })
})

describe('the budget', () => {
  const big = {
    resource_changes: [
      ...Array.from({ length: 30 }, (_, i) => rc(`google_sql_database_instance.db${i}`, ['delete'])),
      ...Array.from({ length: 400 }, (_, i) =>
        rc(`google_storage_bucket.b${i}`, ['update'], {
          change: { before: { labels: { n: `${i}`, owner: 'x'.repeat(60) } }, after: { labels: { n: `${i + 1}`, owner: 'y'.repeat(60) } } },
        }),
      ),
      ...Array.from({ length: 600 }, (_, i) => rc(`google_pubsub_topic.t${i}`, ['create'])),
    ],
  }

  it('fits max-length by dropping diffs, then long lists, never the counts or a destroy', () => {
    const full = render(big).text
    expect(full.length).toBeGreaterThan(100_000)
    const { text, cut } = render(big, 20_000)
    expect(text.length).toBeLessThanOrEqual(20_000)
    expect(text).toContain('**Plan: 600 to add, 400 to change, 30 to destroy.**')
    for (let i = 0; i < 30; i++) expect(text).toContain(`\`google_sql_database_instance.db${i}\``)
    expect(cut!.lightened.get(1)).toBeGreaterThan(0)
    expect(text).toMatch(/- … and \d+ more created resources not shown here\./)
    expect(text).toMatch(
      /Shortened to fit 20,000 characters: the attribute lists of \d+ resources \(created, imported, replaced or destroyed\), the attribute changes of \d+ resources, \d+ created resources/,
    )
  })

  it('cuts one enormous address instead of hiding the other destroys behind it', () => {
    const huge = `google_storage_bucket.b["${'k'.repeat(66_000)}"]`
    const fields = {
      resource_changes: [rc(huge, ['delete']), ...['x', 'y', 'z'].map((n) => rc(`google_sql_database_instance.${n}`, ['delete']))],
    }
    const { text } = render(fields, 65_536)
    expect(text.length).toBeLessThanOrEqual(65_536)
    for (const n of ['x', 'y', 'z']) expect(text).toContain(`\`google_sql_database_instance.${n}\``)
    expect(text).not.toMatch(/more destroyed resources not shown/)
    expect(text).toMatch(/google_storage_bucket\.b\["k+…k+"\] \(66,027 characters\)/)
    // The full rendering keeps it whole.
    expect(render(fields).text).toContain(huge)
  })

  it('keeps the detail at the top when only some must go', () => {
    const full = render(big).text
    const { text } = render(big, full.length - 5000)
    expect(text).toContain('google_storage_bucket.b0`\n  <details>')
  })
})

describe('a generated large plan (the benchmark’s generator)', () => {
  it('fits 65,536 characters, cutting the attribute lists of creates before any update’s changes', async () => {
    const { generatePlan } = await import('../../../scripts/generate-plan.mjs')
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gen-')), 'plan.json')
    await generatePlan(600, file)
    const model = analyzePlan(parsePlanText(readFileSync(file), 'plan.json'))
    expect(model.counts.add).toBeGreaterThan(100)
    const { text, cut } = assemble(renderPlan(model, options), { max: 65_536 })
    expect(text.length).toBeLessThanOrEqual(65_536)
    const lists = cut!.lightened.get(0) ?? 0
    expect(lists).toBeGreaterThanOrEqual(model.changes.filter((c) => c.action === 'create').length)
    for (const c of model.changes.filter((c) => c.destroys)) expect(text).toContain(`\`${c.address}\``)
    expect(text).toContain(`**${planSummaryLine(model)}**`)
  })
})
