import * as core from '@actions/core'
import { run } from '@infra-actions/common'
import { main, wroteOutputs } from './main.js'

// A failure before the rollout could say more (bad input, no credentials): nothing was changed.
await run('cloud-run-traffic', main, {
  onFailure: () => {
    if (!wroteOutputs()) core.setOutput('result', 'failed')
  },
})
