import { createHash } from 'node:crypto'
import { own } from '@infra-actions/common'

/**
 * `{name}` templates in the rules file. Parsed when the file is loaded, so an unknown variable
 * or a stray brace is a configuration error with a line number, not a surprise at deploy time.
 * Values are data: they are substituted once and never evaluated again, so a branch named
 * `{sha}` or `$(rm -rf /)` comes out as those characters.
 */
export const TEMPLATE_VARIABLES = ['sha', 'sha7', 'branch', 'pr', 'version', 'environment', 'name', 'run'] as const

export type TemplatePart = { text: string } | { variable: string }

export function parseTemplate(template: string): TemplatePart[] | string {
  const parts: TemplatePart[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    const close = template.indexOf('}', i)
    if (close !== -1 && (open === -1 || close < open)) return `has a '}' without '{' at position ${close + 1}`
    if (open === -1) {
      parts.push({ text: template.slice(i) })
      break
    }
    if (open > i) parts.push({ text: template.slice(i, open) })
    const end = template.indexOf('}', open)
    if (end === -1) return `has a '{' without '}' at position ${open + 1}`
    const variable = template.slice(open + 1, end).trim()
    if (!isKnownVariable(variable))
      return `uses an unknown variable {${variable}} (known: ${[...TEMPLATE_VARIABLES.map((v) => `{${v}}`), '{inputs.NAME}'].join(', ')})`
    parts.push({ variable })
    i = end + 1
  }
  return parts
}

function isKnownVariable(name: string): boolean {
  return (TEMPLATE_VARIABLES as readonly string[]).includes(name) || /^inputs\.[A-Za-z_][A-Za-z0-9_-]*$/.test(name)
}

export function isTemplate(value: string): boolean {
  return value.includes('{')
}

export type Variables = Record<string, string | undefined>

/**
 * Fills a template; returns the variables that had no value instead, so the caller can say so.
 * `check` sees every variable's value before it is used, and throws to refuse it.
 */
export function renderTemplate(
  template: string,
  vars: Variables,
  check?: (variable: string, value: string) => void,
): { value: string } | { missing: string[] } {
  const parts = parseTemplate(template)
  if (typeof parts === 'string') return { missing: [template] }
  const missing: string[] = []
  let value = ''
  for (const part of parts) {
    if ('text' in part) value += part.text
    else {
      const v = own(vars, part.variable)
      if (v === undefined || v === '') missing.push(part.variable)
      else {
        check?.(part.variable, v)
        value += v
      }
    }
  }
  return missing.length ? { missing } : { value }
}

/**
 * A branch name as a DNS label / Kubernetes label value: lowercase, [a-z0-9-], at most 63. When
 * that changes the name (`dev/feature/foo`, `dev/feature_foo` and `dev/feature-foo` would all be
 * `dev-feature-foo`) or cuts it, a short stable hash of the original keeps branches apart: they
 * name Terraform state keys and preview environments.
 */
export function slugBranch(branch: string): string {
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (slug === branch && slug.length <= 63) return slug
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, 6)
  const head = slug.slice(0, 63 - hash.length - 1).replace(/-+$/g, '')
  return head ? `${head}-${hash}` : hash
}

/** A character that ends a line or is not text: never in a path, a name or an output value. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

const dotDotSegments = (p: string): number => p.split(/[/\\]/).filter((s) => s === '..').length
const isAbsolute = (p: string): boolean => /^([/\\]|[A-Za-z]:)/.test(p)

/**
 * Why a variable's value may not go into a path (`tfvars-file`, `state-key`), or undefined: a
 * value must not climb out of the directory the template names, nor end the line.
 */
export function pathValueProblem(value: string): string | undefined {
  if (CONTROL.test(value)) return 'holds a control character (a newline, NUL, ...)'
  if (isAbsolute(value)) return 'is an absolute path'
  if (dotDotSegments(value) > 0) return "holds a '..' segment"
  // A separator on Windows runners, a file name character elsewhere: the same key two ways.
  if (value.includes('\\')) return 'holds a backslash (paths here are written with /)'
  return undefined
}

/** The template with every variable a plain word: what its own text contributes to a value. */
export function templateText(template: string): string {
  const parts = parseTemplate(template)
  return typeof parts === 'string' ? template : parts.map((part) => ('text' in part ? part.text : 'x')).join('')
}

/**
 * Why a filled-in path (`tfvars-file`, `state-key`) may not be used, or undefined. Each value is
 * checked alone too, but values side by side can climb where neither does alone (`{a}{b}` with `.`
 * and `./prod` is `../prod`): filling may not make the path absolute nor add a `..` segment. The
 * template's own text is the rules file author's (`../environments/{environment}.tfvars` from a
 * working directory), so its `..` stay allowed.
 */
export function filledPathProblem(template: string, filled: string): string | undefined {
  const text = templateText(template)
  if (isAbsolute(filled) && !isAbsolute(text)) return 'is an absolute path'
  if (dotDotSegments(filled) > dotDotSegments(text)) return "holds a '..' segment"
  return undefined
}

/**
 * Why a filled-in environment name may not be used, or undefined. GitHub takes up to 255
 * characters, `/`, spaces and parentheses included (`staging/eu-west-1`, `Production (EU)`);
 * refused are only what no environment should be named: a `..` part (`sandbox/../prod` is not a
 * sandbox), control characters, or nothing but white space.
 */
export function environmentNameProblem(name: string): string | undefined {
  if (name.length > 255) return 'is longer than the 255 characters GitHub allows'
  if (CONTROL.test(name)) return 'holds a control character'
  if (name.split(/[/\\]/).some((part) => part === '..' || part === '.')) return "holds a '..' or '.' part"
  if (name.trim() !== name || name === '') return 'starts or ends with white space'
  return undefined
}

/** OCI image tags: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (the distribution spec). */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/**
 * An image tag made valid, or why it cannot be. `+` (semver build metadata, `v1.2.3+build.7`) is
 * not allowed in a tag and becomes `-`, as docker/metadata-action does; anything else is refused.
 */
export function imageTag(value: string): { tag: string; mapped: boolean } | { problem: string } {
  if (OCI_TAG.test(value)) return { tag: value, mapped: false }
  const mapped = value.replace(/\+/g, '-')
  if (OCI_TAG.test(mapped)) return { tag: mapped, mapped: true }
  return { problem: 'is not a valid image tag: letters, digits, _ . and -, not starting with . or -, at most 128 characters' }
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/

/** `v1.2.3` → `1.2.3` (semver 2.0, pre-release and build allowed); undefined when not semver. */
export function versionOfTag(tag: string): string | undefined {
  return SEMVER.test(tag) ? tag.replace(/^v/, '') : undefined
}
