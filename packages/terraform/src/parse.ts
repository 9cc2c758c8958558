import { ConfigurationError, isRecord } from '@infra-actions/common'
import { JsonDuplicateMemberError, JsonScanError, parseObjectSkipping, whitespace, type Shape } from './json-scan.js'

/**
 * Turning the text of `terraform show -json <planfile>` (or `tofu show -json`) into one plan
 * document, or refusing to. Anything that is not exactly one plan document is rejected with the
 * reason, because reading a broken plan as "no changes" is how destroy checks get bypassed.
 */
export interface RawChange {
  actions?: unknown
  before?: unknown
  after?: unknown
  after_unknown?: unknown
  before_sensitive?: unknown
  after_sensitive?: unknown
  replace_paths?: unknown
  importing?: unknown
  generated_config?: unknown
}

export interface RawResourceChange {
  address?: unknown
  previous_address?: unknown
  module_address?: unknown
  mode?: unknown
  type?: unknown
  name?: unknown
  index?: unknown
  deposed?: unknown
  change?: RawChange
  action_reason?: unknown
}

export interface RawPlan {
  format_version: string
  terraform_version?: unknown
  resource_changes?: unknown
  resource_drift?: unknown
  deferred_changes?: unknown
  output_changes?: unknown
  checks?: unknown
  errored?: unknown
  complete?: unknown
  applyable?: unknown
  configuration?: unknown
  planned_values?: unknown
  [key: string]: unknown
}

/** Majors of `format_version` this reader understands; a new major means incompatible changes. */
export const SUPPORTED_FORMAT_MAJORS = [0, 1]

export class PlanFormatError extends ConfigurationError {}

/**
 * Sections of a plan that nothing here reads: checked as JSON, never built. Together they are
 * often most of the file (planned_values and prior_state each hold every resource's values).
 * In the order Terraform and OpenTofu write them, which parseObjectSkipping uses as its guess.
 */
export const UNREAD_PLAN_SECTIONS: ReadonlySet<string> = new Set([
  'variables',
  'planned_values',
  'prior_state',
  'configuration',
  'relevant_attributes',
])

/** The order in which Terraform and OpenTofu write a plan's members (jsonplan's struct order). */
const PLAN_ORDER = [
  'format_version',
  'terraform_version',
  'variables',
  'planned_values',
  'resource_drift',
  'resource_changes',
  'deferred_changes',
  'output_changes',
  'prior_state',
  'configuration',
  'relevant_attributes',
  'checks',
  'timestamp',
  'applyable',
  'complete',
  'errored',
]

/**
 * The top-level members a reader uses. Without attribute values (destroy-gate) each is parsed on
 * its own, so that a second copy (a second `resource_changes` that would hide the first) is
 * refused, never merged.
 */
export const READ_PLAN_SECTIONS: readonly string[] = [
  'format_version',
  'resource_drift',
  'resource_changes',
  'deferred_changes',
  'output_changes',
  'checks',
  'errored',
  'complete',
  'applyable',
]

/** The attribute values of a change: what a reader that needs only addresses and actions skips. */
const VALUES_SKIPPED: Shape = {
  members: {
    before: 'skip',
    after: 'skip',
    after_unknown: 'skip',
    before_sensitive: 'skip',
    after_sensitive: 'skip',
    before_identity: 'skip',
    after_identity: 'skip',
    generated_config: 'skip',
  },
}
const CHANGES_WITHOUT_VALUES: Shape = { elements: { members: { change: VALUES_SKIPPED } } }
const WITHOUT_VALUES: ReadonlyMap<string, Shape> = new Map([
  ['resource_changes', CHANGES_WITHOUT_VALUES],
  ['resource_drift', CHANGES_WITHOUT_VALUES],
  ['deferred_changes', { elements: { members: { resource_change: { members: { change: VALUES_SKIPPED } } } } }],
])

export interface ParseOptions {
  /**
   * false: the changes' attribute values (before, after and their masks) are validated but not
   * built, for readers that need only addresses and actions (destroy-gate). Default true.
   */
  attributeValues?: boolean
}

/** The plan in `data` (the bytes or text of `terraform show -json`), checked to be one plan document. */
export function parsePlanText(data: Buffer | string, source: string, options: ParseOptions = {}): RawPlan {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  if (whitespace(bytes, 0) >= bytes.length)
    throw new PlanFormatError(`${source} is empty. Write it with: terraform show -json tfplan > plan.json`)
  const lean = options.attributeValues === false
  let value: unknown
  try {
    value = parseObjectSkipping(bytes, UNREAD_PLAN_SECTIONS, {
      shapes: lean ? WITHOUT_VALUES : undefined,
      // The gate refuses a repeated member at every level it decides from. With values built
      // (plan-comment), the members a JSON.parse run shares are merged as JSON.parse merges them:
      // reading them one by one costs memory at the rendering's peak.
      separate: lean ? READ_PLAN_SECTIONS : undefined,
      order: PLAN_ORDER,
    })
  } catch (error) {
    if (error instanceof JsonDuplicateMemberError) {
      throw new PlanFormatError(
        `${source} has the member ${JSON.stringify(error.member)} twice in one object (${where(bytes, error.position)}). Terraform never writes that; a plan whose second value could hide the first is refused.`,
      )
    }
    if (!(error instanceof JsonScanError)) throw error
    // Should the scan ever refuse what JSON.parse accepts, the fully built value is used.
    const text = typeof data === 'string' ? data : data.toString('utf8')
    try {
      value = JSON.parse(text)
    } catch {
      throw new PlanFormatError(`${source} is not one JSON document: ${diagnose(bytes, text, error)}`)
    }
  }
  return checkPlanDocument(value, source)
}

