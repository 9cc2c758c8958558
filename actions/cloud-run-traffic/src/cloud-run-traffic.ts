import { ActionError, ConfigurationError, ServiceError, errorMessage, isActionError } from '@infra-actions/common'
import {
  ForeignChangeError,
  ServiceFailedError,
  applySplit,
  isConflict,
  splitOf,
  waitForOperation,
  waitForSplit,
  type ApplyDeps,
} from './apply.js'
import { readiness, type CloudRunApi, type Operation, type Service } from './cloud-run.js'
import { judge, metricsWanted, type Judgement, type Limits } from './judge.js'
import type { MetricsApi, RevisionMetrics } from './monitoring.js'
import { probe, type ProbeResult } from './probe.js'
import type { CloudRunTrafficSettings } from './settings.js'
import { STATE_ANNOTATION, decodeState, withState, type RolloutState } from './state.js'
import { renderSummary, type Result, type TimelineRow } from './timeline.js'
import { describeSplit, sameSplit, shareOf, shortName, stepSplit, toApi, type Target } from './traffic.js'

export interface Log {
  info: (message: string) => void
  warning: (message: string) => void
  debug: (message: string) => void
  /** Runs `fn` inside a collapsed log group. */
  group: <T>(name: string, fn: () => Promise<T>) => Promise<T>
}

export interface RolloutDeps {
  api: CloudRunApi
  /** Cloud Monitoring; undefined when no metric check is asked for. */
  metrics: MetricsApi | undefined
  /** For the health probes. */
  fetch: typeof fetch
  /** Mints an ID token for an audience; undefined when the credentials name no service account. */
  mintIdToken: ((audience: string) => Promise<string | undefined>) | undefined
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  retryBaseMs: number
  log: Log
  /** `core.saveState`: what the post step reads. */
  saveState: (name: string, value: string) => void
  writeSummary: (markdown: string) => Promise<unknown>
  project: string
  /** This run (`GITHUB_RUN_ID`) and its URL, recorded in the state annotation. */
  run: { id: string; url: string | undefined }
}

export const OUTPUTS = ['revision', 'previous-traffic', 'traffic', 'result', 'url', 'tag-url'] as const
export type Outputs = Record<(typeof OUTPUTS)[number], string>

export interface RolloutResult {
  outputs: Outputs
  /** The step fails with this message. */
  failure: string | undefined
  /** A bug (not an ActionError) met after the rollback: run() reports it as one. */
  error?: unknown
}

/** What the post step needs to restore the split when the main step did not finish. */
export interface SavedRollout {
  service: string
  start: Target[]
  revision: string
  run: string
}

/** The names under which the main step saves state (`core.saveState`) for the post step. */
export const SAVED = { rollout: 'rollout', finished: 'finished' } as const

/** How long one update (its operation and the reconciliation) may take. */
export const UPDATE_DEADLINE_MS = 10 * 60_000
/** After a cancellation: how long the restoring update is awaited before the post step takes over. */
export const CANCEL_CONFIRM_MS = 6_000

/** A probe or metric check failed: the rollout stops and rolls back. */
class CheckFailed extends ActionError {
  override readonly name: string = 'CheckFailed'
}

/** The job is being cancelled (SIGINT/SIGTERM). */
class Cancelled extends ActionError {
  override readonly name: string = 'Cancelled'
}

interface Step {
  percent: number
  /** Resumed: the split is already in place; bake and check it before going on. */
  bakeOnly: boolean
}

/**
 * One rollout: pre-flight checks (nothing changes until they pass), then each step's update,
 * probes, bake and metric checks, and on any failure the starting split restored. `cancel()`
 * is what the signal handlers call: it sends the restoring update at once and stops the rollout.
 */
