// The plan reader as it was before the streaming reader (issue #14), kept as an oracle: the
// streaming reader must accept what it accepted and refuse what it refused, with the same
// messages. Copied from packages/terraform/src/json-scan.ts (now packages/common/src/json/scan.ts) and parse.ts at aaa4e74.
import {
  JsonDuplicateMemberError,
  JsonScanError,
  readShaped,
  scanJson,
  SKIPPED,
  whitespace,
  type Shape,
} from '@infra-actions/common/json-stream'
import { checkPlanDocument, PlanFormatError, UNREAD_PLAN_SECTIONS, type RawPlan } from '../../src/index.js'

const QUOTE = 0x22
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const COMMA = 0x2c
const COLON = 0x3a
const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
function fail(b: Uint8Array, i: number, what: string): never {
  throw new JsonScanError(i >= b.length ? 'unexpected end of JSON' : what, i)
}
function string(b: Uint8Array, i: number): number {
  if (b[i] !== QUOTE) fail(b, i, 'expected a string')
  return scanJson(b, i)
}

const decode = (b: Buffer, from: number, to: number): string => b.toString('utf8', from, to)

export interface SkippingOptions {
  /** Members read in parts, as their shape says. */
  shapes?: ReadonlyMap<string, Shape>
  /**
   * Members that each get a JSON.parse of their own, never shared with a neighbour, so that a
   * second member of the same name is seen (and refused) rather than merged away.
   */
  separate?: Iterable<string>
  /** The order members usually come in (Terraform's), which makes finding a run's end cheap. */
  order?: readonly string[]
}

/**
 * A JSON object whose members named in `skip` are validated but not built (their value is
 * SKIPPED). Throws JsonScanError, with the byte where reading stopped, when the bytes are not one
 * JSON object, and JsonDuplicateMemberError when a member name it sees comes twice (names that
 * share one JSON.parse with a neighbour are merged by it: list the ones that matter in
 * `separate`).
 *
 * `b` is borrowed: two of its bytes are changed during a JSON.parse and restored after.
 */
