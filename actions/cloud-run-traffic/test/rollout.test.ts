import { describe, expect, it } from 'vitest'
import { Inputs } from '@infra-actions/common'
import type { CloudRunApi, Service, TrafficUpdate } from '../src/cloud-run.js'
import { Rollout, SAVED, tokenPolicy, type RolloutDeps } from '../src/cloud-run-traffic.js'
import { waitForOperation } from '../src/apply.js'
import { GoogleApiError } from '../src/google-api.js'
import { restoreUnfinished } from '../src/restore.js'
import { readSettings } from '../src/settings.js'
import { STATE_ANNOTATION, decodeState, encodeState } from '../src/state.js'
import { REVISION, type ApiTrafficTarget } from '../src/traffic.js'

const NAME = 'projects/p/locations/europe-west1/services/api'
const START: ApiTrafficTarget[] = [{ type: REVISION, revision: 'old', percent: 100 }]

/** An in-memory Cloud Run: updates apply and settle at once; every call is recorded. */
function memoryApi(traffic: ApiTrafficTarget[] = START, annotations: Record<string, string> = {}) {
  let generation = 1
  const statuses = (list: ApiTrafficTarget[]) => list.map((t) => (t.tag ? { ...t, uri: `https://${t.tag}---api.example` } : t))
  const service: Service = {
    name: NAME,
    etag: '"1"',
    generation: '1',
    observedGeneration: '1',
    reconciling: false,
    latestReadyRevision: `${NAME}/revisions/new`,
    traffic,
    trafficStatuses: statuses(traffic),
    uri: 'https://api.example',
    annotations,
  }
  const updates: (TrafficUpdate & { validateOnly?: boolean })[] = []
  const api: CloudRunApi = {
    getService: async () => structuredClone(service),
    updateTraffic: async (_name, update, options = {}) => {
      updates.push({ ...structuredClone(update), validateOnly: options.validateOnly })
      if (options.validateOnly) return { done: true }
      if (update.etag && update.etag !== service.etag) throw new GoogleApiError('conflict', 409, 'ABORTED', 'etag')
      generation++
      Object.assign(service, {
        traffic: update.traffic,
        trafficStatuses: statuses(update.traffic),
        annotations: update.annotations ?? service.annotations,
        generation: String(generation),
        observedGeneration: String(generation),
        etag: `"${generation}"`,
      })
      return { name: 'op', done: true }
    },
    waitOperation: async () => ({ done: true }),
    getRevision: async (name) => ({ name, conditions: [{ type: 'Ready', state: 'CONDITION_SUCCEEDED' }] }),
  }
  return { api, service, updates }
}