export class Rollout {
  private readonly abort = new AbortController()
  private readonly applyDeps: ApplyDeps
  private readonly rows: TimelineRow[] = []
  private readonly name: string
  private cancelledBy: string | undefined
  private restoring: Promise<Operation> | undefined
  private hurry: () => void = () => {}
  private readonly hurried = new Promise<void>((resolve) => (this.hurry = resolve))
  /** The split a rollback restores, once known. */
  private start: Target[] = []
  /** Splits this rollout wrote or tried to write (and the one it started from). */
  private readonly known: Target[][] = []
  /** The service's other annotations, as last read (an update replaces the whole map). */
  private annotations: Record<string, string> | undefined
  private touched = false
  /** An update of the rollout is in flight (sent, or about to be, and not yet served). */
  private updating = false
  private finished = false
  private service: Service | undefined
  private revision = ''
  private tagUrl: string | undefined
  /** The split someone else set, when a ForeignChangeError stopped the rollout: what the service holds. */
  private foreign: Target[] | undefined
  private stepLabel = 'before the first step'
  /** The `id-token` input, or the last token minted for the probes. */
  private idToken: string | undefined

  constructor(
    private readonly settings: CloudRunTrafficSettings,
    private readonly deps: RolloutDeps,
  ) {
    this.name = `projects/${deps.project}/locations/${settings.region}/services/${settings.service}`
    this.idToken = settings.idToken
    this.applyDeps = { api: deps.api, now: deps.now, sleep: deps.sleep, debug: deps.log.debug, retryBaseMs: deps.retryBaseMs }
  }

  /**
   * The job is being cancelled. The first signal sends the restoring update at once (not
   * waiting for it) and stops the rollout; a second one stops waiting for the update to settle:
   * the post step checks it.
   */
  cancel(signal: string): void {
    if (this.finished) return
    if (this.cancelledBy) {
      this.deps.log.warning(`Received ${signal}: not waiting any longer for the restoring update; the post step checks it.`)
      this.hurry()
      return
    }
    this.cancelledBy = signal
    // A dry run changes nothing, not even when cancelled.
    if (this.touched && this.settings.rollback && !this.settings.dryRun) {
      this.deps.log.warning(
        `Received ${signal}: the job is being cancelled; restoring the starting split now (${describeSplit(this.start)}).`,
      )
      // Conditional on the last read when nothing of ours is in flight: a split or annotations
      // someone changed meanwhile (a hotfix by hand) answer 409, and are then read and left.
      // With an update of ours in flight that etag is stale anyway, and a read first could take
      // longer than the runner waits (the last step drops the state annotation the post step
      // goes by): then it is sent at once, unconditional, as the rollout's own split to undo.
      this.restoring = this.deps.api.updateTraffic(this.name, {
        traffic: toApi(this.start),
        annotations: withState(this.annotations, undefined),
        ...(this.updating ? {} : { etag: this.service?.etag }),
      })
      this.restoring.catch(() => {})
    } else {
      this.deps.log.warning(
        `Received ${signal}: the job is being cancelled${this.touched ? ' (rollback: false, the split is left as it is)' : '; nothing was changed'}.`,
      )
    }
    this.abort.abort(new Cancelled(`The job was cancelled (${signal})`))
  }

  async run(): Promise<RolloutResult> {
    const s = this.settings
    const service = await this.readService()
    const revision = s.revision ?? shortName(service.latestReadyRevision ?? '')
    if (!revision) throw new ConfigurationError(`Service ${s.service} has no ready revision to shift traffic to.`)
    // The newest revision failed (or is still starting): "latest ready" is an older one, and
    // shifting to it would report a deploy that did not happen as promoted.
    const newest = shortName(service.latestCreatedRevision ?? '')
    if (s.revision === undefined && newest && newest !== revision)
      throw new ConfigurationError(
        `The newest revision of ${s.service}, ${newest}, is not ready (the latest ready one is ${revision}): its deploy failed or is still starting. ` +
          "Name the revision to shift to in input 'revision'.",
      )
    this.revision = revision
    await this.checkRevision(revision)
    const current = splitOf(service)
    const { start, from } = this.resumePoint(service, current, revision)
    this.start = start
    this.known.push(current)
    const steps: Step[] = [
      ...(from > 0 && from < 100 ? [{ percent: from, bakeOnly: true }] : []),
      ...s.steps.filter((p) => p > from).map((p) => ({ percent: p, bakeOnly: false })),
    ]
    this.deps.log.info(
      `Service ${s.service} (${this.deps.project}, ${s.region}): ${describeSplit(current)}. New revision ${revision}; steps ${steps.map((x) => `${x.percent}%`).join(' → ') || 'none'}${s.dryRun ? ' (dry run)' : ''}.`,
    )
    this.row(current, '', '', from >= 100 ? 'already at 100%' : 'start')
    if (s.dryRun) return this.dryRun(service, steps)
    if (from >= 100) return this.alreadyPromoted(service)
    const early = await this.preflightProbe(service)
    if (early) return early
    this.deps.saveState(
      SAVED.rollout,
      JSON.stringify({ service: this.name, start, revision, run: this.deps.run.id } satisfies SavedRollout),
    )
    try {
      for (const [i, step] of steps.entries()) {
        this.stepLabel = `step ${i + 1}/${steps.length} (${step.percent}%)`
        await this.deps.log.group(
          `Step ${i + 1}/${steps.length}: ${step.percent}% to ${revision}${step.bakeOnly ? ' (resumed)' : ''}`,
          () => this.step(step),
        )
      }
      this.finish('promoted')
      // Awaited here, so a failure to write the summary is not taken for a failed rollout.
      return await this.done('promoted', undefined)
    } catch (error) {
      return this.failed(error)
    }
  }

