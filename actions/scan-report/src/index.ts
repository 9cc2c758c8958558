import { run } from '@infra-actions/common'
import { main } from './main.js'

await run('scan-report', main)
