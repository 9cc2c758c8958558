import { StringDecoder } from 'node:string_decoder'
import { ConfigurationError, isRecord } from '@infra-actions/common'
import {
  bufferSource,
  bytesAt,
  JsonDuplicateMemberError,
  JsonScanError,
  jsonDamage,
  lineAndColumn,
  type ByteSource,
} from '@infra-actions/common/json-stream'
import { EmptyDocumentError, NotAnObjectError, readPlanStream, type ChangeSection, type PlanSink, type StreamOptions } from './read-plan.js'

/**
 * Turning the bytes of `terraform show -json <planfile>` (or `tofu show -json`) into one plan
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

export type ParseOptions = StreamOptions

/**
 * Reads one plan document from `source` (the caller closes it), handing each change, drift, deferred
 * change and output to `sink` as it is read, and returns the other top-level members checked to
 * be one plan document (the streamed sections as empty placeholders). Anything that is not
 * exactly one plan document is refused with the reason, after the whole file was validated.
 */
export function readPlanDocument(source: ByteSource, label: string, sink: PlanSink, options: ParseOptions = {}): RawPlan {
  let value: Record<string, unknown>
  try {
    value = readPlanStream(source, sink, options)
  } catch (error) {
    throw refusal(error, source, label)
  }
  return checkPlanDocument(value, label)
}

function refusal(error: unknown, source: ByteSource, label: string): unknown {
  if (error instanceof EmptyDocumentError)
    return new PlanFormatError(`${label} is empty. Write it with: terraform show -json tfplan > plan.json`)
  if (error instanceof NotAnObjectError) return new PlanFormatError(`${label} is JSON but not a Terraform plan: ${error.message}.`)
  if (error instanceof JsonDuplicateMemberError) {
    return new PlanFormatError(
      `${label} has the member ${JSON.stringify(error.member)} twice in one object (${lineAndColumn(source, error.position)}). Terraform never writes that; a plan whose second value could hide the first is refused.`,
    )
  }
  if (error instanceof JsonScanError) return new PlanFormatError(`${label} is not one JSON document: ${diagnose(source, error)}`)
  return error
}

/**
 * The plan in `data` (the bytes or text of `terraform show -json`), checked to be one plan
 * document, with its sections built: the reader of tests and of plans already in memory.
 */
export function parsePlanText(data: Buffer | string, source: string, options: ParseOptions = {}): RawPlan {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const sections: Record<ChangeSection, unknown[]> = { resource_changes: [], resource_drift: [], deferred_changes: [] }
  const outputs = new Map<string, unknown>()
  const plan = readPlanDocument(
    bufferSource(bytes, options.chunkSize),
    source,
    { element: (section, value) => sections[section].push(value), output: (name, value) => outputs.set(name, value) },
    options,
  )
  for (const key of Object.keys(sections) as ChangeSection[]) if (Array.isArray(plan[key])) plan[key] = sections[key]
  if (isRecord(plan.output_changes)) plan.output_changes = Object.fromEntries(outputs)
  return plan
}

/**
 * What is wrong, from where the scan stopped. Said by position, never by quoting the text there
 * (as JSON.parse's messages do): a plan holds secrets, and this message goes to the log. Read
 * again from the source: only the place of the damage and the first bytes are needed.
 */
function diagnose(source: ByteSource, error: JsonScanError): string {
  const size = source.size()
  const start = bytesAt(source, 0, 3)
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) {
    return "it starts with a byte order mark (as Windows PowerShell 5 writes with -Encoding utf8), which JSON does not allow. Write it without one: with PowerShell 7's > or Out-File -Encoding utf8NoBOM, or in bash."
  }
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    return "it is UTF-16 text (as Windows PowerShell 5's > writes it), not UTF-8. Write it with PowerShell 7's > or Out-File -Encoding utf8NoBOM, or in bash."
  }
  const head = leadingText(source, 2000)
  if (/^(\[command\]|::debug::|::\w+)/m.test(head.slice(0, 2000)) || (!head.startsWith('{') && contains(source, '{"format_version"'))) {
    return "it has text around the JSON, like the output of hashicorp/setup-terraform's wrapper. Set 'terraform_wrapper: false' on setup-terraform, or write the file with the real binary."
  }
  if (error.reason === 'unexpected text after the JSON object' && bytesAt(source, Math.min(error.position, size), 1).toString() === '{') {
    return 'it holds several JSON documents one after another (as `terragrunt run-all show -json` prints). Give each root module its own plan file.'
  }
  return jsonDamage(source, error)
}

const CHUNK = 1 << 20

/** The text from the start with leading whitespace trimmed (as String.trimStart), at least `chars` of it when there are. */
function leadingText(source: ByteSource, chars: number): string {
  const decoder = new StringDecoder('utf8')
  let text = ''
  for (let at = 0; ; at += CHUNK) {
    const chunk = bytesAt(source, at, CHUNK)
    text = (text + (chunk.length ? decoder.write(chunk) : decoder.end())).trimStart()
    if (text.length >= chars || chunk.length === 0) return text
  }
}

/** Whether the bytes of `needle` (ASCII) appear anywhere in the source. */
function contains(source: ByteSource, needle: string): boolean {
  const n = Buffer.from(needle)
  let carry = Buffer.alloc(0)
  for (let at = 0; ; at += CHUNK) {
    const chunk = bytesAt(source, at, CHUNK)
    if (chunk.length === 0) return false
    const window = Buffer.concat([carry, chunk])
    if (window.includes(n)) return true
    carry = window.subarray(Math.max(0, window.length - n.length + 1))
  }
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
