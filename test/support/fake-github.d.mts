import type { Fault } from './faults.mjs'
export type { Fault }
export interface FakeComment {
  id: number
  body: string
  html_url: string
  user: { login: string }
}
export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  headers: Record<string, string | string[] | undefined>
}
export interface FakeIssue {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  state_reason: string | null
  labels: { name: string }[]
  user: { login: string }
  html_url: string
}
export class FakeGitHub {
  constructor(options?: { userTokens?: Record<string, string>; appLogin?: string })
  url: string
  comments: Map<string, FakeComment[]>
  issueEvents: Map<string, unknown[]>
  issueLabels: Map<string, string[]>
  permissions: Map<string, string>
  commitPulls: Map<string, unknown[]>
  /** "owner/repo#n" → the pull request's head and author. */
  pulls: Map<string, { head: { ref: string; sha: string; repo: { full_name: string } | null }; user: { login: string } }>
  /** "owner/repo#n" → its reviews, oldest first. */
  reviews: Map<string, unknown[]>
  activities: Map<string, unknown[]>
  /** "owner/repo" → issues, oldest first. */
  issues: Map<string, FakeIssue[]>
  faults: Fault[]
  requests: RecordedRequest[]
  start(): Promise<FakeGitHub>
  stop(): Promise<void>
  addComment(owner: string, repo: string, issue: number, body: string, login: string): FakeComment
  commentsOf(owner: string, repo: string, issue: number): FakeComment[]
  issuesOf(owner: string, repo: string): FakeIssue[]
  fault(f: Fault): void
  /** Records a push of `after` to `ref`, as the repository activity API reports it. */
  push(
    owner: string,
    repo: string,
    ref: string,
    after: string,
    options?: { at?: string; force?: boolean; actor?: string; before?: string },
  ): void
}
