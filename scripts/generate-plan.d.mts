export interface GeneratedPlan {
  shape: 'terraform' | 'changes'
  changes: number
  bytes: number
  counts: { add: number; change: number; destroy: number; replace: number; noop: number; drift: number }
  destroyed: string[]
}
/** Writes a realistic `terraform show -json` plan of `n` resource changes to `file`, as a stream. */
export function generatePlan(n: number, file: string, options?: { shape?: 'terraform' | 'changes' }): Promise<GeneratedPlan>
export function changesForSize(bytes: number, shape?: 'terraform' | 'changes'): number
export function parseSize(text: string): number
