// Builders for plan JSON documents in the shape `terraform show -json` prints (format 1.2), so
// each test states the case it is about and nothing else.
export interface RC {
  address: string
  mode?: 'managed' | 'data'
  type?: string
  name?: string
  index?: string | number
  module_address?: string
  previous_address?: string
  deposed?: string
  action_reason?: string
  provider_name?: string
  change: {
    actions: string[]
    before?: unknown
    after?: unknown
    after_unknown?: unknown
    before_sensitive?: unknown
    after_sensitive?: unknown
    replace_paths?: unknown[][]
    importing?: unknown
  }
}

/** A resource change; type and name are derived from the address when not given. */
export function rc(address: string, actions: string[], extra: Partial<Omit<RC, 'change'>> & { change?: Partial<RC['change']> } = {}): RC {
  const local =
    extra.module_address && address.startsWith(`${extra.module_address}.`) ? address.slice(extra.module_address.length + 1) : address
  const isData = local.startsWith('data.')
  const [type = '', rest = ''] = (isData ? local.slice(5) : local).split(/\.(.*)/s)
  const name = rest.replace(/\[.*$/s, '')
  const before = actions.includes('create') && actions.length === 1 ? null : { id: 'old', name }
  const after = actions.includes('delete') && actions.length === 1 ? null : { id: 'new', name }
  return {
    address,
    mode: isData ? 'data' : 'managed',
    type,
    name,
    provider_name: 'registry.terraform.io/hashicorp/google',
    ...extra,
    change: {
      actions,
      before,
      after,
      after_unknown: {},
      before_sensitive: before === null ? false : {},
      after_sensitive: after === null ? false : {},
      ...extra.change,
    },
  }
}

export function plan(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format_version: '1.2',
    terraform_version: '1.9.5',
    planned_values: { root_module: {} },
    configuration: { root_module: {} },
    errored: false,
    applyable: true,
    complete: true,
    ...fields,
  }
}

export const planText = (fields: Record<string, unknown> = {}): string => JSON.stringify(plan(fields))
