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

  /** The first pattern that matches, or undefined. */
  match(item: AddressLike): string | undefined {
    const local = localAddress(item)
    for (const { pattern, regex, typeOnly } of this.compiled) {
      if (regex.test(item.address) || (local !== item.address && regex.test(local))) return pattern
      if (typeOnly && item.type !== undefined && regex.test(item.type)) return pattern
    }
    return undefined
  }
}

/** The address without its module path: `module.a["x"].aws_s3_bucket.b[0]` → `aws_s3_bucket.b[0]`. */
export function localAddress(item: AddressLike): string {
  const prefix = item.moduleAddress ? `${item.moduleAddress}.` : ''
  return prefix && item.address.startsWith(prefix) ? item.address.slice(prefix.length) : item.address
}
