/**
 * Globs over Terraform resource addresses. Path globs (picomatch, minimatch) do not fit: `[` is
 * a character class there, while in an address it starts an index (`aws_s3_bucket.b["a.b"]`),
 * and `/` is special there but may occur in for_each keys. Here `*` matches any run of
 * characters (dots and brackets included), `?` one character, and everything else is literal.
 *
 * A pattern matches an address when it matches:
 *  - the whole address (`module.db.*`, `module.x["a.b"].aws_s3_bucket.this[0]`), or
 *  - the address inside its module (`google_sql_database_instance.*` matches it in any module), or
 *  - a bare resource type (`null_resource`).
 */
export interface AddressLike {
  address: string
  moduleAddress?: string | undefined
  type?: string
  /** Where a `moved` block (or an implicit move) took it from: patterns see this address too. */
  previousAddress?: string | undefined
}

const NAME = '[A-Za-z_][A-Za-z0-9_-]*'
/** An instance key in an address: `[0]` or `["eu.west"]` (escaped quotes included). */
const KEY = '\\[(?:[0-9]+|"(?:[^"\\\\]|\\\\.)*")\\]'
const INSTANCE_KEY = `(?:${KEY})?`
/** A module call named without its key in a pattern: `module.db.` (at the start, or after a dot). */
const MODULE_CALL = new RegExp(`(?:^|\\.)module\\.${NAME}\\.$`)
/** A pattern that ends in a module call, with its key (or `[*]`) when given. */
const MODULE_CALL_END = new RegExp(`(?:^|\\.)module\\.${NAME}(${KEY}|\\[\\*\\])?$`)
/** A pattern that ends in a resource's name, without its key. */
const RESOURCE_END = new RegExp(`\\.${NAME}$`)

export function compileAddressGlob(pattern: string): RegExp {
  // `module.db[*]` is every instance of the call, one without count or for_each (no key) too.
  if (pattern.endsWith('[*]') && MODULE_CALL_END.test(shapeOf(pattern))) return compileAddressGlob(pattern.slice(0, -3))
  let source = ''
  let literal = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string
    if (pattern.startsWith('[*]', i)) {
      // Any instance, and the one of a resource or module without count or for_each (no key).
      source += '(?:\\[.*\\])?'
      i += 2
      literal += '[0]'
      continue
    }
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else {
      // `module.db.*` means the module call, as Terraform's `module.db` does: every instance of it
      // (count, for_each) too. A key written in the pattern names that instance only.
      if (ch === '.' && MODULE_CALL.test(`${literal}.`)) source += INSTANCE_KEY
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    }
    // `?` stands for one character of a name (`module.d?.*` is a module call too); `*` for anything.
    literal = ch === '*' ? '' : literal + (ch === '?' ? 'x' : ch)
  }
  const shape = shapeOf(pattern)
  // A pattern that ends in a module call names no resource: it means everything in the module.
  const moduleEnd = MODULE_CALL_END.exec(shape)
  if (moduleEnd) source += `${moduleEnd[1] ? '' : INSTANCE_KEY}\\..*`
  // A resource named without its key is every instance of it, as `-target=aws_s3_bucket.b` is:
  // adding count or for_each (an implicit move to `b[0]`) keeps it protected.
  else if (RESOURCE_END.test(shape)) source += INSTANCE_KEY
  return new RegExp(`^${source}$`, 's')
}

/** The pattern with each `?` as a name character, to tell what it ends in (`module.d?` is a module call). */
const shapeOf = (pattern: string): string => pattern.replace(/\?/g, 'x')

/**
 * Why a pattern can never match an address, or undefined: `module.db.` (a typo for `module.db.*`)
 * would protect nothing without a word. Only the certain is refused: an address (and its local
 * part, and a type) starts with a letter or `_` and ends in a name or `]`, and up to its first
 * quote it has no empty part and no white space. A wildcard can match quotes, so what follows one
 * is not judged; a pattern that matches nothing in this plan is fine.
 */
export function addressGlobProblem(pattern: string): string | undefined {
  const why = neverMatchedBecause(pattern)
  return why && `'${pattern}' can never match a resource address: ${why}`
}

function neverMatchedBecause(pattern: string): string | undefined {
  const first = pattern[0] ?? ''
  const last = pattern[pattern.length - 1] ?? ''
  if (!/[A-Za-z_*?]/.test(first)) return `an address never starts with '${first}'`
  if (!/[A-Za-z0-9_\-\]*?]/.test(last))
    return `an address never ends in '${last}'${last === '.' ? ` (did you mean '${pattern}*' or '${pattern.slice(0, -1)}'?)` : ''}`
  const lead = /^[^*?"]*/.exec(pattern)?.[0] ?? ''
  if (lead.includes('..')) return "an address has no empty part ('..') outside a quoted key"
  if (/\s/.test(lead)) return 'an address has no white space outside a quoted key'
  return undefined
}

export class AddressMatcher {
  private readonly compiled: { pattern: string; regex: RegExp; typeOnly: boolean }[]

