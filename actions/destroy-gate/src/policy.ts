import { z } from 'zod'
import { ConfigurationError, own } from '@infra-actions/common'
import { parseYamlConfig, readConfigFile } from '@infra-actions/common/yaml-config'
import { addressGlobProblem } from '@infra-actions/terraform'

/**
 * The per-environment destroy policy: one reviewed file holds the rules of every environment.
 *
 *   environments:
 *     prod:  { max-destroy: 0, protected: [google_sql_database_instance.*] }
 *     stage: { max-destroy: 5 }
 *   default: { max-destroy: 0 }        # optional: environments not listed
 */
// A list only: `protected: a.*, b.*` is one YAML string, which would be one glob matching nothing.
// Trimmed as the inputs' entries are: no address starts or ends with white space.
const patterns = z.array(
  z
    .string()
    .trim()
    .min(1)
    .superRefine((pattern, ctx) => {
      // It would protect (or ignore) nothing, and say nothing.
      const problem = addressGlobProblem(pattern)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
  {
    error: 'must be a list of globs, [a.*, b.*] or one "- glob" per line (a comma-separated string would be one glob that matches nothing)',
  },
)

export const environmentPolicySchema = z
  .object({
    'max-destroy': z.number().int().min(-1),
    'count-replace': z.boolean(),
    protected: patterns,
    ignore: patterns,
    'allow-label': z.string().min(1),
    'allow-review': z.boolean(),
  })
  .partial()
  .strict()

export const policySchema = z
  .object({
    environments: z
      .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'environment names are letters, digits, - _ and .'), environmentPolicySchema)
      .default({})
      .superRefine((entries, ctx) => {
        // One environment to GitHub, whichever the job names: the policy is refused, not the run that meets them.
        const seen = new Map<string, string>()
        for (const name of Object.keys(entries)) {
          const first = seen.get(name.toLowerCase())
          if (first !== undefined)
            ctx.addIssue({
              code: 'custom',
              message: `has entries '${first}' and '${name}', one environment to GitHub (names are case-insensitive); keep one`,
            })
          else seen.set(name.toLowerCase(), name)
        }
      }),
    default: environmentPolicySchema.optional(),
  })
  .strict()

export type EnvironmentPolicy = z.infer<typeof environmentPolicySchema>
export type Policy = z.infer<typeof policySchema>

export function readPolicy(file: string, label: string): Policy {
  return parseYamlConfig(readConfigFile(file, label, 'policy'), label, policySchema)
}

/**
 * GitHub's environment names are case-insensitive: `PROD` is the environment `prod` (it must not
 * fall back to the default entry and lose prod's protection). Two entries that differ only in
 * case are ambiguous: refused.
 */
function ownIgnoringCase<T>(entries: Record<string, T>, environment: string, label: string): T | undefined {
  const lower = environment.toLowerCase()
  const names = Object.keys(entries).filter((k) => k.toLowerCase() === lower)
  if (names.length > 1)
    throw new ConfigurationError(
      `The policy ${label} has entries ${names.map((n) => `'${n}'`).join(' and ')}, one environment to GitHub (names are case-insensitive); keep one.`,
    )
  return names.length === 1 ? own(entries, names[0] as string) : undefined
}

/** The entry for `environment`, or the `default` entry; a missing entry is an error (fail closed). */
export function policyFor(policy: Policy, environment: string | undefined, label: string): EnvironmentPolicy {
  if (environment) {
    // Own entries only: an environment named `constructor` must not find Object.prototype's.
    const entry = ownIgnoringCase(policy.environments, environment, label) ?? policy.default
    if (!entry) {
      const known = Object.keys(policy.environments)
      throw new ConfigurationError(
        `The policy ${label} has no entry for environment '${environment}' and no 'default' entry (it has: ${known.join(', ') || 'none'}). Add one, or fix input 'environment'.`,
      )
    }
    return entry
  }
  if (policy.default) return policy.default
  throw new ConfigurationError(
    `Input 'environment' is required with 'policy' (${label}) to choose an entry, unless the policy has a 'default' entry.`,
  )
}
