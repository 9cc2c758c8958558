import { LineCounter, parseDocument, isNode, isScalar, visit, type Document } from 'yaml'
import type { z } from 'zod'
import { ConfigurationError } from './errors.js'
import { readRegularFile } from './files.js'

/**
 * YAML 1.2 allows a byte-order mark at the start (Windows editors and PowerShell 5 write one);
 * the yaml package reads a block sequence after one as a syntax error.
 */
export const withoutByteOrderMark = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/**
 * A YAML configuration file read and validated in one step: YAML syntax errors, unknown keys
 * and wrong types all become one ConfigurationError that names the file, the line and the key.
 * Schemas should be `.strict()` so a misspelt key is an error, not silently ignored.
 */
export function parseYamlConfig<S extends z.ZodType>(content: string, file: string, schema: S): z.infer<S> {
  const text = withoutByteOrderMark(content)
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0])
    throw new ConfigurationError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`)
  }
  // A key named __proto__ would set the object's prototype, not add an entry: refuse it.
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__') {
        const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined
        throw new ConfigurationError(`${file}${line ? `:${line}` : ''}: the key '__proto__' is not allowed`)
      }
    },
  })
  let value: unknown
  try {
    // The yaml package refuses an alias bomb (`Excessive alias count`): the file's fault.
    value = doc.toJS()
  } catch (error) {
    throw new ConfigurationError(`${file}: ${error instanceof Error ? error.message : String(error)}`)
  }
  const result = schema.safeParse(value ?? {})
  if (result.success) return result.data
  // One complaint per place: a date both malformed and not a date is said once.
  const seen = new Set<string>()
  const distinct = result.error.issues.filter((i) => {
    const at = JSON.stringify(i.path)
    return seen.has(at) ? false : (seen.add(at), true)
  })
  const issues = distinct.slice(0, 5).map((issue) => {
    const path = issue.path as (string | number)[]
    // For an unknown key, point at the key itself rather than at its parent.
    const line = lineOf(
      doc,
      lineCounter,
      issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...path, issue.keys[0]] : path,
    )
    return `${file}${line ? `:${line}` : ''}: ${pathText(issue.path as (string | number)[])}: ${describeIssue(issue)}`
  })
  const more = distinct.length > 5 ? `\n(and ${distinct.length - 5} more)` : ''
  throw new ConfigurationError(`${issues.join('\n')}${more}`)
}

/** `environments.prod.max-destroy`; the line number says which list entry. */
function pathText(path: readonly (string | number)[]): string {
  return path.length ? path.join('.') : '(top level)'
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
  // zod's "Invalid input: expected string, received undefined" for a key that is not there.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `is required (${issue.expected})`
  return issue.message
}

/** The line of the deepest node on `path` that exists. */
export function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line
  }
  return undefined
}

/** The text of a configuration file named by an input, or an error naming the input. */
export function readConfigFile(file: string, label: string, input: string): string {
  return readRegularFile(file, `Input '${input}' (${label})`).toString('utf8')
}