  /** The service, or a clear error when it is missing; waits for an update in progress to settle. */
  private async readService(): Promise<Service> {
    let service: Service
    try {
      service = await this.deps.api.getService(this.name)
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404) {
        throw new ConfigurationError(
          `Cloud Run service ${this.settings.service} was not found in project ${this.deps.project}, region ${this.settings.region}.`,
        )
      }
      throw error
    }
    if (service.reconciling || service.observedGeneration !== service.generation) {
      this.deps.log.info(`${this.settings.service} is reconciling an earlier update; waiting for it to settle first.`)
      try {
        service = await waitForSplit(this.applyDeps, this.name, splitOf(service), this.deps.now() + UPDATE_DEADLINE_MS)
      } catch (error) {
        // Said as what it is: someone else's update, before this run changed anything.
        if (error instanceof ServiceFailedError)
          throw new ServiceError(
            `Before this run, the last update of ${this.settings.service} failed (${error.why}); nothing was changed. ` +
              'Fix the service (deploy a revision that starts, or set its traffic to revisions that serve) and run again.',
            undefined,
          )
        throw error
      }
    }
    this.service = service
    this.annotations = service.annotations
    return service
  }

  private async checkRevision(revision: string): Promise<void> {
    const found = await this.deps.api.getRevision(`${this.name}/revisions/${revision}`)
    if (!found) throw new ConfigurationError(`Input 'revision': service ${this.settings.service} has no revision ${revision}.`)
    const { ready, why } = readiness(found)
    if (!ready) throw new ConfigurationError(`Revision ${revision} is not ready (${why}); traffic is not shifted to it.`)
  }

  /**
   * Where this run starts: a state annotation that matches the split means an interrupted
   * rollout. Of the same revision, it goes on from its percent; of another, this run replaces
   * it, from the same starting split. An annotation that does not match is stale and ignored.
   */
  private resumePoint(service: Service, current: Target[], revision: string): { start: Target[]; from: number } {
    const saved = decodeState(service.annotations?.[STATE_ANNOTATION])
    const served = shareOf(current, revision)
    if (!saved) return { start: current, from: served }
    const expected = stepSplit(saved.start, saved.revision, saved.tag, saved.percent)
    const by = saved.runUrl ?? `run ${saved.run || '?'}`
    if (!sameSplit(current, expected)) {
      this.deps.log.warning(
        `The service carries the state of an earlier rollout of ${saved.revision} (${by}) that does not match its split; ignoring it and starting from ${describeSplit(current)}.`,
      )
      return { start: current, from: served }
    }
    this.touched = !this.settings.dryRun
    if (saved.revision === revision) {
      this.deps.log.info(
        `Resuming the rollout of ${revision} interrupted at ${saved.percent}% (${by}); a rollback restores ${describeSplit(saved.start)}.`,
      )
      return { start: saved.start, from: saved.percent }
    }
    this.deps.log.warning(
      `An interrupted rollout of ${saved.revision} (at ${saved.percent}%, ${by}) is replaced by this one; a rollback restores its starting split ${describeSplit(saved.start)}.`,
    )
    return { start: saved.start, from: shareOf(saved.start, revision) }
  }

  /** Every planned split, and the rollback split, validated by the API without being applied. */
  private async dryRun(service: Service, steps: Step[]): Promise<RolloutResult> {
    const state = (percent: number): RolloutState | undefined => (percent === 100 ? undefined : this.state(percent))
    const checks = [
      ...steps
        .filter((x) => !x.bakeOnly)
        .map((x) => ({
          label: `step ${x.percent}%`,
          split: stepSplit(this.start, this.revision, this.settings.tag, x.percent),
          state: state(x.percent),
        })),
      { label: 'rollback', split: this.start, state: undefined },
    ]
    for (const check of checks) {
      await this.deps.api.updateTraffic(
        this.name,
        { traffic: toApi(check.split), annotations: withState(service.annotations, check.state), etag: service.etag },
        { validateOnly: true },
      )
      this.deps.log.info(`Valid (validateOnly): ${check.label}: ${describeSplit(check.split)}`)
      this.row(check.split, '', '', `${check.label}: valid (validateOnly), not applied`)
    }
    this.finish('dry-run')
    return this.done('dry-run', undefined)
  }

  private async alreadyPromoted(service: Service): Promise<RolloutResult> {
    this.deps.log.info(`${this.revision} already serves 100%; nothing to shift.`)
    if (service.annotations?.[STATE_ANNOTATION] !== undefined) {
      this.service = await applySplit(this.applyDeps, this.name, {
        want: splitOf(service),
        state: undefined,
        expected: [],
        deadlineMs: UPDATE_DEADLINE_MS,
      })
    }
    this.tagUrl = tagUrlOf(this.service ?? service, this.settings.tag, this.revision)
    this.finish('promoted')
    return this.done('promoted', undefined)
  }

  /** A probe of the new revision's tag URL before it gets any traffic, when it already has one. */
  private async preflightProbe(service: Service): Promise<RolloutResult | undefined> {
    const url = this.probeUrl(tagUrlOf(service, this.settings.tag, this.revision))
    if (!url || this.settings.healthCheckAttempts === 0 || this.touched) return undefined
    const result = await this.probe(url)
    this.deps.log.info(`Probe before any traffic shift: ${shownUrl(url)} → ${result.detail}`)
    if (result.ok) return undefined
    const reason = `The new revision ${this.revision} fails its health probe before any traffic is shifted (${shownUrl(url)}: ${result.detail}); nothing was changed.`
    this.row(splitOf(service), result.detail, '', 'stopped before any change')
    this.finish('failed')
    return this.done('failed', reason)
  }

  private async step(step: Step): Promise<void> {
    const s = this.settings
    const want = stepSplit(this.start, this.revision, s.tag, step.percent)
    if (!step.bakeOnly) {
      const expected = [...this.known]
      this.known.push(want)
      this.touched = true
      this.deps.log.info(`Shifting: ${describeSplit(want)}`)
      const started = this.deps.now()
      this.updating = true
      try {
        this.service = await applySplit(this.applyDeps, this.name, {
          want,
          state: step.percent === 100 ? undefined : this.state(step.percent),
          expected,
          signal: this.abort.signal,
          deadlineMs: UPDATE_DEADLINE_MS,
        })
      } finally {
        this.updating = false
      }
      this.annotations = this.service.annotations
      this.deps.log.info(`Serving ${describeSplit(want)} (${this.deps.now() - started} ms for the update and its reconciliation).`)
    }
    const liveAt = this.deps.now()
    this.tagUrl = this.service ? tagUrlOf(this.service, s.tag, this.revision) : undefined
    if (this.tagUrl) this.deps.log.info(`Tag URL: ${this.tagUrl}`)
    const probes: string[] = []
    await this.checkProbe(want, probes, '')
    if (step.percent === 100) {
      this.row(want, probes.join(' · '), '', 'promoted')
      return
    }
    let window = 0
    let judgement: Judgement | undefined
    for (;;) {
      window++
      this.deps.log.info(`Baking for ${s.intervalMs / 1000} s${window > 1 ? ' more (the metrics were inconclusive)' : ''}.`)
      await this.deps.sleep(s.intervalMs, this.abort.signal)
      judgement = await this.checkMetrics(liveAt)
      if (judgement)
        this.deps.log.info(`Metrics of ${this.revision} since ${new Date(liveAt).toISOString()}: ${judgement.findings.join('; ')}`)
      if (judgement?.verdict !== 'inconclusive' || window >= 2) break
      this.row(want, probes.join(' · '), judgement.findings.join('; '), 'inconclusive: one more interval')
      probes.length = 0
    }
    await this.checkProbe(want, probes, judgement?.findings.join('; ') ?? '')
    const metrics = judgement?.findings.join('; ') ?? (metricsWanted(this.limits()) ? '' : 'not checked')
    if (judgement?.verdict === 'unhealthy') {
      this.row(want, probes.join(' · '), metrics, 'unhealthy: roll back')
      throw new CheckFailed(
        `The metrics of ${this.revision} at ${step.percent}% are unhealthy: ${judgement.findings.filter((f) => f.endsWith('unhealthy')).join('; ')}.`,
      )
    }
    if (judgement?.verdict === 'inconclusive') {
      this.row(want, probes.join(' · '), metrics, 'still inconclusive: roll back')
      throw new CheckFailed(
        `The metrics of ${this.revision} at ${step.percent}% stayed inconclusive for two intervals: ${judgement.findings[0]}.`,
      )
    }
    this.row(want, probes.join(' · '), metrics, 'healthy: go on')
  }

  /** Probes the new revision; a failure is recorded and stops the rollout. */
  private async checkProbe(want: Target[], probes: string[], metrics: string): Promise<void> {
    if (this.settings.healthCheckAttempts === 0) return
    const url = this.probeUrl(this.tagUrl)
    if (!url) {
      throw new CheckFailed(
        `The service has no URL for tag '${this.settings.tag}' in its trafficStatuses (default URL disabled?); set 'health-check-url', or 'health-check-attempts: 0' to go without probes.`,
      )
    }
    const result = await this.probe(url)
    probes.push(`${result.ok ? '✓' : '✗'} ${result.detail}`)
    this.deps.log.info(`Probe ${shownUrl(url)} → ${result.detail}`)
    if (!result.ok) {
      this.row(want, probes.join(' · '), metrics, 'probe failed: roll back')
      throw new CheckFailed(
        `The health probe of ${this.revision} failed at ${shareOf(want, this.revision)}%: ${shownUrl(url)} answered ${result.detail}.`,
      )
    }
  }

  private probeUrl(tagUrl: string | undefined): string | undefined {
    if (this.settings.healthCheckUrl) return this.settings.healthCheckUrl
    return tagUrl ? `${tagUrl.replace(/\/+$/, '')}${this.settings.healthCheckPath}` : undefined
  }

  private probe(url: string): Promise<ProbeResult> {
    const s = this.settings
    return probe(url, {
      accepted: s.healthCheckStatus,
      attempts: s.healthCheckAttempts,
      fetch: this.deps.fetch,
      sleep: this.deps.sleep,
      now: this.deps.now,
      pauseMs: this.deps.retryBaseMs * 2,
      timeoutMs: s.healthCheckTimeoutMs,
      idToken: async () => this.idToken,
      mintIdToken:
        s.idToken || !this.deps.mintIdToken ? undefined : async (audience) => (this.idToken = await this.deps.mintIdToken?.(audience)),
      audience: this.service?.uri ?? new URL(url).origin,
      sendToken: tokenPolicy(url, this.service),
      signal: this.abort.signal,
    })
  }

  private limits(): Limits {
    const s = this.settings
    return { maxErrorRate: s.maxErrorRate, maxLatencyP95Ms: s.maxLatencyP95Ms, minRequests: s.minRequests }
  }

  /** The new and the stable revision over the same window, judged; undefined when no check is asked for. */
  private async checkMetrics(since: number): Promise<Judgement | undefined> {
    const limits = this.limits()
    if (!metricsWanted(limits) || !this.deps.metrics) return undefined
    const window = { start: new Date(since), end: new Date(this.deps.now()) }
    const query = (revision: string): Promise<RevisionMetrics> =>
      (this.deps.metrics as MetricsApi).revisionMetrics(
        {
          project: this.deps.project,
          service: this.settings.service,
          region: this.settings.region,
          revision,
          ...window,
          latency: limits.maxLatencyP95Ms !== undefined,
        },
        this.abort.signal,
      )
    const stable = stableRevision(this.start, this.revision)
    const [candidate, baseline] = await Promise.all([query(this.revision), stable ? query(stable) : Promise.resolve(undefined)])
    return judge(candidate, baseline, limits)
  }

  private state(percent: number): RolloutState {
    return {
      v: 1,
      revision: this.revision,
      tag: this.settings.tag,
      start: this.start,
      percent,
      run: this.deps.run.id,
      ...(this.deps.run.url ? { runUrl: this.deps.run.url } : {}),
      at: new Date(this.deps.now()).toISOString(),
    }
  }

  /** The rollout stopped: roll back when it should, and say why the step fails. */
  private async failed(error: unknown): Promise<RolloutResult> {
    if (this.cancelledBy) return this.cancelled()
    const bug = !isActionError(error)
    const why = bug ? `${errorMessage(error)} (a bug in this action)` : errorMessage(error)
    if (error instanceof ForeignChangeError) {
      this.foreign = error.current
      this.finish('failed')
      return this.done('failed', why)
    }
    if (!this.settings.rollback) {
      this.finish('failed')
      return this.done('failed', `${why} The split is left as it is (rollback: false).`, bug ? error : undefined)
    }
    this.deps.log.warning(`${why} Rolling back to ${describeSplit(this.start)}.`)
    try {
      this.service = await this.deps.log.group('Rollback', async () => {
        const started = this.deps.now()
        const service = await applySplit(this.applyDeps, this.name, {
          want: this.start,
          state: undefined,
          expected: this.known,
          deadlineMs: UPDATE_DEADLINE_MS,
        })
        this.deps.log.info(`Serving ${describeSplit(this.start)} again (${this.deps.now() - started} ms).`)
        return service
      })
    } catch (rollbackError) {
      if (rollbackError instanceof ForeignChangeError) {
        // Someone else changed the split meanwhile: theirs now; the post step leaves it too.
        this.foreign = rollbackError.current
        this.finish('failed')
        return this.done('failed', `${why} ${errorMessage(rollbackError)}`, bug ? error : undefined)
      }
      const reason = `${why} The rollback failed too: ${errorMessage(rollbackError).replace(/\.$/, '')}. The post step tries again; check the service's traffic.`
      return this.done('failed', reason, bug ? error : undefined)
    }
    this.row(this.start, '', '', 'rolled back')
    this.finish('rolled-back')
    return this.done('rolled-back', `${why} The starting split is restored: ${describeSplit(this.start)}.`, bug ? error : undefined)
  }

  /** Cancelled: the restoring update was sent from the signal handler; confirm it while there is time. */
  private async cancelled(): Promise<RolloutResult> {
    const head = `The job was cancelled (${this.cancelledBy}) at ${this.stepLabel}`
    if (!this.touched) {
      this.finish('failed')
      return this.done('failed', `${head}; nothing was changed.`)
    }
    if (!this.restoring) return this.done('failed', `${head}; the split is left as it is (rollback: false).`)
    const deadline = this.deps.now() + CANCEL_CONFIRM_MS
    let conflict = false
    const confirm = async (): Promise<boolean> => {
      let sent: Operation | undefined
      try {
        sent = await (this.restoring as Promise<Operation>)
      } catch (error) {
        // The service changed since the last read: by someone else, or by a late update of ours.
        if (!isConflict(error)) throw error
        conflict = true
      }
      if (sent) await waitForOperation(this.applyDeps, sent, deadline)
      const service = await this.deps.api.getService(this.name)
      if (!sameSplit(splitOf(service), this.start)) {
        // An update of the rollout that was in flight landed after the restoring one (or
        // instead of it); someone else's split stops this (ForeignChangeError) and is left.
        await applySplit(this.applyDeps, this.name, {
          want: this.start,
          state: undefined,
          expected: this.known,
          deadlineMs: deadline - this.deps.now(),
        })
      } else {
        await waitForSplit(this.applyDeps, this.name, this.start, deadline)
      }
      return true
    }
    let confirmed = false
    try {
      confirmed = (await Promise.race([confirm(), this.hurried.then(() => false)])) === true
    } catch (error) {
      if (error instanceof ForeignChangeError) {
        this.foreign = error.current
        this.finish('failed')
        return this.done('failed', `${head}; ${errorMessage(error)}`)
      }
      this.deps.log.warning(`The restoring update is not confirmed: ${errorMessage(error)}`)
    }
    this.row(this.start, '', '', confirmed ? 'cancelled: rolled back' : 'cancelled: restoring update sent')
    if (confirmed) {
      this.finish('rolled-back')
      return this.done('rolled-back', `${head}; the starting split is restored: ${describeSplit(this.start)}.`)
    }
    // Not confirmed in the time there was: not called rolled back; the post step sees it through.
    return this.done(
      'failed',
      conflict
        ? `${head}; the service changed since it was last read, so the starting split (${describeSplit(this.start)}) was not restored yet; the post step reads it and restores it unless the change is someone else's.`
        : `${head}; the update restoring ${describeSplit(this.start)} was sent, and the post step checks that it is served.`,
    )
  }

  /** The run ended in a state the post step must leave alone. */
  private finish(result: Result): void {
    this.finished = true
    this.deps.saveState(SAVED.finished, result)
  }

  private row(split: readonly Target[], probe: string, metrics: string, decision: string): void {
    this.rows.push({ at: this.deps.now(), split: describeSplit(split), probe, metrics, decision })
  }

  private async done(result: Result, failure: string | undefined, error?: unknown): Promise<RolloutResult> {
    const final =
      this.foreign ??
      (this.service && !this.cancelledBy
        ? splitOf(this.service)
        : result === 'rolled-back'
          ? this.start
          : (this.known.at(-1) ?? this.start))
    const outputs: Outputs = {
      revision: this.revision,
      'previous-traffic': JSON.stringify(toApi(this.start)),
      traffic: JSON.stringify(toApi(final)),
      result,
      url: this.service?.uri ?? '',
      'tag-url': this.tagUrl ?? '',
    }
    await this.deps.writeSummary(
      renderSummary({
        service: this.settings.service,
        revision: this.revision,
        result,
        start: this.start,
        final,
        rows: this.rows,
        tagUrl: this.tagUrl,
        reason: failure,
      }),
    )
    return { outputs, failure, ...(error !== undefined ? { error } : {}) }
  }
}

