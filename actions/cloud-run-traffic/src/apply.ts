import { ServiceError } from '@infra-actions/common'
import type { CloudRunApi, Service } from './cloud-run.js'
import { GoogleApiError } from './google-api.js'
import { STATE_ANNOTATION, withState, type RolloutState } from './state.js'
import { describeSplit, pinSplit, sameSplit, shortName, toApi, type Target } from './traffic.js'

/** Someone else changed the split during the rollout: this action stops and leaves it to them. */
/** Someone else changed the split: `current` is what the service holds now (the outputs say it). */
export class ForeignChangeError extends ServiceError {
  override readonly name: string = 'ForeignChangeError'
  constructor(
    message: string,
    readonly current: Target[],
  ) {
    super(message, undefined)
  }
}

export interface ApplyDeps {
  api: CloudRunApi
  now: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  debug: (message: string) => void
  /** The base of the poll and conflict waits, in ms. */
  retryBaseMs: number
}

export interface ApplyOptions {
  /** The split to write. */
  want: Target[]
  /** The state annotation to write with it; undefined removes ours. */
  state: RolloutState | undefined
  /** The splits the service may have before this update; any other means someone else changed it. */
  expected: readonly Target[][]
  signal?: AbortSignal
  /** How long the operation and the reconciliation may take, in ms. */
  deadlineMs: number
}

export const CONFLICT_RETRIES = 3

/** The split a service serves, pinned; `LATEST` is the latest ready revision. */
export function splitOf(service: Service): Target[] {
  return pinSplit(service.traffic, shortName(service.latestReadyRevision ?? ''))
}

/**
 * Writes one split, guarded: the service is re-read right before the update, and the update is
 * conditional on that read's etag. If the split is not one of `expected`, someone else changed it
 * and this stops (ForeignChangeError). A conflict on the etag (409 ABORTED, as Cloud Run answers;
 * 412 or FAILED_PRECONDITION, as other Google APIs do) re-reads and tries again, at most
 * CONFLICT_RETRIES times; the re-read is what tells our own retried write from someone else's. Then it waits for the operation and for the
 * service to serve the split (reconciling false, observedGeneration = generation,
 * trafficStatuses = the split). Returns the reconciled service.
 */
export async function applySplit(deps: ApplyDeps, name: string, options: ApplyOptions): Promise<Service> {
  const deadline = deps.now() + options.deadlineMs
  for (let conflict = 0; ; conflict++) {
    const service = await deps.api.getService(name, options.signal)
    const current = splitOf(service)
    const annotationsWanted = withState(service.annotations, options.state)
    if (sameSplit(current, options.want) && sameAnnotation(service, annotationsWanted)) {
      return waitForSplit(deps, name, options.want, deadline, options.signal)
    }
    if (!sameSplit(current, options.want) && !options.expected.some((e) => sameSplit(e, current))) {
      throw new ForeignChangeError(
        `Someone else changed the traffic of ${shortName(name)} during the rollout (it is now ${describeSplit(current)}); this action stops and leaves it as it is.`,
        current,
      )
    }
    let operation
    try {
      operation = await deps.api.updateTraffic(
        name,
        { traffic: toApi(options.want), annotations: annotationsWanted, etag: service.etag },
        { signal: options.signal },
      )
    } catch (error) {
      if (isConflict(error) && conflict < CONFLICT_RETRIES) {
        deps.debug(`409 ${error.rpcStatus ?? ''} on the update (${error.apiMessage}); reading the service again`)
        await deps.sleep(deps.retryBaseMs * (conflict + 1) * Math.random(), options.signal)
        continue
      }
      throw error
    }
    await waitForOperation(deps, operation, deadline, options.signal)
    return waitForSplit(deps, name, options.want, deadline, options.signal)
  }
}

/** A conflict on the etag: the service changed since it was read. */
export function isConflict(error: unknown): error is GoogleApiError {
  return (
    error instanceof GoogleApiError &&
    (error.status === 409 || error.status === 412 || (error.status === 400 && error.rpcStatus === 'FAILED_PRECONDITION'))
  )
}

function sameAnnotation(service: Service, wanted: Record<string, string>): boolean {
  return (service.annotations?.[STATE_ANNOTATION] ?? undefined) === (wanted[STATE_ANNOTATION] ?? undefined)
}

/**
 * Until the operation is done; its error is a ServiceError. `:wait` is best effort (it may answer
 * at once, before the operation is done), so the calls are spaced, growing to 5 s. An API that
 * does not implement `:wait` (501) leaves the wait to waitForSplit, which reads the service.
 */
export async function waitForOperation(
  deps: ApplyDeps,
  operation: { name?: string; done?: boolean; error?: { code?: number; message?: string } },
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  let op = operation
  for (let poll = 0; !op.done && op.name; poll++) {
    const left = deadline - deps.now()
    if (left <= 0) throw new ServiceError(`The operation ${op.name} did not finish in time.`, undefined)
    if (poll > 0) await deps.sleep(Math.min(5000, deps.retryBaseMs * 0.2 * 1.5 ** poll, left), signal)
    try {
      op = await deps.api.waitOperation(op.name, Math.min(left, 30_000), signal)
    } catch (error) {
      if (error instanceof GoogleApiError && error.status === 501) {
        deps.debug(`operations:wait is not implemented here (${error.apiMessage}); waiting on the service instead`)
        return
      }
      throw error
    }
  }
  if (op.error) {
    throw new ServiceError(
      `The traffic update failed: ${op.error.message ?? 'no message'} (operation ${op.name ?? '?'}, code ${op.error.code ?? '?'}).`,
      undefined,
    )
  }
}

/** The service's terminal condition failed: Cloud Run could not serve its last update. */
export class ServiceFailedError extends ServiceError {
  constructor(readonly why: string) {
    super(`Cloud Run could not serve the split: ${why}.`, undefined)
  }
}

/**
 * Until the service serves `want`: not reconciling, observedGeneration = generation, and
 * trafficStatuses equal to the split. A failed terminal condition is a ServiceError.
 */
export async function waitForSplit(
  deps: ApplyDeps,
  name: string,
  want: Target[],
  deadline: number,
  signal?: AbortSignal,
): Promise<Service> {
  for (let poll = 0; ; poll++) {
    const service = await deps.api.getService(name, signal)
    const served = pinSplit(service.trafficStatuses, shortName(service.latestReadyRevision ?? ''))
    const settled = !service.reconciling && service.observedGeneration === service.generation
    // A failed reconciliation can leave observedGeneration behind generation for good: a failed
    // terminal condition counts as soon as the service stops reconciling.
    if (!service.reconciling && service.terminalCondition?.state === 'CONDITION_FAILED') {
      const c = service.terminalCondition
      throw new ServiceFailedError([c.reason, c.message].filter(Boolean).join(': ') || 'the service failed')
    }
    if (settled && sameSplit(served, want) && sameSplit(splitOf(service), want)) return service
    if (settled && !sameSplit(splitOf(service), want)) {
      throw new ForeignChangeError(
        `The traffic of ${shortName(name)} changed while this update settled (it is now ${describeSplit(splitOf(service))}); this action stops.`,
        splitOf(service),
      )
    }
    if (deps.now() >= deadline) {
      throw new ServiceError(`${shortName(name)} did not settle on ${describeSplit(want)} in time (still reconciling).`, undefined)
    }
    await deps.sleep(Math.min(2000, deps.retryBaseMs * 0.2 * 1.5 ** poll), signal)
  }
}
