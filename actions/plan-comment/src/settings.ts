import { ConfigurationError, InputError, Inputs } from '@infra-actions/common'
import { commentKey, type CommentMode } from '@infra-actions/github'
import { readPlanSource, type PlanSource } from '@infra-actions/terraform'

export type CommentSetting = CommentMode | 'off'

/** Every input of plan-comment, read and validated once. */
export interface PlanCommentSettings {
  mode: 'single' | 'aggregate'
  /** The plan (single mode). */
  source: PlanSource | undefined
  workingDirectory: string
  key: string
  environment: string | undefined
  title: string
  commentMode: CommentSetting
  maxLength: number
  token: string
  /** The login the token posts as, when GET /user cannot tell (GitHub App tokens). */
  commentAuthor: string | undefined
  prNumber: number | undefined
  artifact: boolean
  /** aggregate mode: files or directories holding `*.plan-summary.json`. */
  summaries: string[]
  /** Keep one tracking issue for this key (a drift report). */
  driftIssue: boolean
  issueLabels: string[]
}

export const GITHUB_COMMENT_LIMIT = 65536

export const PLAN_INPUTS = {
  planJson: 'plan-json',
  planFile: 'plan-file',
  terraformBinary: 'terraform-binary',
  workingDirectory: 'working-directory',
}

export function readSettings(inputs: Inputs = new Inputs()): PlanCommentSettings {
  const mode = inputs.enumeration('mode', ['single', 'aggregate'], 'single')
  const source = readPlanSource(inputs, PLAN_INPUTS)
  const workingDirectory = inputs.string('working-directory', { default: '.' })
  const environment = inputs.optionalString('environment')
  const defaultKey = mode === 'aggregate' ? 'aggregate' : environment ? `${workingDirectory}:${environment}` : workingDirectory
  const key = inputs.optionalString('key')
  const settings: PlanCommentSettings = {
    mode,
    source,
    workingDirectory,
    key: '',
    environment,
    title: inputs.string('title', { default: mode === 'aggregate' ? 'Terraform plans' : 'Terraform plan' }),
    commentMode: inputs.enumeration('comment-mode', ['update', 'recreate', 'new', 'off'], 'update'),
    maxLength: inputs.integer('max-length', { default: GITHUB_COMMENT_LIMIT, min: 2000, max: GITHUB_COMMENT_LIMIT }),
    token: inputs.string('github-token'),
    commentAuthor: inputs.optionalString('comment-author'),
    prNumber: inputs.optionalInteger('pr-number', { min: 1 }),
    artifact: inputs.boolean('artifact', true),
    summaries: inputs.list('summaries'),
    driftIssue: inputs.boolean('drift-issue', false),
    issueLabels: inputs.list('issue-labels'),
  }
  const origin = key !== undefined || mode === 'aggregate' ? undefined : environment ? 'working-directory:environment' : 'working-directory'
  settings.key = commentKey(key ?? defaultKey, settings.maxLength, origin)
  if (settings.issueLabels.length === 0) settings.issueLabels = ['drift']
  if (settings.driftIssue && mode === 'aggregate')
    throw new InputError('drift-issue', "works with 'mode: single' (one tracking issue per plan and key)")
  if (mode === 'single' && !source) {
    throw new ConfigurationError("One of the inputs 'plan-json' or 'plan-file' is required (or set 'mode: aggregate' with 'summaries').")
  }
  if (mode === 'aggregate' && settings.summaries.length === 0) {
    throw new ConfigurationError(
      "Input 'summaries' is required with 'mode: aggregate': the files or directories holding the *.plan-summary.json of each plan-comment step.",
    )
  }
  return settings
}
