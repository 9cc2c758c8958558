// Writes a large, realistic `terraform show -json` plan, as a stream: N resource changes across
// modules with attribute bags like Google provider resources (labels, nested blocks, lists, an IAM
// policy as a JSON string, long strings), sensitive and unknown marks, replacements with
// replace_paths, drift, and the top-level keys in Terraform's order with attribute keys sorted as
// Terraform writes them. Deterministic for a given N: every resource is made from its own index,
// so the same resource can be written again in each section without keeping anything, and a plan
// of any size takes the memory of one resource.
//
// Two shapes:
//   terraform  as Terraform writes it: `planned_values` repeats every planned object's values and
//              `prior_state` every existing object's, so the file is about twice `resource_changes`
//              (10,000 changes ≈ 140 MB)
//   changes    `resource_changes` (with drift and outputs) alone: nothing a reader may skip
//              (10,000 changes ≈ 70 MB)
//
//   node scripts/generate-plan.mjs 10000 /tmp/plan-10k.json [--shape terraform|changes]
//   node scripts/generate-plan.mjs --size 2g /tmp/plan-2g.json [--shape changes]
//
// generatePlan returns what it wrote (the counts as Terraform counts them and the destroyed
// addresses), which the benchmark checks the actions against: a reference that never reads JSON.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

/** A small deterministic generator (LCG) seeded from a number. */
function rng(seed) {
  let s = seed >>> 0
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32
}

// Terraform writes attribute objects with their keys sorted (cty's order); so does this.
const sortedKeys = (v) =>
  Array.isArray(v)
    ? v.map(sortedKeys)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortedKeys(v[k])]),
        )
      : v

/** The attributes of service `i` at `version` (deterministic per i and version). */
function bag(i, version) {
  const r = rng(i * 7919 + version * 104729 + 1)
  const env = Array.from({ length: 2 }, (_, k) => ({ name: `ENV_VAR_${k}`, value: `value-${k}-${(r() * 1e9) | 0}`, value_source: [] }))
  // What wide resources carry: an IAM policy (or a manifest, a template) as one JSON-encoded string.
  const policy = JSON.stringify({
    bindings: Array.from({ length: 10 }, (_, k) => ({
      role: `roles/run.${['invoker', 'viewer', 'developer', 'admin', 'sourceReader', 'serviceAgent', 'builder', 'auditor'][k % 8]}${k >= 8 ? 'V2' : ''}`,
      members: [`serviceAccount:svc-${i}-${k}@acme-prod-123456.iam.gserviceaccount.com`, `group:team-${(i + k) % 17}@acme.example`],
      ...(k === 0
        ? { condition: { title: `v${version}`, expression: `request.time < timestamp("2027-0${1 + (version % 9)}-01T00:00:00Z")` } }
        : {}),
    })),
    etag: `BwY${(i * 31 + version).toString(36)}=`,
    version: 3,
  })
  return sortedKeys({
    name: `service-${i}`,
    location: 'europe-west1',
    project: 'acme-prod-123456',
    description: `Service ${i} of the platform, managed by Terraform. `.repeat(2),
    labels: { team: `team-${i % 17}`, env: 'prod', 'cost-center': String(1000 + (i % 50)), version: `v${version}` },
    annotations: {
      'run.googleapis.com/launch-stage': 'GA',
      'autoscaling.knative.dev/maxScale': String(10 + (i % 5)),
      // Helm-values-like configuration as one YAML string.
      'config.acme.dev/values': Array.from(
        { length: 6 },
        (_, k) =>
          `component-${k}:\n  replicas: ${1 + ((i + k) % 3)}\n  image: europe-docker.pkg.dev/acme/apps/component-${k}:1.${version}.${k}\n`,
      ).join(''),
    },
    template: [
      {
        containers: [
          {
            image: `europe-docker.pkg.dev/acme/apps/service-${i}:1.${version}.0`,
            args: ['--port=8080', '--log-format=json', `--instance=${i}`],
            env,
            resources: [{ limits: { cpu: '1000m', memory: '512Mi' }, cpu_idle: true, startup_cpu_boost: false }],
            ports: [{ container_port: 8080, name: 'http1' }],
            startup_probe: [
              { initial_delay_seconds: 0, timeout_seconds: 1, period_seconds: 3, failure_threshold: 1, tcp_socket: [{ port: 8080 }] },
            ],
          },
        ],
        scaling: [{ min_instance_count: 0, max_instance_count: 10 + (i % 5) }],
        service_account: `svc-${i}@acme-prod-123456.iam.gserviceaccount.com`,
        timeout: '300s',
        vpc_access: [
          { connector: `projects/acme-prod-123456/locations/europe-west1/connectors/c-${i % 4}`, egress: 'PRIVATE_RANGES_ONLY' },
        ],
      },
    ],
    traffic: [{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100, revision: '', tag: '' }],
    iam_policy: policy,
    uri: `https://service-${i}-abcdefghij-ew.a.run.app`,
    etag: `"${(r() * 1e12).toString(36)}"`,
    db_password: `s3cret-${i}-${(r() * 1e9) | 0}`,
  })
}

