import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { configSchema } from '../src/config-schema.js'

// docs/environments.schema.json is generated from the same schema the action validates with.
// Refresh it with: UPDATE_SCHEMA=1 npx vitest run actions/resolve-environment/test/schema.test.ts
const file = path.resolve('docs/environments.schema.json')

export function generate(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return `${JSON.stringify({ ...schema, $id: 'https://github.com/org/infra-actions/blob/v1/docs/environments.schema.json', title: 'infra-actions resolve-environment rules (.github/environments.yml)' }, null, 2)}\n`
}

describe('the published JSON Schema', () => {
  it('is up to date with the validator', () => {
    if (process.env.UPDATE_SCHEMA) writeFileSync(file, generate())
    expect(readFileSync(file, 'utf8'), 'run: UPDATE_SCHEMA=1 npx vitest run actions/resolve-environment/test/schema.test.ts').toBe(
      generate(),
    )
  })

  it('describes every key of the rules', () => {
    const schema = JSON.parse(generate())
    expect(Object.keys(schema.properties)).toEqual(['environments', 'defaults', 'rules'])
    expect(schema.additionalProperties).toBe(false)
  })
})
