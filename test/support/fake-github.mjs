// A local stand-in for the parts of the GitHub REST API that infra-actions calls, on 127.0.0.1.
// Faithful where it matters to our code: status codes and error bodies (401, 403 for /user with
// an installation token, 404, 422 "Body is too long"), Link-header pagination (per_page <= 100),
// ETag / If-None-Match → 304, secondary rate limits (403 + retry-after) and 5xx faults that can
// fire before or *after* a write is applied (a timeout after success).
import http from 'node:http'
import { createHash } from 'node:crypto'
import { takeFault } from './faults.mjs'

const MAX_BODY = 65536

export class FakeGitHub {
  constructor(options = {}) {
    /** token → login for user tokens; any other token acts as an installation token. */
    this.userTokens = options.userTokens ?? {}
    this.appLogin = options.appLogin ?? 'github-actions[bot]'
    this.comments = new Map() // "owner/repo#n" -> comment[]
    this.issueEvents = new Map() // "owner/repo#n" -> event[]
    this.issueLabels = new Map() // "owner/repo#n" -> label names
    this.permissions = new Map() // "owner/repo:login" -> permission
    this.commitPulls = new Map() // "owner/repo@sha" -> pr[]
    this.pulls = new Map() // "owner/repo#n" -> { head: { ref, sha, repo: { full_name } }, user: { login } }
    this.reviews = new Map() // "owner/repo#n" -> review[] (oldest first)
    this.activities = new Map() // "owner/repo" -> activity[] (oldest first; served newest first)
    this.issues = new Map() // "owner/repo" -> issue[] (oldest first)
    this.nextIssue = 100
    this.faults = []
    this.requests = []
    this.nextId = 1000
    this.server = http.createServer((req, res) => this.handle(req, res))
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address()
    this.url = `http://127.0.0.1:${port}`
    return this
  }

  async stop() {
    this.server.closeAllConnections?.()
    await new Promise((resolve) => this.server.close(resolve))
  }

  issuesOf(owner, repo) {
    return this.issues.get(`${owner}/${repo}`) ?? []
  }

  /** Seed a comment as if someone wrote it. */
  addComment(owner, repo, issue, body, login) {
    const list = this.list(this.comments, `${owner}/${repo}#${issue}`)
    const comment = this.makeComment(owner, repo, issue, body, login)
    list.push(comment)
    return comment
  }

  commentsOf(owner, repo, issue) {
    return this.comments.get(`${owner}/${repo}#${issue}`) ?? []
  }

  /** A push to `ref` in `owner/repo`, recorded as the activity API reports it. */
  push(owner, repo, ref, after, { at = new Date().toISOString(), force = false, actor = 'alice', before = '0'.repeat(40) } = {}) {
    const list = this.list(this.activities, `${owner}/${repo}`)
    list.push({
      id: list.length + 1,
      node_id: `RA_${list.length + 1}`,
      before,
      after,
      ref: ref.startsWith('refs/') ? ref : `refs/heads/${ref}`,
      timestamp: at,
      activity_type: force ? 'force_push' : 'push',
      actor: { login: actor, id: actor.length, type: 'User' },
    })
  }

  fault(f) {
    this.faults.push({ times: 1, ...f })
  }

  list(map, key) {
    if (!map.has(key)) map.set(key, [])
    return map.get(key)
  }