const sensitive = () => ({
  db_password: true,
  template: [{ containers: [{ env: Array.from({ length: 2 }, (_, k) => (k === 1 ? { value: true } : {})) }] }],
})

const TEAMS = 17
const moduleOf = (i) => `module.svc["team-${i % TEAMS}"]`

/** Resource change `i`: the same every time it is asked for. */
function resource(i) {
  const pick = rng(i * 2654435761 + 12345)()
  const actions =
    pick < 0.55 ? ['update'] : pick < 0.8 ? ['create'] : pick < 0.9 ? ['create', 'delete'] : pick < 0.95 ? ['delete'] : ['no-op']
  const module = moduleOf(i)
  const address = `${module}.google_cloud_run_v2_service.this["service-${i}"]`
  const before = actions[0] === 'create' && actions.length === 1 ? null : bag(i, actions[0] === 'no-op' ? 2 : 1)
  const after = actions.length === 1 && actions[0] === 'delete' ? null : bag(i, 2)
  if (after && actions[0] !== 'no-op') delete after.uri
  const change = {
    actions,
    before,
    after,
    after_unknown: after ? (actions[0] === 'no-op' ? {} : { uri: true, etag: true }) : false,
    before_sensitive: before ? sensitive() : false,
    after_sensitive: after ? sensitive() : false,
  }
  if (actions.length === 2) change.replace_paths = [['location']]
  return { address, module, actions, change }
}

/**
 * Writes a plan of `n` resource changes to `file` and returns what it holds. `options.shape`:
 * 'terraform' (default) or 'changes' (see the top of this file).
 */
