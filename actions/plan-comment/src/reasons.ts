import { code, text } from '@infra-actions/common'
import { pathOf, type ResourceItem } from '@infra-actions/terraform'

/** Terraform's `action_reason` values in words. Unknown reasons are shown as they are. */
const REASONS: Record<string, string> = {
  replace_because_tainted: 'replaced because it is tainted',
  replace_by_request: 'replaced on request (`-replace`)',
  replace_by_triggers: 'replaced by `replace_triggered_by`',
  replace_because_cannot_update: 'replaced because it cannot be updated in place',
  delete_because_no_resource_config: 'its configuration was removed',
  delete_because_wrong_repetition: '`count`/`for_each` was added or removed',
  delete_because_count_index: 'its `count` index is out of range',
  delete_because_each_key: 'its `for_each` key is gone',
  delete_because_no_module: 'its module was removed',
  delete_because_no_move_target: 'the target of its `moved` block does not exist',
  delete_because_enabled_false: 'it was disabled (`enabled = false`)',
  read_because_config_unknown: 'read during apply: its configuration depends on values not yet known',
  read_because_dependency_pending: 'read during apply: a dependency has pending changes',
  read_because_check_nested: 'read during apply: it is inside a `check` block',
  forgot_because_lifecycle_destroy_in_state: 'removed from state only (`destroy = false` in state)',
  forgot_because_lifecycle_destroy_in_config: 'removed from state only (`lifecycle { destroy = false }`)',
}

/** One sentence fragment saying why an item gets its action, or '' when the plan says nothing. */
export function explain(item: ResourceItem): string {
  const parts: string[] = []
  if (item.action === 'replace' && item.replacePaths.length > 0) {
    const paths = item.replacePaths.slice(0, 5).map((p) => code(pathOf(p)))
    const more = item.replacePaths.length > 5 ? ` and ${item.replacePaths.length - 5} more` : ''
    parts.push(`replaced because ${paths.join(', ')}${more} ${item.replacePaths.length === 1 ? 'forces' : 'force'} replacement`)
  } else if (item.reason) {
    parts.push(REASONS[item.reason] ?? text(item.reason))
  }
  if (item.replaceOrder === 'create-first') parts.push('new object created before the old one is destroyed')
  if (item.deposed) parts.push(`deposed object ${code(item.deposed)}`)
  if (item.action === 'forget' || item.action === 'create-forget') parts.push('the real object is kept; only Terraform stops managing it')
  return parts.join('; ')
}
