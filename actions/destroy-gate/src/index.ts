import * as core from '@actions/core'
import { run } from '@infra-actions/common'
import { main } from './main.js'

// Whatever goes wrong, later steps that read `allowed` must see false, with the reason.
await run('destroy-gate', main, {
  onFailure: (message) => {
    core.setOutput('allowed', 'false')
    core.setOutput('reason', `The destroy gate could not decide, so it blocks: ${message}`)
  },
})
