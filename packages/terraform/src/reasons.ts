/**
 * Terraform's `action_reason` values in words (Markdown: the backticked parts are code), one
 * wording for every action that shows them. A Map: a reason named like an Object.prototype
 * member is just unknown.
 */
const REASONS = new Map<string, string>([
  ['replace_because_tainted', 'replaced because it is tainted'],
  ['replace_by_request', 'replaced on request (`-replace`)'],
  ['replace_by_triggers', 'replaced by `replace_triggered_by`'],
  ['replace_because_cannot_update', 'replaced because it cannot be updated in place'],
  ['delete_because_no_resource_config', 'its configuration was removed'],
  ['delete_because_wrong_repetition', '`count`/`for_each` was added or removed'],
  ['delete_because_count_index', 'its `count` index is out of range'],
  ['delete_because_each_key', 'its `for_each` key is gone'],
  ['delete_because_no_module', 'its module was removed'],
  ['delete_because_no_move_target', 'the target of its `moved` block does not exist'],
  ['delete_because_enabled_false', 'it was disabled (`enabled = false`)'],
  ['read_because_config_unknown', 'read during apply: its configuration depends on values not yet known'],
  ['read_because_dependency_pending', 'read during apply: a dependency has pending changes'],
  ['read_because_check_nested', 'read during apply: it is inside a `check` block'],
  ['forgot_because_lifecycle_destroy_in_state', 'removed from state only (`destroy = false` in state)'],
  ['forgot_because_lifecycle_destroy_in_config', 'removed from state only (`lifecycle { destroy = false }`)'],
])

/** The reason in words, or undefined for a reason this version does not know (show it as code). */
export function actionReasonInWords(reason: string): string | undefined {
  return REASONS.get(reason)
}
