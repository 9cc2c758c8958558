import { createRequire } from 'node:module'
import type { ActionContext } from '@infra-actions/common'
import { contextWithEvent } from './context.js'
import { runnerEnvForEvent } from '../../scripts/run-action.mjs'

// Real webhook payloads from @octokit/webhooks-examples (the same source as ../shared/corpus/events),
// and the runner variables a real run of that event has.
const require = createRequire(import.meta.url)
const examples = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, unknown>[] }[]

type Payload = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** A deep copy of the first real example of `event` (with `action`, or `where` true). */
export function realPayload(event: string, where: { action?: string; ref?: RegExp; test?: (p: Payload) => boolean } = {}): Payload {
  const found = examples
    .find((e) => e.name === event)
    ?.examples.find(
      (p) =>
        (where.action === undefined || p.action === where.action) &&
        (where.ref === undefined || where.ref.test(String(p.ref))) &&
        (where.test?.(p as Payload) ?? true),
    )
  if (!found) throw new Error(`no ${event} example with ${JSON.stringify(where)}`)
  return structuredClone(found) as Payload
}

/** The ActionContext the runner would give an action for this event and payload. */
export function contextFor(event: string, payload: Payload, env: Record<string, string> = {}): ActionContext {
  return contextWithEvent(payload, {
    GITHUB_RUN_ID: '777',
    GITHUB_SERVER_URL: 'https://github.com',
    ...runnerEnvForEvent(event, payload),
    ...env,
  })
}
