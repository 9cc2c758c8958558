import { readFileSync } from 'node:fs'
import path from 'node:path'
import MarkdownIt from 'markdown-it'
import { describe, expect, it } from 'vitest'
import { analyzePlan, parsePlanText } from '@infra-actions/terraform'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { assemble, renderPlan } from '../src/render.js'

// Every real plan of the corpus, rendered in full and within a comment's budget: well-formed
// Markdown, every created resource with what it will be, and no value the plan marks sensitive.
const files = corpusFiles('terraform').filter((f) => !/^(neg-|variant-hcp-)/.test(path.basename(f)))
const md = new MarkdownIt({ html: true })
const options = { title: 'Terraform plan', environment: 'prod', key: 'k', sha: undefined, runUrl: undefined }

/** Every string under a `true` sensitive mark, for the check that none is shown. */
function sensitiveStrings(value: unknown, mark: unknown, into: Set<string>): void {
  if (mark === true) {
    JSON.stringify(value ?? null).replace(/"((?:[^"\\]|\\.){6,})"/g, (_, s: string) => (into.add(s), ''))
    return
  }
  if (value === null || typeof value !== 'object' || mark === null || typeof mark !== 'object') return
  for (const [k, v] of Object.entries(value)) sensitiveStrings(v, (mark as Record<string, unknown>)[k], into)
}

describe('plan-comment over the plan corpus', () => {
  it.each(files)('%s', (file) => {
    const model = analyzePlan(parsePlanText(readFileSync(corpusPath('terraform', file)), file))
    const rendered = renderPlan(model, options)
    const full = assemble(rendered, { max: Number.POSITIVE_INFINITY }).text
    const comment = assemble(rendered, { max: 65_000 }).text
    expect(comment.length).toBeLessThanOrEqual(65_000)
    for (const text of [full, comment]) {
      const html = md.render(text)
      expect(html.match(/<details>/g)?.length ?? 0).toBe(html.match(/<\/details>/g)?.length ?? 0)
      expect(text).not.toContain('[object Object]')
    }
    for (const item of model.changes.filter((c) => c.action === 'create' && c.mode !== 'data')) {
      const after = item.change.after
      const hasAny = (after !== null && typeof after === 'object' && Object.keys(after).length > 0) || item.change.after_unknown === true
      const start = full.indexOf(`- \`${item.address}\``)
      expect(start, item.address).toBeGreaterThanOrEqual(0)
      const next = full.indexOf('\n- ', start + 1)
      if (hasAny) expect(full.slice(start, next < 0 ? undefined : next)).toMatch(/<summary>\d+ attributes?<\/summary>/)
    }
    const secrets = new Set<string>()
    for (const c of model.changes) {
      sensitiveStrings(c.change.before, c.change.before_sensitive, secrets)
      sensitiveStrings(c.change.after, c.change.after_sensitive, secrets)
    }
    for (const s of secrets) expect(full, s).not.toContain(s)
  })
})
