// The actions run on Node 24; the tests run there too. `npm ci` installs it (the `node`
// devDependency), and npm scripts put node_modules/.bin first on PATH, so `node` here is 24.
const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  console.error(
    `Node ${process.version} is running the tests, but the actions run on Node 24. Run them through npm (npm test), which uses the node@24 devDependency, or: npx -y -p node@24 -- npm test`,
  )
  process.exit(1)
}
console.log(`Node ${process.version}`)