/**
 * What is wrong, from where the scan stopped. Said by position, never by quoting the text there
 * (as JSON.parse's messages do): a plan holds secrets, and this message goes to the log.
 */
function diagnose(bytes: Buffer, text: string, error: JsonScanError): string {
  const head = text.trimStart()
  if (/^(\[command\]|::debug::|::\w+)/m.test(head.slice(0, 2000)) || (!head.startsWith('{') && head.includes('{"format_version"'))) {
    return "it has text around the JSON, like the output of hashicorp/setup-terraform's wrapper. Set 'terraform_wrapper: false' on setup-terraform, or write the file with the real binary."
  }
  const position = Math.min(error.position, bytes.length)
  if (error.message.startsWith('unexpected text after the JSON object') && bytes.subarray(position, position + 1).toString() === '{') {
    return 'it holds several JSON documents one after another (as `terragrunt run-all show -json` prints). Give each root module its own plan file.'
  }
  if (position >= bytes.length)
    return `it ends early (truncated?): the JSON stops at byte ${bytes.length} with brackets or a string still open.`
  return `malformed JSON at ${where(bytes, position)}: ${error.message.replace(/ at byte \d+$/, '')}.`
}

/** "line 3, column 14" of a byte position. */
function where(bytes: Buffer, position: number): string {
  const before = bytes.subarray(0, position).toString('utf8')
  const line = before.split('\n').length
  const column = before.length - before.lastIndexOf('\n')
  return `line ${line}, column ${column}`
}

export function checkPlanDocument(value: unknown, source: string): RawPlan {
  if (!isRecord(value))
    throw new PlanFormatError(
      `${source} is JSON but not a Terraform plan: expected an object, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
    )
  if ('plan_format_version' in value) {
    throw new PlanFormatError(
      `${source} is HCP Terraform's redacted plan format (plan_format_version), not 'terraform show -json' output. Run 'terraform show -json' on the plan file instead.`,
    )
  }
  const version = value.format_version
  if (typeof version !== 'string') {
    throw new PlanFormatError(
      `${source} is JSON but not a Terraform plan: it has no format_version. Write it with: terraform show -json tfplan > plan.json`,
    )
  }
  // Terraform writes "<major>.<minor>"; anything else was not written by it.
  const parts = /^(\d+)\.(\d+)$/.exec(version)
  if (!parts) {
    throw new PlanFormatError(
      `${source} has plan format_version ${JSON.stringify(version.slice(0, 40))}, which is not <major>.<minor>: Terraform never writes that. Write the file with: terraform show -json tfplan`,
    )
  }
  if (!SUPPORTED_FORMAT_MAJORS.includes(Number(parts[1]))) {
    throw new PlanFormatError(
      `${source} has plan format_version ${JSON.stringify(version)}, whose major version this action does not know (it reads 0.x and 1.x). Upgrade infra-actions.`,
    )
  }
  // Every plan Terraform and OpenTofu write has planned_values or resource_changes, errored ones
  // included; a document with neither reads as "no changes" and is refused.
  const isPlan = 'resource_changes' in value || 'planned_values' in value
  if (!isPlan && 'values' in value) {
    throw new PlanFormatError(
      `${source} is a Terraform state, not a plan ('terraform show -json' was run without a plan file). Run: terraform show -json tfplan`,
    )
  }
  if (!isPlan) {
    throw new PlanFormatError(
      `${source} has a format_version but none of a plan's keys (planned_values, resource_changes). Is it really 'terraform show -json <planfile>' output?`,
    )
  }
  for (const key of ['resource_changes', 'resource_drift', 'deferred_changes', 'checks'] as const) {
    if (key in value && !Array.isArray(value[key]))
      throw new PlanFormatError(`${source}: ${key} is not an array; Terraform never writes that.`)
  }
  if ('output_changes' in value && !isRecord(value.output_changes)) {
    throw new PlanFormatError(`${source}: output_changes is not an object; Terraform never writes that.`)
  }
  // These decide whether the plan is trusted at all: a string "false" must not read as true.
  for (const key of ['errored', 'complete', 'applyable'] as const) {
    if (key in value && typeof value[key] !== 'boolean') {
      throw new PlanFormatError(
        `${source}: ${key} is ${JSON.stringify(value[key])?.slice(0, 20)}, not true or false; Terraform never writes that.`,
      )
    }
  }
  return value as RawPlan
}
