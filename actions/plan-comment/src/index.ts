import { run } from '@infra-actions/common'
import { main } from './main.js'

await run('plan-comment', main)
