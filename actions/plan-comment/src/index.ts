import { Inputs, run } from '@infra-actions/common'
import { planInputBytes } from '@infra-actions/terraform'
import { main } from './main.js'
import { PLAN_INPUTS } from './settings.js'

await run('plan-comment', main, { inputBytes: () => planInputBytes(new Inputs(), PLAN_INPUTS) })