function deps(api: CloudRunApi, overrides: Partial<RolloutDeps> = {}) {
  const state = new Map<string, string>()
  const logs: string[] = []
  let clock = 1_700_000_000_000
  const d: RolloutDeps = {
    api,
    metrics: undefined,
    fetch: (async () => new Response('ok')) as typeof fetch,
    mintIdToken: undefined,
    now: () => (clock += 10),
    sleep: async () => {},
    retryBaseMs: 1,
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`), debug: () => {}, group: (_n, fn) => fn() },
    saveState: (k, v) => state.set(k, v),
    writeSummary: async () => {},
    project: 'p',
    run: { id: '7', url: undefined },
    ...overrides,
  }
  return { d, state, logs }
}

// Metric checks over a 1-minute interval: below Cloud Monitoring's real minimum, as the tests' knob allows.
process.env.INFRA_ACTIONS_MIN_METRICS_INTERVAL_MS = '0'
const settings = (values: Record<string, string> = {}) =>
  readSettings(Inputs.of({ service: 'api', region: 'europe-west1', interval: '1m', ...values }))

describe('Rollout', () => {
  it('promotes step by step and tells the post step it finished', async () => {
    const { api, updates } = memoryApi()
    const { d, state } = deps(api)
    const result = await new Rollout(settings({ strategy: 'rolling' }), d).run()
    expect(result.outputs.result).toBe('promoted')
    expect(updates.map((u) => u.traffic.find((t) => t.revision === 'new')?.percent)).toEqual([25, 50, 100])
    expect(decodeState(updates[0]!.annotations?.[STATE_ANNOTATION])).toMatchObject({ revision: 'new', percent: 25, run: '7' })
    expect(updates[2]!.annotations).toEqual({})
    expect(state.get(SAVED.finished)).toBe('promoted')
    expect(JSON.parse(state.get(SAVED.rollout)!)).toMatchObject({ service: NAME, revision: 'new', run: '7' })
  })

  it('cancel() sends the restoring update at once, without waiting for the bake or the rollout', async () => {
    const { api, updates } = memoryApi()
    let baking: () => void = () => {}
    const bakeStarted = new Promise<void>((r) => (baking = r))
    const sleep = (ms: number, signal?: AbortSignal) =>
      ms < 60_000
        ? Promise.resolve()
        : new Promise<void>((_, reject) => {
            baking()
            signal?.addEventListener('abort', () => reject(signal.reason))
          })
    const { d, state } = deps(api, { sleep })
    const rollout = new Rollout(settings(), d)
    const done = rollout.run()
    await bakeStarted
    expect(updates).toHaveLength(1)
    rollout.cancel('SIGINT')
    expect(updates).toHaveLength(2)
    expect(updates[1]).toMatchObject({ traffic: START, annotations: {} })
    // Conditional on the last read (after step 1): a split someone changed meanwhile is not overwritten.
    expect(updates[1]!.etag).toBe('"2"')
    const result = await done
    expect(result.outputs.result).toBe('rolled-back')
    expect(result.failure).toBe('The job was cancelled (SIGINT) at step 1/2 (5%); the starting split is restored: old 100%.')
    expect(state.get(SAVED.finished)).toBe('rolled-back')
  })

  it('cancel() with an update of the rollout in flight restores at once, unconditionally (its etag is stale anyway)', async () => {
    const { api, updates } = memoryApi()
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let sent = () => {}
    const inFlight = new Promise<void>((resolve) => (sent = resolve))
    const update = api.updateTraffic
    api.updateTraffic = async (name, u, options) => {
      if (updates.length === 0) {
        sent()
        await held
      }
      return update(name, u, options)
    }
    const rollout = new Rollout(settings({ steps: '100' }), deps(api).d)
    const done = rollout.run()
    await inFlight
    rollout.cancel('SIGINT')
    release()
    const result = await done
    const restore = updates.find((u) => u.traffic.every((t) => t.revision !== 'new' || t.percent === 0))!
    expect(restore).toMatchObject({ traffic: START })
    expect(restore.etag).toBeUndefined()
    expect(result.outputs.result).toBe('rolled-back')
  })

  it("shows a health-check-url's query without its values (a token can ride there), in the log and the failure", async () => {
    const { api } = memoryApi()
    const { d, logs } = deps(api, { fetch: (async () => new Response('', { status: 500 })) as typeof fetch })
    const result = await new Rollout(
      settings({ 'health-check-url': 'https://api.example/health?token=s3cr3t-value&deep=1', 'health-check-attempts': '1' }),
      d,
    ).run()
    expect(result.failure).toContain('(https://api.example/health?token=…&deep=…: 500 after 1 attempt)')
    expect(`${result.failure} ${logs.join('\n')}`).not.toContain('s3cr3t-value')
    // A bare query, a fragment and a `;` parameter can carry one as well.
    for (const url of [
      'https://api.example/health?SECRETTOK',
      'https://api.example/health#SECRETTOK',
      'https://api.example/health;t=SECRETTOK',
    ]) {
      const run = deps(memoryApi().api, { fetch: (async () => new Response('', { status: 500 })) as typeof fetch })
      const r = await new Rollout(settings({ 'health-check-url': url, 'health-check-attempts': '1' }), run.d).run()
      expect(`${r.failure} ${run.logs.join('\n')}`).not.toContain('SECRETTOK')
    }
  })

  it('waits for a probe as long as health-check-timeout says (a slow cold start), and no longer', async () => {
    // Answers after 150 ms of real time, or never when the probe gives up first.
    const slow = (async (_url: string, init: RequestInit) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 150)
        init.signal?.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(init.signal?.reason)
        })
      })
      return new Response('ok')
    }) as typeof fetch
    const patient = await new Rollout(
      settings({ 'health-check-timeout': '2s', 'health-check-attempts': '1' }),
      deps(memoryApi().api, { fetch: slow }).d,
    ).run()
    expect(patient.outputs.result).toBe('promoted')
    const hasty = await new Rollout(
      settings({ 'health-check-timeout': '20ms', 'health-check-attempts': '1' }),
      deps(memoryApi().api, { fetch: slow }).d,
    ).run()
    expect(hasty.outputs.result).toBe('rolled-back')
    expect(hasty.failure).toMatch(/no answer/)
  })

  it('a bug after the first change still rolls back, and is reported as one', async () => {
    const { api, service } = memoryApi()
    const { d } = deps(api, {
      metrics: {
        revisionMetrics: async () => {
          throw new TypeError('x is undefined')
        },
      },
    })
    const result = await new Rollout(settings({ 'max-error-rate': '1%' }), d).run()
    expect(result.outputs.result).toBe('rolled-back')
    expect(result.error).toBeInstanceOf(TypeError)
    expect(result.failure).toMatch(/^x is undefined \(a bug in this action\) The starting split is restored/)
    expect(service.traffic).toEqual(START)
  })

  it('with rollback: false, a failed probe leaves the split', async () => {
    const { api, service } = memoryApi()
    const { d, state } = deps(api, { fetch: (async () => new Response('down', { status: 500 })) as typeof fetch })
    const result = await new Rollout(settings({ rollback: 'false', 'health-check-attempts': '1' }), d).run()
    expect(result.outputs.result).toBe('failed')
    expect(result.failure).toMatch(/answered 500 after 1 attempt\. The split is left as it is \(rollback: false\)\./)
    expect(service.traffic?.find((t) => t.revision === 'new')?.percent).toBe(5)
    expect(state.get(SAVED.finished)).toBe('failed')
  })

  it('a dry run cancelled on a service with an interrupted rollout changes nothing', async () => {
    const interrupted = encodeState({
      v: 1,
      revision: 'new',
      tag: 'canary',
      start: [{ revision: 'old', percent: 100 }],
      percent: 25,
      run: '6',
      at: '',
    })
    const { api, updates } = memoryApi(
      [
        { type: REVISION, revision: 'old', percent: 75 },
        { type: REVISION, revision: 'new', percent: 25, tag: 'canary' },
      ],
      { [STATE_ANNOTATION]: interrupted },
    )
    let validating: () => void = () => {}
    const started = new Promise<void>((r) => (validating = r))
    const blocking: CloudRunApi = {
      ...api,
      updateTraffic: async (name, update, options) => {
        validating()
        await new Promise((r) => setTimeout(r, 20))
        return api.updateTraffic(name, update, options)
      },
    }
    const { d } = deps(blocking)
    const rollout = new Rollout(settings({ 'dry-run': 'true' }), d)
    const done = rollout.run()
    await started
    rollout.cancel('SIGINT')
    await done.catch(() => undefined)
    expect(updates.every((u) => u.validateOnly)).toBe(true)
  })

  it("a rollback that finds someone else's split leaves it, and tells the post step to leave it too", async () => {
    const { api, service } = memoryApi()
    const { d, state } = deps(api, {
      // The probe at 5% fails; meanwhile someone set the split by hand.
      fetch: (async () => {
        service.traffic = [
          { type: REVISION, revision: 'old', percent: 50 },
          { type: REVISION, revision: 'hotfix', percent: 50 },
        ]
        return new Response('', { status: 500 })
      }) as typeof fetch,
    })
    const result = await new Rollout(settings({ 'health-check-attempts': '1' }), d).run()
    expect(result.outputs.result).toBe('failed')
    expect(result.failure).toMatch(/Someone else changed the traffic of api/)
    expect(state.get(SAVED.finished)).toBe('failed')
    expect(service.traffic?.map((t) => t.revision)).toEqual(['old', 'hotfix'])
    // The outputs say the split the service holds, not the one the rollout last wrote.
    expect(JSON.parse(result.outputs.traffic!)).toEqual([
      { type: REVISION, revision: 'old', percent: 50 },
      { type: REVISION, revision: 'hotfix', percent: 50 },
    ])
  })

  it('without input revision, refuses a service whose newest revision is not ready (latest ready is an older one)', async () => {
    const { api, service, updates } = memoryApi()
    service.latestCreatedRevision = `${NAME}/revisions/broken`
    const { d } = deps(api)
    await expect(new Rollout(settings(), d).run()).rejects.toThrow(
      "The newest revision of api, broken, is not ready (the latest ready one is new): its deploy failed or is still starting. Name the revision to shift to in input 'revision'.",
    )
    expect(updates).toEqual([])
    // Named, the ready one is shifted to as asked.
    expect((await new Rollout(settings({ revision: 'new' }), deps(api).d).run()).outputs.result).toBe('promoted')
  })

  it("a service whose last update failed before this run is refused as such, not as this run's failure", async () => {
    const { api, service, updates } = memoryApi()
    Object.assign(service, {
      generation: '4',
      observedGeneration: '3',
      terminalCondition: { type: 'Ready', state: 'CONDITION_FAILED', reason: 'RevisionFailed', message: 'Revision old-00003 is not ready' },
    })
    await expect(new Rollout(settings(), deps(api).d).run()).rejects.toThrow(
      /^Before this run, the last update of api failed \(RevisionFailed: Revision old-00003 is not ready\); nothing was changed\. Fix the service .* and run again\.$/,
    )
    expect(updates).toEqual([])
  })

  it('a failed pre-flight probe of an existing tag URL changes nothing', async () => {
    const { api, updates } = memoryApi([
      { type: REVISION, revision: 'old', percent: 100 },
      { type: REVISION, revision: 'new', percent: 0, tag: 'canary' },
    ])
    const { d } = deps(api, { fetch: (async () => new Response('', { status: 503 })) as typeof fetch })
    const result = await new Rollout(settings({ 'health-check-attempts': '2' }), d).run()
    expect(result.failure).toMatch(/fails its health probe before any traffic is shifted .*503 after 2 attempts\); nothing was changed\./)
    expect(updates).toEqual([])
  })
})

describe('restoreUnfinished (the post step)', () => {
  const saved = { service: NAME, start: [{ revision: 'old', percent: 100 }], revision: 'new', run: '7' }
  const state = (run: string) => encodeState({ v: 1, revision: 'new', tag: 'canary', start: saved.start, percent: 25, run, at: '' })
  const midway: ApiTrafficTarget[] = [
    { type: REVISION, revision: 'old', percent: 75 },
    { type: REVISION, revision: 'new', percent: 25, tag: 'canary' },
  ]
  const restoreDeps = (api: CloudRunApi, said: string[]) => ({
    api,
    now: Date.now,
    sleep: async () => {},
    debug: () => {},
    retryBaseMs: 1,
    info: (m: string) => said.push(m),
    warning: (m: string) => said.push(`warning: ${m}`),
  })

  it('restores the starting split of its own unfinished rollout', async () => {
    const { api, service } = memoryApi(midway, { [STATE_ANNOTATION]: state('7'), team: 'x' })
    const said: string[] = []
    expect(await restoreUnfinished(saved, restoreDeps(api, said))).toBe('restored')
    expect(service.traffic).toEqual(START)
    expect(service.annotations).toEqual({ team: 'x' })
  })

  it('leaves a service another run has taken over', async () => {
    const { api, updates } = memoryApi(midway, { [STATE_ANNOTATION]: state('8') })
    const said: string[] = []
    expect(await restoreUnfinished(saved, restoreDeps(api, said))).toBe('left')
    expect(updates).toEqual([])
    expect(said[0]).toMatch(/^warning: The rollout of new did not finish, but api's traffic is no longer this run's/)
  })

  it('leaves a split changed by hand since, though our annotation is still on the service', async () => {
    const byHand: ApiTrafficTarget[] = [
      { type: REVISION, revision: 'old', percent: 50 },
      { type: REVISION, revision: 'hotfix', percent: 50 },
    ]
    const { api, updates, service } = memoryApi(byHand, { [STATE_ANNOTATION]: state('7') })
    const said: string[] = []
    expect(await restoreUnfinished(saved, restoreDeps(api, said))).toBe('left')
    expect(updates).toEqual([])
    expect(service.traffic).toEqual(byHand)
  })

  it('only confirms a split already restored', async () => {
    const { api, updates } = memoryApi(START)
    expect(await restoreUnfinished(saved, restoreDeps(api, []))).toBe('in-place')
    expect(updates).toEqual([])
  })
})

describe('waitForOperation', () => {
  const base = { now: Date.now, debug: () => {}, retryBaseMs: 10 }
  it('spaces its :wait calls when the API answers at once (best effort), instead of spinning', async () => {
    let calls = 0
    const sleeps: number[] = []
    const api = { waitOperation: async () => ({ name: 'op', done: ++calls >= 5 }) } as unknown as CloudRunApi
    await waitForOperation({ ...base, api, sleep: async (ms) => void sleeps.push(ms) }, { name: 'op', done: false }, Date.now() + 60_000)
    expect(calls).toBe(5)
    expect(sleeps).toHaveLength(4)
    expect(sleeps.every((ms) => ms > 0)).toBe(true)
  })

  it('leaves the wait to the service read when :wait is not implemented (501)', async () => {
    const api = {
      waitOperation: async () => {
        throw new GoogleApiError('not implemented', 501, 'UNIMPLEMENTED', 'wait')
      },
    } as unknown as CloudRunApi
    await expect(
      waitForOperation({ ...base, api, sleep: async () => {} }, { name: 'op', done: false }, Date.now() + 60_000),
    ).resolves.toBeUndefined()
  })
})

describe('tokenPolicy: where an ID token may go', () => {
  const service = {
    name: NAME,
    uri: 'https://api-abc-ew.a.run.app',
    trafficStatuses: [{ type: REVISION, revision: 'new', percent: 5, tag: 'canary', uri: 'https://canary---api-abc-ew.a.run.app' }],
  } as Service
  it.each([
    ['https://canary---api-abc-ew.a.run.app/healthz', 'any'],
    ['https://api-abc-ew.a.run.app/', 'any'],
    ['https://api.example.com/healthz', 'given'],
    ['http://api.example.com/healthz', 'none'],
    ['http://127.0.0.1:8080/_run/api', 'given'],
  ] as const)('%s → %s', (url, policy) => expect(tokenPolicy(url, service)).toBe(policy))
})
