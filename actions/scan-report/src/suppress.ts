import picomatch from 'picomatch'
import type { IgnoreFile } from './ignore-file.js'
import { canonicalTrivyRule, type Finding } from './model.js'

// Kept apart from ignore-file.ts, which parses the file: the YAML parser and zod load only when
// there is an ignore file to read.

const normalizeId = (id: string): string => canonicalTrivyRule(id).toUpperCase()

/**
 * Marks the findings an entry suppresses. A finding the scanner itself suppressed keeps that
 * reason. The first entry that matches wins; expired entries match nothing.
 */
export function applyIgnores(findings: readonly Finding[], ignore: IgnoreFile | undefined): void {
  for (const f of findings) if (f.suppressedBy) f.suppression = f.suppressedBy
  if (!ignore || ignore.entries.length === 0) return
  const matchers = ignore.entries.map((e) => ({
    entry: e,
    id: normalizeId(e.id),
    path: e.path ? picomatch(e.path, { dot: true }) : undefined,
    package: e.package?.toLowerCase(),
  }))
  for (const f of findings) {
    if (f.suppression) continue
    const ids = new Set([normalizeId(f.rule), normalizeId(f.ruleId)])
    for (const m of matchers) {
      if (m.entry.expired || !ids.has(m.id)) continue
      if (m.package !== undefined && f.package?.name.toLowerCase() !== m.package) continue
      // A path suppresses a finding only where it is: every place it was seen must match.
      if (m.path && !pathMatches(f, m.path)) {
        if (f.locations.some((l) => m.path?.(l.file))) m.entry.partly++
        continue
      }
      m.entry.matched++
      f.suppression = { by: 'ignore-file', kind: 'external', reason: m.entry.reason, expires: m.entry.expires, source: m.entry.where }
      break
    }
  }
}

function pathMatches(f: Finding, match: (file: string) => boolean): boolean {
  if (f.locations.length > 0 && f.locations.every((l) => match(l.file))) return true
  // The target (an image, a k8s object) stands for the place only when no location is a repository file:
  // Checkov's is its framework (`terraform`), which `*` would match wherever the finding is.
  if (f.locations.some((l) => l.isFile)) return false
  return f.locations.length <= 1 && f.target !== undefined && match(f.target)
}
