import { run } from '@infra-actions/common'
import { serveCommentApiIfWorker } from '@infra-actions/github'
import { main } from './main.js'

// The same bundle also runs as the worker thread that talks to GitHub (see main.ts).
if (!serveCommentApiIfWorker()) await run('plan-comment', main)