/**
 * Where an ID token may go: `any` (the given one or a minted one) to the service's own URLs over
 * https; `given` (the `id-token` input only, the user's choice) to another https URL such as a
 * custom domain; `none` over plain http, but to loopback addresses (local stand-ins).
 */
export function tokenPolicy(url: string, service: Service | undefined): 'any' | 'given' | 'none' {
  const target = new URL(url)
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)
  if (target.protocol !== 'https:' && !loopback) return 'none'
  const own = [service?.uri, ...(service?.trafficStatuses ?? []).map((t) => t.uri)].flatMap((u) => (u ? [new URL(u).origin] : []))
  return own.includes(target.origin) ? 'any' : 'given'
}

/** The URL of `tag` on `revision`, from trafficStatuses (never built: there are two formats). */
export function tagUrlOf(service: Service, tag: string, revision: string): string | undefined {
  return service.trafficStatuses?.find((t) => t.tag === tag && (t.revision === undefined || shortName(t.revision) === revision))?.uri
}

/** The revision with the largest share of the starting split, other than the new one: the baseline. */
export function stableRevision(start: readonly Target[], revision: string): string | undefined {
  const shares = new Map<string, number>()
  for (const t of start) if (t.revision !== revision) shares.set(t.revision, (shares.get(t.revision) ?? 0) + t.percent)
  const best = [...shares].sort((a, b) => b[1] - a[1])[0]
  return best && best[1] > 0 ? best[0] : undefined
}

/**
 * A probe URL as the log, the summary and the failure show it: the names of its query's
 * parameters without their values, no fragment, no `;` parameters (a token can ride in each).
 */
function shownUrl(url: string): string {
  const u = new URL(url)
  if (!u.search && !u.hash && !u.pathname.includes(';')) return url
  const path = u.pathname.replace(/;.*$/, ';…')
  const query = u.search
    ? `?${[...u.searchParams.keys()].map((k) => `${k.length > 0 && u.search.includes(`${k}=`) ? k : '…'}=…`).join('&')}`
    : ''
  return `${u.origin}${path}${query}${u.hash ? '#…' : ''}`
}
