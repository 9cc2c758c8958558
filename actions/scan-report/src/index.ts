import { run } from '@infra-actions/common'
import { main } from './main.js'
import { resultBytes } from './settings.js'

await run('scan-report', main, { inputBytes: () => resultBytes() })
