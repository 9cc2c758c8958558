/** Writes a realistic `terraform show -json` plan of `n` resource changes to `file`. */
export function generatePlan(n: number, file: string): Promise<void>
