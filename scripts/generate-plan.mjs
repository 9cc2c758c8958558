// Writes a large, realistic `terraform show -json` plan: N resource changes across modules with
// attribute bags like Google provider resources (labels, nested blocks, lists, long strings),
// sensitive and unknown marks, replacements with replace_paths, drift, planned_values and
// prior_state as big as in a real plan (so the file is as heavy to read as a real one), a
// configuration with module calls, and the top-level keys in Terraform's order. Deterministic
// for a given N.
//   node scripts/generate-plan.mjs 10000 /tmp/plan-10k.json
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

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

function bag(r, i, version) {
  return sortedKeys(unsortedBag(r, i, version))
}

function unsortedBag(r, i, version) {
  const env = Array.from({ length: 8 }, (_, k) => ({ name: `ENV_VAR_${k}`, value: `value-${k}-${(r() * 1e9) | 0}`, value_source: [] }))
  return {
    name: `service-${i}`,
    location: 'europe-west1',
    project: 'acme-prod-123456',
    description: `Service ${i} of the platform, managed by Terraform. `.repeat(2),
    labels: { team: `team-${i % 17}`, env: 'prod', 'cost-center': String(1000 + (i % 50)), version: `v${version}` },
    annotations: { 'run.googleapis.com/launch-stage': 'GA', 'autoscaling.knative.dev/maxScale': String(10 + (i % 5)) },
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
    uri: `https://service-${i}-abcdefghij-ew.a.run.app`,
    etag: `"${(r() * 1e12).toString(36)}"`,
    db_password: `s3cret-${i}-${(r() * 1e9) | 0}`,
  }
}

const sensitive = () => ({
  db_password: true,
  template: [{ containers: [{ env: Array.from({ length: 8 }, (_, k) => (k === 3 ? { value: true } : {})) }] }],
})

export async function generatePlan(n, file) {
  const r = rng(42)
  const out = createWriteStream(file)
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain')
  }
  // Top-level keys in the order Terraform writes them (jsonplan's struct order).
  await write('{"format_version":"1.2","terraform_version":"1.9.5","variables":{"project":{"value":"acme-prod-123456"}},')
  // planned_values and prior_state: the other large halves of a real plan.
  const state = async (section, version) => {
    await write(`"${section}":{"root_module":{"child_modules":[{"address":"module.svc","resources":[`)
    for (let i = 0; i < n; i++) {
      await write(
        `${i ? ',' : ''}${JSON.stringify({
          address: `module.svc.google_cloud_run_v2_service.this["service-${i}"]`,
          mode: 'managed',
          type: 'google_cloud_run_v2_service',
          name: 'this',
          index: `service-${i}`,
          provider_name: 'registry.terraform.io/hashicorp/google',
          schema_version: 0,
          values: bag(r, i, version),
          sensitive_values: sensitive(),
        })}`,
      )
    }
    await write(']}]}},')
  }
  await state('planned_values', 2)
  await write('"resource_drift":[')
  for (let i = 0; i < Math.ceil(n / 100); i++) {
    const before = bag(r, i, 0)
    const after = bag(r, i, 1)
    await write(
      `${i ? ',' : ''}${JSON.stringify({
        address: `google_storage_bucket.drift_${i}`,
        mode: 'managed',
        type: 'google_storage_bucket',
        name: `drift_${i}`,
        provider_name: 'registry.terraform.io/hashicorp/google',
        change: { actions: ['update'], before, after, after_unknown: {}, before_sensitive: sensitive(), after_sensitive: sensitive() },
      })}`,
    )
  }
  const changes = []
  await write('],"resource_changes":[')
  for (let i = 0; i < n; i++) {
    const pick = r()
    const actions =
      pick < 0.55 ? ['update'] : pick < 0.8 ? ['create'] : pick < 0.9 ? ['create', 'delete'] : pick < 0.95 ? ['delete'] : ['no-op']
    const module = `module.svc["team-${i % 17}"]`
    const address = `${module}.google_cloud_run_v2_service.this["service-${i}"]`
    const before = actions[0] === 'create' && actions.length === 1 ? null : bag(r, i, 1)
    const after = actions.length === 1 && actions[0] === 'delete' ? null : bag(r, i, 2)
    if (after && actions[0] !== 'no-op') delete after.uri
    const change = {
      actions,
      before,
      after,
      after_unknown: after ? { uri: true, etag: true } : false,
      before_sensitive: before ? sensitive() : false,
      after_sensitive: after ? sensitive() : false,
    }
    if (actions.length === 2) change.replace_paths = [['location']]
    changes.push(actions.join(','))
    await write(
      `${i ? ',' : ''}${JSON.stringify({
        address,
        module_address: module,
        mode: 'managed',
        type: 'google_cloud_run_v2_service',
        name: 'this',
        index: `service-${i}`,
        provider_name: 'registry.terraform.io/hashicorp/google',
        change,
        ...(actions.length === 2 ? { action_reason: 'replace_because_cannot_update' } : {}),
      })}`,
    )
  }
  await write(
    '],"output_changes":{"service_urls":{"actions":["update"],"before":[],"after_unknown":true,"before_sensitive":false,"after_sensitive":false}},',
  )
  await state('prior_state', 1)
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
    `"configuration":${JSON.stringify(configuration)},"relevant_attributes":[{"resource":"module.svc.google_cloud_run_v2_service.this","attribute":["uri"]}],"timestamp":"2026-11-23T10:00:00Z","applyable":true,"complete":true,"errored":false}\n`,
  )
  out.end()
  await once(out, 'finish')
  return changes
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 10000)
  const file = process.argv[3] ?? `plan-${n}.json`
  await generatePlan(n, file)
  console.log(`wrote ${file}`)
}