export async function generatePlan(n, file, options = {}) {
  const shape = options.shape ?? 'terraform'
  if (shape !== 'terraform' && shape !== 'changes') throw new Error(`unknown shape ${shape}`)
  const out = createWriteStream(file, { highWaterMark: 1 << 20 })
  let pending = ''
  let bytes = 0
  // Written in pieces of about 1 MiB: a plan of any size is never one string.
  const write = async (s) => {
    pending += s
    if (pending.length < 1 << 20) return
    await flush()
  }
  const flush = async () => {
    if (!pending) return
    bytes += Buffer.byteLength(pending)
    const ok = out.write(pending)
    pending = ''
    if (!ok) await once(out, 'drain')
  }
  const counts = { add: 0, change: 0, destroy: 0, replace: 0, noop: 0, drift: 0 }
  const destroyed = []

  // planned_values and prior_state: every object after the plan, every object before it, grouped
  // by module instance as Terraform groups them.
  const state = async (side) => {
    await write('{"root_module":{"child_modules":[')
    for (let m = 0; m < Math.min(TEAMS, n); m++) {
      await write(`${m ? ',' : ''}{"address":${JSON.stringify(moduleOf(m))},"resources":[`)
      let first = true
      for (let i = m; i < n; i += TEAMS) {
        const { change } = resource(i)
        const values = change[side]
        if (!values) continue
        await write(
          `${first ? '' : ','}${JSON.stringify({
            address: `${moduleOf(i)}.google_cloud_run_v2_service.this["service-${i}"]`,
            mode: 'managed',
            type: 'google_cloud_run_v2_service',
            name: 'this',
            index: `service-${i}`,
            provider_name: 'registry.terraform.io/hashicorp/google',
            schema_version: 0,
            values,
            sensitive_values: sensitive(),
          })}`,
        )
        first = false
      }
      await write(']}')
    }
    await write(']}}')
  }

  // Top-level keys in the order Terraform writes them (jsonplan's struct order).
  await write('{"format_version":"1.2","terraform_version":"1.9.5",')
  if (shape === 'terraform') {
    await write('"variables":{"project":{"value":"acme-prod-123456"}},"planned_values":')
    await state('after')
    await write(',')
  }
  await write('"resource_drift":[')
  for (let i = 0; i < Math.ceil(n / 100); i++) {
    counts.drift++
    await write(
      `${i ? ',' : ''}${JSON.stringify({
        address: `google_storage_bucket.drift_${i}`,
        mode: 'managed',
        type: 'google_storage_bucket',
        name: `drift_${i}`,
        provider_name: 'registry.terraform.io/hashicorp/google',
        change: {
          actions: ['update'],
          before: bag(i, 0),
          after: bag(i, 1),
          after_unknown: {},
          before_sensitive: sensitive(),
          after_sensitive: sensitive(),
        },
      })}`,
    )
  }
  await write('],"resource_changes":[')
  for (let i = 0; i < n; i++) {
    const { address, module, actions, change } = resource(i)
    const a = actions.join(',')
    if (a === 'update') counts.change++
    else if (a === 'create') counts.add++
    else if (a === 'no-op') counts.noop++
    else {
      counts.destroy++
      destroyed.push(address)
      if (a === 'create,delete') {
        counts.add++
        counts.replace++
      }
    }
    await write(
      `${i ? ',' : ''}${JSON.stringify({
        address,
        module_address: module,
        mode: 'managed',
        type: 'google_cloud_run_v2_service',
        name: 'this',
        index: address.slice(address.indexOf('["') + 2, -2),
        provider_name: 'registry.terraform.io/hashicorp/google',
        change,
        ...(actions.length === 2 ? { action_reason: 'replace_because_cannot_update' } : {}),
      })}`,
    )
  }
  await write(
    '],"output_changes":{"service_urls":{"actions":["update"],"before":[],"after_unknown":true,"before_sensitive":false,"after_sensitive":false}},',
  )
  if (shape === 'terraform') {
    await write('"prior_state":{"format_version":"1.0","terraform_version":"1.9.5","values":')
    await state('before')
    await write('},')
    // A configuration like a real one: module calls whose `variables` and `expressions` nest the
    // same key names as the top level.
    const configuration = {
      provider_config: {
        google: {
          name: 'google',
          full_name: 'registry.terraform.io/hashicorp/google',
          expressions: { project: { references: ['var.project'] } },
        },
      },
      root_module: {
        variables: { project: { description: 'GCP project' } },
        module_calls: {
          svc: {
            source: './modules/svc',
            for_each_expression: { references: ['local.teams'] },
            module: {
              resources: [
                {
                  address: 'google_cloud_run_v2_service.this',
                  mode: 'managed',
                  type: 'google_cloud_run_v2_service',
                  name: 'this',
                  provider_config_key: 'google',
                  expressions: { name: { references: ['each.key'] }, location: { constant_value: 'europe-west1' } },
                  schema_version: 0,
                  for_each_expression: { references: ['var.services'] },
                },
              ],
              variables: { services: { description: 'Services of this team' } },
            },
          },
        },
      },
    }
    await write(
      `"configuration":${JSON.stringify(configuration)},"relevant_attributes":[{"resource":"module.svc.google_cloud_run_v2_service.this","attribute":["uri"]}],"timestamp":"2026-11-23T10:00:00Z",`,
    )
  }
  await write('"applyable":true,"complete":true,"errored":false}\n')
  await flush()
  out.end()
  await once(out, 'finish')
  return { shape, changes: n, bytes, counts, destroyed }
}

/** About how many resource changes make a plan of `bytes` in `shape` (measured on this generator). */
export function changesForSize(bytes, shape = 'terraform') {
  return Math.max(1, Math.round(bytes / (shape === 'terraform' ? 14_000 : 7_000)))
}

/** '550m', '2g', '2GB', '140000000' → bytes. */
export function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(text).trim())
  if (!m) throw new Error(`not a size: ${text} (e.g. 550m, 2g)`)
  return Math.round(Number(m[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()])
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2)
  const option = (name) => {
    const i = args.indexOf(`--${name}`)
    if (i < 0) return undefined
    const [value] = args.splice(i, 2).slice(1)
    return value
  }
  const shape = option('shape') ?? 'terraform'
  const size = option('size')
  const n = size ? changesForSize(parseSize(size), shape) : Number(args[0] ?? 10000)
  const file = (size ? args[0] : args[1]) ?? `plan-${n}-${shape}.json`
  const wrote = await generatePlan(n, file, { shape })
  console.log(`wrote ${file}: ${n} resource changes, ${(wrote.bytes / 1e6).toFixed(0)} MB, ${JSON.stringify(wrote.counts)}`)
}