export function oldParseObjectSkipping(b: Buffer, skip: ReadonlySet<string>, options: SkippingOptions = {}): Record<string, unknown> {
  const members = new Map<string, unknown>()
  const shapes = options.shapes ?? new Map<string, Shape>()
  // Where a run of JSON.parse must end: before a skipped member, a member read in parts, or a
  // member read on its own.
  const separate = new Set(options.separate)
  const stops = new Set([...skip, ...shapes.keys(), ...separate])
  // Where the run that starts with member `name` ends: before the next `,"<stop>":`. Only a guess
  // (the same bytes can be a nested member), which the run's JSON.parse proves or refutes, so it
  // only has to be cheap. Stops are searched in the order members usually come in, after `name`,
  // and the first one found is the guess: one search per run, plus one to the end of the file for
  // each stop that is absent (remembered). For a member out of that order, the nearest stop of all.
  const rank = new Map((options.order ?? []).map((n, k) => [n, k]))
  const byRank = [...stops].sort((a, c) => (rank.get(a) ?? Infinity) - (rank.get(c) ?? Infinity))
  const next = new Map(byRank.map((n) => [n, { needle: Buffer.from(`,${JSON.stringify(n)}:`), at: -1, absentFrom: Infinity }]))
  const find = (n: string, from: number, before = b.length): number => {
    const p = next.get(n) as { needle: Buffer; at: number; absentFrom: number }
    if (p.at >= from) return p.at < before ? p.at : -1
    if (p.absentFrom <= from) return -1
    const window = before >= b.length ? b : b.subarray(0, before + p.needle.length - 1)
    const found = window.indexOf(p.needle, from)
    if (found >= 0) p.at = found
    else if (before >= b.length) p.absentFrom = from
    return found
  }
  const nextStop = (name: string, from: number): number => {
    const k = rank.get(name)
    let best = b.length
    if (k !== undefined) {
      for (const n of byRank) {
        if (members.has(n) || n === name || (rank.get(n) ?? Infinity) <= k) continue
        const at = find(n, from)
        if (at >= 0) {
          best = at
          break
        }
      }
    } else {
      for (const n of byRank) {
        if (members.has(n) || n === name) continue
        const at = find(n, from, best)
        if (at >= 0) best = at
      }
    }
    // A second member of the same name before that ends the run too, to be refused.
    if (stops.has(name)) {
      const again = find(name, from, best)
      if (again >= 0) best = again
    }
    return best === b.length ? -1 : best
  }
  let last = b.length - 1
  while (last >= 0 && isSpace(b[last])) last--

  let i = whitespace(b, 0)
  if (b[i] !== OPEN_OBJECT) fail(b, i, 'expected an object')
  // The `{` or `,` before the member being read.
  let open = i
  let failedGuess = -1
  i = whitespace(b, i + 1)
  if (b[i] === CLOSE_OBJECT) i++
  else {
    for (;;) {
      const nameStart = whitespace(b, i)
      const nameEnd = string(b, nameStart)
      const name = JSON.parse(decode(b, nameStart, nameEnd)) as string
      i = whitespace(b, nameEnd)
      if (b[i] !== COLON) fail(b, i, "expected ':'")
      const valueStart = whitespace(b, i + 1)
      let valueEnd: number
      const shape = shapes.get(name)
      if (members.has(name)) throw new JsonDuplicateMemberError(name, nameStart)
      if (skip.has(name)) {
        valueEnd = scanJson(b, valueStart)
        members.set(name, SKIPPED)
      } else if (shape) {
        const read = readShaped(b, valueStart, shape)
        valueEnd = read.end
        members.set(name, read.value)
      } else {
        const end = nextStop(name, valueStart)
        const close = end < 0 ? last : end
        // A guess that failed once is not tried again for the next member. A run that took in a
        // member that must be read on its own or in parts (the needle missed it: pretty-printed
        // JSON) is not used either; the member is scanned instead.
        let run = close === failedGuess ? undefined : parseRun(b, open, close)
        if (run && Object.keys(run).some((k, n) => n > 0 && (shapes.has(k) || separate.has(k)))) run = undefined
        if (!run) failedGuess = close
        if (run) {
          // A skipped member can be inside a run (when the guess passed over it): built, but not kept.
          for (const [k, v] of Object.entries(run)) {
            if (members.has(k)) throw new JsonDuplicateMemberError(k, open)
            members.set(k, skip.has(k) ? SKIPPED : v)
          }
          valueEnd = end < 0 ? last : end
        } else {
          valueEnd = scanJson(b, valueStart)
          members.set(name, JSON.parse(decode(b, valueStart, valueEnd)))
        }
      }
      i = whitespace(b, valueEnd)
      if (b[i] === COMMA) {
        open = i++
        continue
      }
      if (b[i] !== CLOSE_OBJECT) fail(b, i, 'unexpected character')
      i++
      break
    }
  }
  i = whitespace(b, i)
  if (i < b.length) fail(b, i, 'unexpected text after the JSON object')
  // fromEntries defines own properties, so a member named __proto__ stays a plain member.
  return Object.fromEntries(members)
}

/** The members from b[open] ('{' or ',') to b[close] (',' or '}') as one object, or undefined. */
function parseRun(b: Buffer, open: number, close: number): Record<string, unknown> | undefined {
  if (close <= open) return undefined
  const saved = [b[open] as number, b[close] as number]
  b[open] = OPEN_OBJECT
  b[close] = CLOSE_OBJECT
  try {
    const value: unknown = JSON.parse(decode(b, open, close + 1))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  } finally {
    b[open] = saved[0] as number
    b[close] = saved[1] as number
  }
}

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
const READ_PLAN_SECTIONS: readonly string[] = [
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
  attributeValues?: boolean
}

/** The plan in `data` (the bytes or text of `terraform show -json`), checked to be one plan document. */
export function oldParsePlanText(data: Buffer | string, source: string, options: ParseOptions = {}): RawPlan {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  if (whitespace(bytes, 0) >= bytes.length)
    throw new PlanFormatError(`${source} is empty. Write it with: terraform show -json tfplan > plan.json`)
  const lean = options.attributeValues === false
  let value: unknown
  try {
    value = oldParseObjectSkipping(bytes, UNREAD_PLAN_SECTIONS, {
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