  constructor(readonly patterns: readonly string[]) {
    this.compiled = patterns.map((pattern) => ({ pattern, regex: compileAddressGlob(pattern), typeOnly: !/[.[\]]/.test(pattern) }))
  }

  /**
   * The first pattern that matches the address, or the address it was moved from, or undefined.
   * A resource moved out of `module.db` is still what `module.db.*` protects.
   */
  match(item: AddressLike): string | undefined {
    const addresses = addressesOf(item)
    return this.compiled.find(({ regex, typeOnly }) => addresses.some((a) => matches(regex, typeOnly, a)))?.pattern
  }

  /**
   * The first pattern that matches the address, when every address of the change is matched
   * (by it or another pattern), or undefined. For what lets a change through (`ignore`): a move
   * into an ignored path is not ignored, as its author picks the address it goes to.
   */
  matchEvery(item: AddressLike): string | undefined {
    const [current, ...others] = addressesOf(item)
    const first = this.firstFor(current as Address)
    return first !== undefined && others.every((a) => this.firstFor(a) !== undefined) ? first : undefined
  }

  /** The pattern that matches the address a change was moved from, when none matches where it goes. */
  movedOutOf(item: AddressLike): string | undefined {
    const [current, previous] = addressesOf(item)
    return previous && this.firstFor(current as Address) === undefined ? this.firstFor(previous) : undefined
  }

  /** The pattern that matches where a change was moved to, when none matches where it came from. */
  movedInto(item: AddressLike): string | undefined {
    const [current, previous] = addressesOf(item)
    return previous && this.firstFor(previous) === undefined ? this.firstFor(current as Address) : undefined
  }

  /**
   * Whether a pattern covers every resource of the type (`terraform_data.*`, `null_resource`, `*`),
   * judged on addresses with two names that share no character, at the root and in a keyed
   * module: a pattern that names a resource (`*probe*`, `*.scratch_*`) misses one of them.
   */
  coversType(type: string): boolean {
    const probes: Address[] = ['x', 'y1'].flatMap((name) => [
      { address: `${type}.${name}`, local: `${type}.${name}`, type },
      { address: `module.m["k"].${type}.${name}[0]`, local: `${type}.${name}[0]`, type },
    ])
    return this.compiled.some(({ regex, typeOnly }) => probes.every((a) => matches(regex, typeOnly, a)))
  }

  private firstFor(a: Address): string | undefined {
    return this.compiled.find(({ regex, typeOnly }) => matches(regex, typeOnly, a))?.pattern
  }
}

type Address = { address: string; local: string; type: string | undefined }

/** The address of a change, and the one it was moved from when there is one. */
function addressesOf(item: AddressLike): Address[] {
  const addresses: Address[] = [{ address: item.address, local: localAddress(item), type: item.type }]
  if (item.previousAddress !== undefined && item.previousAddress !== item.address) {
    const local = splitModule(item.previousAddress).local
    addresses.push({ address: item.previousAddress, local, type: typeOfLocal(local) })
  }
  return addresses
}

function matches(regex: RegExp, typeOnly: boolean, a: Address): boolean {
  return regex.test(a.address) || (a.local !== a.address && regex.test(a.local)) || (typeOnly && a.type !== undefined && regex.test(a.type))
}

/**
 * An address split into its module path and the rest: `module.a["x.y"].module.b[0].aws_s3_bucket.c`
 * → `module.a["x.y"].module.b[0]` and `aws_s3_bucket.c`. Keys in brackets may hold dots, brackets
 * and escaped quotes.
 */
export function splitModule(address: string): { module: string; local: string } {
  let i = 0
  while (address.startsWith('module.', i)) {
    let j = i + 'module.'.length
    while (j < address.length && address[j] !== '.' && address[j] !== '[') j++
    if (address[j] === '[') j = endOfIndex(address, j)
    if (address[j] !== '.') break
    i = j + 1
  }
  return { module: i === 0 ? '' : address.slice(0, i - 1), local: address.slice(i) }
}

/** The position after the `]` that closes the index starting at `open`. */
function endOfIndex(address: string, open: number): number {
  let quoted = false
  for (let k = open + 1; k < address.length; k++) {
    const ch = address[k]
    if (quoted) {
      if (ch === '\\') k++
      else if (ch === '"') quoted = false
    } else if (ch === '"') quoted = true
    else if (ch === ']') return k + 1
  }
  return address.length
}

/** `aws_s3_bucket.c[0]` → `aws_s3_bucket`; `data.x.y` → `x`. */
function typeOfLocal(local: string): string | undefined {
  const parts = (local.startsWith('data.') ? local.slice(5) : local).split('.')
  return parts.length >= 2 ? parts[0] : undefined
}

/** The address without its module path: `module.a["x"].aws_s3_bucket.b[0]` → `aws_s3_bucket.b[0]`. */
export function localAddress(item: AddressLike): string {
  const prefix = item.moduleAddress ? `${item.moduleAddress}.` : ''
  return prefix && item.address.startsWith(prefix) ? item.address.slice(prefix.length) : item.address
}