  makeComment(owner, repo, issue, body, login) {
    const id = this.nextId++
    const now = new Date().toISOString()
    return {
      id,
      node_id: `IC_${id}`,
      url: `${this.url}/repos/${owner}/${repo}/issues/comments/${id}`,
      html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${id}`,
      issue_url: `${this.url}/repos/${owner}/${repo}/issues/${issue}`,
      body,
      user: { login, id: login.length, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
      created_at: now,
      updated_at: now,
      author_association: login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    }
  }

  async handle(req, res) {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const raw = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url, this.url)
    const method = req.method
    const record = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw ? safeJson(raw) : undefined,
      headers: req.headers,
    }
    this.requests.push(record)
    const fault = takeFault(this.faults, method, url.pathname)
    const send = (status, body, headers = {}) => {
      if (fault?.after) return this.sendFault(res, fault)
      const text = body === undefined ? '' : JSON.stringify(body)
      const etag = `W/"${createHash('sha1').update(text).digest('hex')}"`
      if (method === 'GET' && status === 200 && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, ...rateHeaders() })
        return res.end()
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', etag, ...rateHeaders(), ...headers })
      res.end(text)
    }
    if (fault && !fault.after) return this.sendFault(res, fault)
    const auth = req.headers.authorization ?? ''
    const token = auth.replace(/^(token|bearer)\s+/i, '')
    if (!token) return send(401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' })
    try {
      this.route(method, url, record.body, token, send)
    } catch (error) {
      send(500, { message: String(error) })
    }
  }

  sendFault(res, fault) {
    if (fault.hangMs) {
      setTimeout(() => {
        if (!res.writableEnded && !res.destroyed) res.destroy()
      }, fault.hangMs)
      return
    }
    res.writeHead(fault.status ?? 502, { 'content-type': 'application/json', ...(fault.headers ?? {}) })
    res.end(JSON.stringify(fault.body ?? { message: 'Server Error' }))
  }

  route(method, url, body, token, send) {
    const p = url.pathname
    let m
    if (method === 'GET' && p === '/user') {
      const login = this.userTokens[token]
      if (!login)
        return send(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          status: '403',
        })
      return send(200, { login, id: 1, type: 'User' })
    }
    const login = this.userTokens[token] ?? this.appLogin
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(p))) {
      const [, owner, repo, issue] = m
      const list = this.list(this.comments, `${owner}/${repo}#${issue}`)
      if (method === 'GET') return this.paginate(url, list, send)
      if (method === 'POST') {
        if (typeof body?.body !== 'string') return send(422, { message: 'Invalid request.\n\n"body" wasn\'t supplied.', status: '422' })
        if (body.body.length > MAX_BODY) {
          return send(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'IssueComment',
                code: 'unprocessable',
                field: 'data',
                message: `Body is too long (maximum is ${MAX_BODY} characters)`,
              },
            ],
            documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
            status: '422',
          })
        }
        const comment = this.makeComment(owner, repo, issue, body.body, login)
        list.push(comment)
        return send(201, comment, { location: comment.url })
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(p))) {
      const [, owner, repo, id] = m
      const found = this.findComment(owner, repo, Number(id))
      if (!found)
        return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/comments', status: '404' })
      const { list, comment } = found
      if (method === 'GET') return send(200, comment)
      // As on GitHub, a token with write access may edit and delete anyone's comment: only our
      // code's author check keeps it away from comments it did not write.
      if (method === 'PATCH') {
        if (typeof body?.body === 'string' && body.body.length > MAX_BODY) {
          return send(422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'IssueComment',
                code: 'unprocessable',
                field: 'data',
                message: `Body is too long (maximum is ${MAX_BODY} characters)`,
              },
            ],
            status: '422',
          })
        }
        comment.body = body.body
        comment.updated_at = new Date().toISOString()
        return send(200, comment)
      }
      if (method === 'DELETE') {
        list.splice(list.indexOf(comment), 1)
        return send(204, undefined)
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/events$/.exec(p)) && method === 'GET') {
      return this.paginate(url, this.list(this.issueEvents, `${m[1]}/${m[2]}#${m[3]}`), send)
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/.exec(p)) && method === 'GET') {
      const names = this.list(this.issueLabels, `${m[1]}/${m[2]}#${m[3]}`)
      return this.paginate(
        url,
        names.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
        send,
      )
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/.exec(p)) && method === 'GET') {
      const user = decodeURIComponent(m[3])
      const permission = this.permissions.get(`${m[1]}/${m[2]}:${user}`)
      if (!permission) return send(404, { message: `${user} is not a user`, status: '404' })
      const role = { admin: 'admin', maintain: 'maintain', write: 'write', triage: 'triage', read: 'read' }[permission]
      const legacy = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' }[permission] ?? 'none'
      return send(200, { permission: legacy, role_name: role, user: { login: user } })
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(p))) {
      const [, owner, repo] = m
      const list = this.list(this.issues, `${owner}/${repo}`)
      if (method === 'GET') {
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean)
        const state = url.searchParams.get('state') ?? 'open'
        const found = list.filter(
          (i) =>
            (state === 'all' || i.state === state) && labels.every((l) => i.labels.some((x) => x.name.toLowerCase() === l.toLowerCase())),
        )
        const desc = (url.searchParams.get('direction') ?? 'desc') === 'desc'
        return this.paginate(url, desc ? [...found].reverse() : found, send)
      }
      if (method === 'POST') {
        if (typeof body?.title !== 'string' || !body.title)
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
            status: '422',
          })
        if (body.title.length > 256)
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code: 'custom', field: 'title', message: 'title is too long (maximum is 256 characters)' }],
            status: '422',
          })
        if (typeof body.body === 'string' && body.body.length > MAX_BODY) {
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Issue', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY} characters)` }],
            status: '422',
          })
        }
        const number = this.nextIssue++
        const now = new Date().toISOString()
        // As on GitHub, labels that do not exist yet are created with the issue.
        const issue = {
          id: number * 10,
          number,
          title: body.title,
          body: body.body ?? null,
          state: 'open',
          state_reason: null,
          labels: (body.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed' })),
          user: { login, id: login.length, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
          html_url: `https://github.com/${owner}/${repo}/issues/${number}`,
          created_at: now,
          updated_at: now,
        }
        list.push(issue)
        return send(201, issue, { location: `${this.url}/repos/${owner}/${repo}/issues/${number}` })
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(p)) && (method === 'PATCH' || method === 'GET')) {
      const issue = this.list(this.issues, `${m[1]}/${m[2]}`).find((i) => i.number === Number(m[3]))
      if (!issue) return send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/issues/issues', status: '404' })
      if (method === 'PATCH') {
        if (typeof body?.body === 'string') {
          if (body.body.length > MAX_BODY) return send(422, { message: 'Validation Failed', status: '422' })
          issue.body = body.body
        }
        if (body?.state === 'open' || body?.state === 'closed') {
          issue.state = body.state
          issue.state_reason = body.state === 'closed' ? (body.state_reason ?? 'completed') : 'reopened'
        }
        issue.updated_at = new Date().toISOString()
      }
      return send(200, issue)
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(p)) && method === 'GET') {
      const pr = this.pulls.get(`${m[1]}/${m[2]}#${m[3]}`)
      if (!pr)
        return send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
          status: '404',
        })
      return send(200, { number: Number(m[3]), state: 'open', base: { ref: 'main', repo: { full_name: `${m[1]}/${m[2]}` } }, ...pr })
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/reviews$/.exec(p)) && method === 'GET') {
      return this.paginate(url, this.list(this.reviews, `${m[1]}/${m[2]}#${m[3]}`), send)
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/activity$/.exec(p)) && method === 'GET') {
      // Newest first (direction=desc), cursor pagination through `after` in the Link header, as GitHub does.
      const ref = url.searchParams.get('ref')
      const all = [...this.list(this.activities, `${m[1]}/${m[2]}`)]
        .reverse()
        .filter((a) => !ref || a.ref === ref || a.ref === `refs/heads/${ref}`)
      const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page')) || 30))
      const after = url.searchParams.get('after')
      const start = after ? Number(Buffer.from(after, 'base64url').toString()) : 0
      const page = all.slice(start, start + perPage)
      const headers = {}
      if (start + perPage < all.length) {
        const next = new URL(url)
        next.searchParams.set('after', Buffer.from(String(start + perPage)).toString('base64url'))
        headers.link = `<${next}>; rel="next"`
      }
      return send(200, page, headers)
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/pulls$/.exec(p)) && method === 'GET') {
      return this.paginate(url, this.commitPulls.get(`${m[1]}/${m[2]}@${m[3]}`) ?? [], send)
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
  }

  findComment(owner, repo, id) {
    for (const [key, list] of this.comments) {
      if (!key.startsWith(`${owner}/${repo}#`)) continue
      const comment = list.find((c) => c.id === id)
      if (comment) return { list, comment }
    }
    return undefined
  }

  paginate(url, items, send) {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page')) || 30))
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1)
    const last = Math.max(1, Math.ceil(items.length / perPage))
    const link = (n, rel) => {
      const u = new URL(url)
      u.searchParams.set('per_page', String(perPage))
      u.searchParams.set('page', String(n))
      return `<${u}>; rel="${rel}"`
    }
    const links = []
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    send(200, items.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {})
  }
}

function rateHeaders() {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-github-api-version-selected': '2022-11-28',
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
