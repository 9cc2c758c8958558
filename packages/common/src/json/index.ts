export * from './scan.js'
export * from './stream.js'
export * from './walk.js'
