// Prettier wraps code at 140 columns but never breaks a string literal; this catches the lines it
// leaves too long to read (messages belong in several concatenated pieces).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const MAX = 250
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs', '*.js'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.startsWith('dist/') && !f.startsWith('test/corpus/'))
let problems = 0
for (const file of files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.length > MAX) {
        console.error(`${file}:${i + 1}: ${line.length} characters (at most ${MAX}); split the string`)
        problems++
      }
    })
}
if (problems) process.exit(1)
