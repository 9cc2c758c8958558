export * from './api-errors.js'
export * from './client.js'
export * from './comment-upsert.js'
export * from './tracking-issue.js'
