import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusFiles, corpusPath, hasBuslCorpus } from '../../../test/support/corpus.js'
import {
  analyzePlan,
  parsePlanText,
  PlanBuilder,
  planSummaryLine,
  PlanFormatError,
  READ_PLAN_SECTIONS,
  readPlanDocument,
} from '../src/index.js'
import { bufferSource, SKIPPED } from '@infra-actions/common/json-stream'
import { oldParsePlanText } from './support/old-reader.js'

// Conformance over real `terraform show -json` / `tofu show -json` output. The oracle below is
// written from Terraform's own counting code (internal/command/jsonformat/plan.go), separately
// from the model, so a shared mistake would have to be made twice.
const files = corpusFiles('terraform')
const negative = (f: string) => path.basename(f).startsWith('neg-') || path.basename(f).startsWith('variant-hcp-')

function oracle(doc: { resource_changes?: { mode?: string; change: { actions: string[]; importing?: unknown } }[] }) {
  let add = 0
  let change = 0
  let destroy = 0
  let imports = 0
  for (const r of doc.resource_changes ?? []) {
    const a = r.change.actions.join(',')
    if (r.change.importing != null) imports++
    if (r.mode === 'data') continue
    if (a === 'create' || a === 'create,forget' || a === 'forget,create') add++
    if (a === 'update') change++
    if (a === 'delete') destroy++
    if (a === 'delete,create' || a === 'create,delete') {
      add++
      destroy++
    }
  }
  return { add, change, destroy, import: imports }
}

