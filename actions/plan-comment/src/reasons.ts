import { code } from '@infra-actions/common'
import { actionReasonInWords, pathOf, type ResourceItem } from '@infra-actions/terraform'

/**
 * One sentence fragment saying why an item gets its action, or '' when the plan says nothing.
 * `plain` masks the plan's own texts shown whole (a reason Terraform does not know, a deposed key).
 */
export function explain(item: ResourceItem, plain: (s: string) => string): string {
  const parts: string[] = []
  if (item.action === 'replace' && item.replacePaths.length > 0) {
    const paths = item.replacePaths.slice(0, 5).map((p) => code(pathOf(p)))
    const more = item.replacePaths.length > 5 ? ` and ${item.replacePaths.length - 5} more` : ''
    parts.push(`replaced because ${paths.join(', ')}${more} ${item.replacePaths.length === 1 ? 'forces' : 'force'} replacement`)
  } else if (item.reason) {
    parts.push(actionReasonInWords(item.reason) ?? code(plain(item.reason)))
  }
  if (item.replaceOrder === 'create-first') parts.push('new object created before the old one is destroyed')
  if (item.deposed) parts.push(`deposed object ${code(plain(item.deposed))}`)
  if (item.action === 'forget' || item.action === 'create-forget') parts.push('the real object is kept; only Terraform stops managing it')
  return parts.join('; ')
}
