import { ellipsize, visible } from '@infra-actions/common'
import { SARIF_LEVEL, type Finding, type Location } from './model.js'

/** GitHub shows at most 10 annotations of each type per step and drops the rest silently. */
export const PER_LEVEL_LIMIT = 10

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  title: string
  file: string
  startLine?: number
  endLine?: number
}

export interface AnnotationPlan {
  annotations: Annotation[]
  /** Counted findings on a file that got no annotation (over the budget). */
  notAnnotated: number
}

const LEVEL: Record<'error' | 'warning' | 'note', AnnotationLevel> = { error: 'error', warning: 'warning', note: 'notice' }

/**
 * Annotations for the worst findings that sit in a file of the repository, in the order given
 * (worst first), at most `max` in all and never more of one type than GitHub shows. A finding
 * seen in several files is annotated at its first. Messages are workflow-command text, not
 * Markdown: the runner escapes them. Scanner text is cut short and shows its bidi and zero-width
 * characters as escapes, as in the comment.
 */
export function planAnnotations(
  counted: readonly Finding[],
  max: number,
  /** Slots of each type kept for the step's own messages (its failure, its warnings), which GitHub counts too. */
  reserved: Partial<Record<AnnotationLevel, number>> = {},
): AnnotationPlan {
  const annotations: Annotation[] = []
  const perLevel = { error: 0, warning: 0, notice: 0 }
  let notAnnotated = 0
  for (const f of counted) {
    let at: Location | undefined
    for (const l of f.locations)
      if (l.isFile) {
        at = l
        break
      }
    if (!at) continue
    const level = LEVEL[SARIF_LEVEL[f.severity]]
    if (annotations.length >= max || perLevel[level] >= PER_LEVEL_LIMIT - (reserved[level] ?? 0)) {
      notAnnotated++
      continue
    }
    perLevel[level]++
    // Scanner text, cut short: a 20 MB title would be a 20 MB line of the log.
    const pkg = f.package
      ? ` in ${ellipsize(f.package.name, 200)}${f.package.installedVersion ? ` ${ellipsize(f.package.installedVersion, 100)}` : ''}`
      : ''
    const fix = f.package?.fixedVersion ? ` (fixed in ${ellipsize(f.package.fixedVersion, 100)})` : ''
    const more = f.locations.length > 1 ? ` Also at ${f.locations.length - 1} other location${f.locations.length > 2 ? 's' : ''}.` : ''
    annotations.push({
      level,
      title: visible(
        `${f.severity.toUpperCase()} ${ellipsize(f.rule, 200)} (${ellipsize(f.tool, 100)}${f.baseline === 'new' ? ', new' : ''})`,
      ),
      message: visible(
        `${ellipsize(f.title, 1000)}${pkg}${fix}${f.resource && f.kind !== 'secret' ? ` [${ellipsize(f.resource, 300)}]` : ''}.${more}`,
      ),
      file: at.file,
      ...(at.startLine ? { startLine: at.startLine, endLine: at.endLine ?? at.startLine } : {}),
    })
  }
  return { annotations, notAnnotated }
}
