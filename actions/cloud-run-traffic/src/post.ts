import { run } from '@infra-actions/common'
import { post } from './main.js'

// The post step: restores the starting split when the main step did not finish its rollout.
await run('cloud-run-traffic (post step)', post)