describe('plan corpus conformance', () => {
  it('has the corpus: every in-repository file, and the BUSL-1.1 ones when ../shared is there', () =>
    expect(files.length).toBe(hasBuslCorpus ? 118 : 64))

  it.each(files.filter((f) => !negative(f)))('%s parses and counts as Terraform does', (file) => {
    const text = readFileSync(corpusPath('terraform', file), 'utf8')
    const model = analyzePlan(parsePlanText(text, file))
    expect(model.counts).toMatchObject(oracle(JSON.parse(text)))
    expect(model.unknownActions).toEqual([])
  })

  // The plan reader builds only the sections it reads, streaming the changes element by element;
  // on real plans (real key order, real nesting) that must be exactly what JSON.parse builds,
  // whatever the size of the chunks the bytes come in.
  it.each(files.filter((f) => !negative(f)))('%s reads as JSON.parse reads it, in chunks of any size', (file) => {
    const bytes = readFileSync(corpusPath('terraform', file))
    const full = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    const want = Object.fromEntries(Object.entries(full).map(([k, v]) => [k, READ_PLAN_SECTIONS.includes(k) ? v : SKIPPED]))
    for (const chunkSize of [1 << 20, 4096, 61, 7]) expect(parsePlanText(bytes, file, { chunkSize })).toEqual(want)
  })

  // Every plan, and every way the corpus refuses one, reads as the reader before #14 read it.
  it.each(files)('%s: the same model or the same refusal as before streaming', (file) => {
    const bytes = readFileSync(corpusPath('terraform', file))
    const verdict = (read: () => unknown): unknown => {
      try {
        return read()
      } catch (error) {
        return `refused: ${(error as Error).message}`
      }
    }
    // Without attribute values, outputs are read without theirs too (only their actions count), and checks are not built.
    const outputsLean = (v: unknown): unknown =>
      typeof v === 'string'
        ? v
        : {
            ...(v as object),
            outputs: (v as { outputs: { name: string; action: string }[] }).outputs.map(({ name, action }) => ({ name, action })),
            checks: [],
          }
    for (const attributeValues of [true, false]) {
      const shape = attributeValues ? (v: unknown) => v : outputsLean
      const before = shape(verdict(() => analyzePlan(oldParsePlanText(bytes, file, { attributeValues }))))
      for (const chunkSize of [1 << 20, 13]) {
        const builder = new PlanBuilder()
        const now = verdict(() =>
          builder.finish(readPlanDocument(bufferSource(bytes, chunkSize), file, builder, { attributeValues, chunkSize })),
        )
        expect(shape(now)).toEqual(before)
      }
    }
  })

  // Read without attribute values (destroy-gate), every change is the same but for its values.
  it.each(files.filter((f) => !negative(f)))('%s reads the same without attribute values', (file) => {
    const bytes = readFileSync(corpusPath('terraform', file))
    const strip = (model: ReturnType<typeof analyzePlan>) => ({
      ...model,
      changes: model.changes.map(({ change: _change, ...item }) => item),
      drift: model.drift.map(({ change: _change, ...item }) => item),
      deferred: model.deferred.map((d) => ({ reason: d.reason, address: d.item.address, actions: d.item.actions })),
      outputs: model.outputs.map(({ name, action }) => ({ name, action })),
      checks: [],
    })
    const full = analyzePlan(parsePlanText(bytes, file))
    const lean = analyzePlan(parsePlanText(bytes, file, { attributeValues: false }))
    expect(strip(lean)).toEqual(strip(full))
    expect(lean.checks).toEqual([])
    for (const item of [...lean.changes, ...lean.outputs])
      expect(Object.keys(item.change).filter((k) => /before|after/.test(k))).toEqual([])
  })

  it.each(files.filter(negative))('%s is refused with a reason', (file) => {
    const text = readFileSync(corpusPath('terraform', file), 'utf8')
    expect(() => analyzePlan(parsePlanText(text, file))).toThrow(PlanFormatError)
  })

  // Lines Terraform printed for these plans (the plan.txt beside each upstream fixture).
  it.each([
    ['borchero-terraform-plan-comment/basic_3-remove.json', 'Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.'],
    ['borchero-terraform-plan-comment/basic_1-modify.json', 'Plan: 2 to add, 0 to change, 2 to destroy.'],
    ['borchero-terraform-plan-comment/import_0-import.json', 'Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.'],
    ['borchero-terraform-plan-comment/basic_4-empty.json', 'No changes. Your infrastructure matches the configuration.'],
    ['jond3k-tfplan-validator/fixtures_create-delete.json', 'Plan: 1 to add, 0 to change, 1 to destroy.'],
    ['jond3k-tfplan-validator/multi-env_dev3.json', 'Plan: 0 to add, 0 to change, 1 to destroy.'],
  ])('%s → %s', (file, line) => {
    const model = analyzePlan(parsePlanText(readFileSync(corpusPath('terraform', file), 'utf8'), file))
    expect(planSummaryLine(model)).toBe(line)
  })

  it('tells each kind of non-plan apart', () => {
    const reason = (f: string) => {
      try {
        analyzePlan(parsePlanText(readFileSync(corpusPath('terraform', f), 'utf8'), f))
      } catch (e) {
        return (e as Error).message
      }
      return 'accepted'
    }
    expect(reason('infracost/neg-setup-terraform-wrapper.json')).toMatch(/setup-terraform's wrapper/)
    expect(reason('borchero-terraform-plan-comment/neg-terragrunt-multiplan-concatenated.json')).toMatch(/several JSON documents/)
    expect(reason('hashicorp-terraform-json/neg-invalid-json.json')).toMatch(/malformed JSON at line \d+/)
    expect(reason('hashicorp-terraform-json/neg-state-not-plan_moved_block_show.json')).toMatch(/Terraform state, not a plan/)
    if (hasBuslCorpus) expect(reason('hashicorp-terraform/variant-hcp-redacted_plan-json-basic.json')).toMatch(/redacted plan/)
  })

  it('reads the drift of Terraform 1.0.0, whose drift entries had no address', () => {
    const f = 'terraform-compliance-cli/test_issue_522_tf1.0.0-drift-delete.json'
    const model = analyzePlan(parsePlanText(readFileSync(corpusPath('terraform', f), 'utf8'), f))
    expect(model.drift.length).toBeGreaterThan(0)
    expect(model.drift.every((d) => d.address.length > 0)).toBe(true)
    expect(model.counts.destroy).toBe(2)
  })
})
