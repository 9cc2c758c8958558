// Loaded with `node --import` by the benchmark: records this process's peak RSS and CPU time
// (user + system, all threads) at exit.
import { writeFileSync } from 'node:fs'

process.on('exit', () => {
  if (!process.env.BENCH_RSS_FILE) return
  const usage = process.resourceUsage()
  writeFileSync(
    process.env.BENCH_RSS_FILE,
    JSON.stringify({ rss: usage.maxRSS * 1024, cpu: (usage.userCPUTime + usage.systemCPUTime) / 1000 }),
  )
})
