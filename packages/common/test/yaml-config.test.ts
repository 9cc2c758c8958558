import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigurationError } from '../src/errors.js'
import { parseYamlConfig } from '../src/yaml-config.js'

describe('parseYamlConfig', () => {
  it('refuses an alias bomb as the file’s fault, naming it, not as a bug', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 9; i++)
      levels.push(
        `${'abcdefghi'[i]}: &${'abcdefghi'[i]} [${Array(9)
          .fill(`*${'abcdefghi'[i - 1]}`)
          .join(', ')}]`,
      )
    const bomb = levels.join('\n')
    expect(() => parseYamlConfig(bomb, 'policy.yml', z.unknown())).toThrow(ConfigurationError)
    expect(() => parseYamlConfig(bomb, 'policy.yml', z.unknown())).toThrow(/^policy\.yml: .*alias/i)
  })
})

describe('parseYamlConfig, as editors write files', () => {
  it('reads a file that starts with a byte-order mark (Windows editors, PowerShell 5), as YAML 1.2 allows', () => {
    const schema = z.array(z.object({ id: z.string() }).strict())
    expect(parseYamlConfig('\ufeff- id: CVE-2023-1\n', 'ignore.yml', schema)).toEqual([{ id: 'CVE-2023-1' }])
    expect(parseYamlConfig('\ufeffenvironments:\n  prod: {}\n', 'policy.yml', z.unknown())).toEqual({ environments: { prod: {} } })
  })
})
