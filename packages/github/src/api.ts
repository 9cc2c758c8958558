// The API client and its error explanations, without the comment code: for actions that make a
// few calls of their own (a dynamic import of this entry loads nothing else).
export * from './api-errors.js'
export * from './client.js'
