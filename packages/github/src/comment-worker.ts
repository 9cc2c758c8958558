import { Worker, parentPort, workerData } from 'node:worker_threads'
import * as core from '@actions/core'
import { errorMessage } from '@infra-actions/common'
import { statusOf } from './api-errors.js'
import { createGitHubClient } from './client.js'
import { octokitCommentApi, type CommentApi } from './comment-upsert.js'

/**
 * The comment API on a worker thread. Loading Octokit and Node's fetch (~130 ms of CPU) and the
 * first reads (who we are, the PR's comments) then happen on the runner's other core, during the
 * main thread's slow local work (reading and rendering a plan), instead of after it. Only the
 * five CommentApi calls cross the thread boundary; the upsert logic stays on the main thread.
 */
export interface CommentWorkerData {
  token: string
  owner: string
  repo: string
  author: string | undefined
  /** Read this PR's comments (and the identity) ahead of the first call for them. */
  prefetch: number | undefined
}

const METHODS = ['identity', 'listComments', 'createComment', 'updateComment', 'deleteComment'] as const
type Method = (typeof METHODS)[number]
const ROLE = 'infra-actions:comment-api'

interface Call {
  id: number
  method: Method
  args: unknown[]
}
type Reply = { id: number; value: unknown } | { id: number; error: { name: string; message: string; status: number | undefined } }

/**
 * A CommentApi served by a worker running `entry` (the action's own bundle, whose entry calls
 * `serveCommentApiIfWorker`). The worker never keeps the process alive on its own: a run that
 * fails before commenting exits without waiting for it. Should the worker not come up (the entry
 * is TypeScript run by a local tool, threads are unavailable), the calls are served on this
 * thread instead; once it has come up, its failure fails the calls (a create may have been sent).
 */
export function commentApiOnWorker(entry: URL, data: CommentWorkerData): CommentApi {
  const pending = new Map<number, { call: Call; resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let nextId = 0
  let ready = false
  let broken: unknown
  let local: CommentApi | undefined
  const inThread = (): CommentApi =>
    (local ??= octokitCommentApi(createGitHubClient(data.token), data.owner, data.repo, { author: data.author }))
  const serveLocally = (call: Call): Promise<unknown> => (inThread()[call.method] as (...a: unknown[]) => Promise<unknown>)(...call.args)

  let worker: Worker | undefined
  try {
    // A small young generation: the worker's own allocations are a few requests and replies.
    worker = new Worker(entry, { workerData: { role: ROLE, data }, resourceLimits: { maxYoungGenerationSizeMb: 4 } })
  } catch {
    worker = undefined
  }
  const settle = (id: number): { resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined => {
    const p = pending.get(id)
    pending.delete(id)
    if (pending.size === 0) worker?.unref()
    return p
  }
  const stopped = (error: unknown): void => {
    // 'error' is followed by 'exit': the first one decides.
    if (broken !== undefined) return
    if (!ready) {
      // It never served a call: serve everything here.
      core.debug(`The GitHub API worker thread did not start (${errorMessage(error)}); API calls run on the main thread.`)
      broken = LOCAL
      for (const [id, p] of [...pending]) {
        settle(id)
        serveLocally(p.call).then(p.resolve, p.reject)
      }
      return
    }
    broken = error
    for (const id of [...pending.keys()]) settle(id)?.reject(error)
  }
  if (worker) {
    worker.on('message', (reply: Reply | typeof READY) => {
      if (reply === READY) {
        ready = true
        return
      }
      const p = settle(reply.id)
      if ('error' in reply) p?.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, status: reply.error.status }))
      else p?.resolve(reply.value)
    })
    worker.on('error', stopped)
    worker.on('exit', (code) => stopped(new Error(`The GitHub API worker thread stopped (exit code ${code}).`)))
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref()
  } else {
    broken = LOCAL
  }
  const call = (method: Method, args: unknown[]): Promise<unknown> => {
    const c: Call = { id: nextId++, method, args }
    if (broken === LOCAL) return serveLocally(c)
    if (broken) return Promise.reject(broken)
    return new Promise((resolve, reject) => {
      pending.set(c.id, { call: c, resolve, reject })
      worker?.ref()
      worker?.postMessage(c)
    })
  }
  return Object.fromEntries(METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as CommentApi
}

const READY = 'ready'
/** Marks "serve on this thread" in place of a failure. */
const LOCAL = Symbol('local')

/** In a worker started by commentApiOnWorker: serve the calls and return true. Else false. */
export function serveCommentApiIfWorker(): boolean {
  const start = workerData as { role?: string; data?: CommentWorkerData } | null
  if (!parentPort || start?.role !== ROLE || !start.data) return false
  const port = parentPort
  const { token, owner, repo, author, prefetch } = start.data
  const api = octokitCommentApi(createGitHubClient(token), owner, repo, { author })
  // Reads started now, each answered once to the first identical call.
  const ahead = new Map<string, Promise<unknown>>()
  const keyOf = (method: Method, args: unknown[]): string => `${method}:${JSON.stringify(args)}`
  if (prefetch !== undefined) {
    ahead.set(keyOf('identity', []), api.identity())
    ahead.set(keyOf('listComments', [prefetch]), api.listComments(prefetch))
    // Their errors are reported to the call that takes them, not as unhandled rejections.
    for (const p of ahead.values()) p.catch(() => undefined)
  }
  port.on('message', ({ id, method, args }: Call) => {
    const key = keyOf(method, args)
    const early = ahead.get(key)
    ahead.delete(key)
    const work = early ?? (api[method] as (...a: unknown[]) => Promise<unknown>)(...args)
    work.then(
      (value) => port.postMessage({ id, value: value ?? null } satisfies Reply),
      (error: unknown) =>
        port.postMessage({
          id,
          error: { name: error instanceof Error ? error.name : 'Error', message: errorMessage(error), status: statusOf(error) },
        } satisfies Reply),
    )
  })
  port.postMessage(READY)
  return true
}
