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

export function compileAddressGlob(pattern: string): RegExp {
  let source = ''
  for (const ch of pattern) {
    if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 's')
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
    const addresses: { address: string; local: string; type: string | undefined }[] = [
      { address: item.address, local: localAddress(item), type: item.type },
    ]
    if (item.previousAddress !== undefined && item.previousAddress !== item.address) {
      const local = splitModule(item.previousAddress).local
      addresses.push({ address: item.previousAddress, local, type: typeOfLocal(local) })
    }
    for (const { pattern, regex, typeOnly } of this.compiled) {
      for (const a of addresses) {
        if (regex.test(a.address) || (a.local !== a.address && regex.test(a.local))) return pattern
        if (typeOnly && a.type !== undefined && regex.test(a.type)) return pattern
      }
    }
    return undefined
  }
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
