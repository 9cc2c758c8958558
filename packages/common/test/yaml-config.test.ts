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
