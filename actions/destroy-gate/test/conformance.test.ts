import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzePlan, parsePlanText } from '@infra-actions/terraform'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { decide } from '../src/decide.js'

// For every real plan: the gate counts exactly Terraform's "to destroy" (delete + replace of
// managed resources); for every non-plan, loading fails, and the gate never sees "0".
const files = corpusFiles('terraform')
const rules = {
  maxDestroy: -1,
  countReplace: true,
  allowDestroy: false,
  protected: [],
  ignore: [],
  allowLabel: undefined,
  allowReview: false,
}
const negative = (f: string) => /^(neg-|variant-hcp-)/.test(path.basename(f))

describe('destroy-gate over the plan corpus', () => {
  it.each(files.filter((f) => !negative(f)))('%s', (file) => {
    const text = readFileSync(corpusPath('terraform', file), 'utf8')
    const raw = JSON.parse(text) as { resource_changes?: { mode?: string; change: { actions: string[] } }[]; errored?: boolean }
    let deletes = 0
    let replaces = 0
    for (const r of raw.resource_changes ?? []) {
      if (r.mode === 'data') continue
      const a = r.change.actions.join(',')
      if (a === 'delete') deletes++
      if (a === 'delete,create' || a === 'create,delete') replaces++
    }
    // The gate reads plans without their attribute values, as destroy-gate.ts does.
    const d = decide(analyzePlan(parsePlanText(text, file, { attributeValues: false })), rules)
    expect(d.destroyCount).toBe(deletes + replaces)
    expect(d.replaceCount).toBe(replaces)
    expect(d.allowed).toBe(raw.errored !== true)
  })

  it.each(files.filter(negative))('%s cannot pass', (file) => {
    expect(() =>
      analyzePlan(parsePlanText(readFileSync(corpusPath('terraform', file), 'utf8'), file, { attributeValues: false })),
    ).toThrow()
  })
})
