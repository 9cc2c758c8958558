import * as core from '@actions/core'
import { Inputs, run } from '@infra-actions/common'
import { planInputBytes } from '@infra-actions/terraform'
import { main } from './main.js'
import { PLAN_INPUTS } from './settings.js'

/**
 * From this size of plan on, destroy-gate runs on a worker thread with a small young generation:
 * it builds no values, but reading faster than V8 collects made its young generation grow to
 * ~100 MiB on a 552 MB plan. Below it, the worker's start-up (~0.1 s) would cost more than it saves.
 */
const WORKER_FROM = 256 * 1024 * 1024

// Whatever goes wrong, later steps that read `allowed` must see false, with the reason.
await run('destroy-gate', main, {
  onFailure: (message) => {
    core.setOutput('allowed', 'false')
    core.setOutput('reason', `The destroy gate could not decide, so it blocks: ${message}`)
  },
  inputBytes: () => planInputBytes(new Inputs(), PLAN_INPUTS),
  workerFrom: WORKER_FROM,
})
