import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { Inputs, extendContext, type GitHubContext } from '@infra-actions/common'
import type { CommentApi, IssueComment } from '@infra-actions/github'
import { runScanReport, type ScanReportDeps } from '../src/scan-report.js'
import { readSettings } from '../src/settings.js'
import { buildSarif, LIMITS, memorySink } from '../src/sarif-write.js'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { FIXTURES, merged, validateSarif } from './support.js'

// The orchestration with fakes for GitHub and the runner, on real files in a temporary workspace.
let dir: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'scan-report-'))
})

const put = (name: string, content: string): string => {
  const file = path.join(dir, name)
  writeFileSync(file, content)
  return name
}
const copy = (from: string, name = path.basename(from)): string => {
  copyFileSync(from, path.join(dir, name))
  return name
}

function fakeComments(): CommentApi & { posted: IssueComment[] } {
  const posted: IssueComment[] = []
  return {
    posted,
    identity: async () => 'github-actions[bot]',
    listComments: async () => posted,
    createComment: async (_n, body) => {
      const c = {
        id: posted.length + 1,
        body,
        author: 'github-actions[bot]',
        url: `https://github.com/acme/infra/pull/7#issuecomment-${posted.length + 1}`,
      }
      posted.push(c)
      return c
    },
    updateComment: async (id, body) =>
      Object.assign(
        posted.find((c) => c.id === id)!,
        { body },
      ),
    deleteComment: async () => undefined,
  }
}

const PR_CONTEXT = extendContext(
  {
    eventName: 'pull_request',
    payload: { pull_request: { number: 7, head: { sha: 'a' } } },
    runId: 1,
    serverUrl: 'https://github.com',
  } as unknown as GitHubContext,
  { GITHUB_REPOSITORY: 'acme/infra' },
)

async function run(inputs: Record<string, string>, options: { comments?: CommentApi; today?: string } = {}) {
  const settings = await readSettings(Inputs.of({ 'sarif-output': 'out/merged.sarif', ...inputs }), dir, options.today ?? '2026-06-01')
  const log = { info: [] as string[], warning: [] as string[] }
  const summaries: string[] = []
  const annotations: Parameters<ScanReportDeps['annotate']>[0][] = []
  const result = await runScanReport(settings, {
    context: PR_CONTEXT,
    comments: options.comments,
    apiSkipReason: options.comments ? undefined : "no GitHub token (input 'github-token' is empty)",
    writeSummary: async (m) => void summaries.push(m),
    annotate: (a) => void annotations.push(a),
    log: { info: (m) => void log.info.push(m), warning: (m) => void log.warning.push(m) },
  })
  const sarifText = readFileSync(settings.sarifOutput, 'utf8')
  return { result, log, summary: summaries.join('\n'), annotations, sarifText, sarif: JSON.parse(sarifText) }
}

describe('scan-report over the corpus', () => {
  it('merges every Trivy and Checkov file into one valid SARIF (Multitool: no errors, no warnings)', async () => {
    const trivy = corpusFiles('trivy').map((f) => copy(corpusPath('trivy', f), `t-${f}`))
    // The trimmed openapi SARIF has no `tool`: Checkov's because it is in input 'checkov'.
    const checkov = corpusFiles('checkov').map((f) => copy(corpusPath('checkov', f), `c-${f}`))
    const fixtures = ['checkov3-frameworks.json', 'checkov3.sarif'].map((f) => copy(path.join(FIXTURES, f)))
    const r = await run({
      trivy: [...trivy, copy(path.join(FIXTURES, 'trivy-secret-license.sarif'))].join('\n'),
      checkov: [...checkov, ...fixtures].join('\n'),
    })
    expect(r.sarif.runs.map((x: { tool: { driver: { name: string } } }) => x.tool.driver.name)).toEqual(['Trivy', 'Checkov'])
    expect(r.sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual([
      'scan-report/trivy/',
      'scan-report/checkov/',
    ])
    const v = validateSarif(r.sarifText)
    expect(v.errors).toEqual([])
    expect(v.warnings).toEqual([])
    expect(r.result.outputs.failed).toBe('true')
    expect(Number(r.result.outputs.total)).toBe(
      r.sarif.runs
        .flatMap((x: { results: { suppressions?: unknown }[] }) => x.results)
        .filter((x: { suppressions?: unknown }) => !x.suppressions).length,
    )
  }, 60_000)

  it('writes security-severity on every rule, our fingerprints, relative URIs and the driver versions', async () => {
    const r = await run({
      trivy: copy(corpusPath('trivy', 'trivy-action-config-scan.v0.72.0.json')),
      checkov: copy(corpusPath('checkov', 'dd-checkov-report-severity.json')),
    })
    const [trivy, checkov] = r.sarif.runs
    expect(trivy.tool.driver).toMatchObject({ name: 'Trivy', version: '0.72.0' })
    expect(checkov.tool.driver).toMatchObject({ name: 'Checkov', version: '2.2.34' })
    for (const rule of [...trivy.tool.driver.rules, ...checkov.tool.driver.rules])
      expect(rule.properties['security-severity']).toMatch(/^\d+\.\d$/)
    expect(trivy.tool.driver.rules.find((x: { id: string }) => x.id === 'AWS-0086').properties['security-severity']).toBe('8.0')
    for (const res of [...trivy.results, ...checkov.results]) {
      expect(res.partialFingerprints['scanReport/v1']).toMatch(/^[0-9a-f]{32}:\d+$/)
      for (const l of res.locations) expect(l.physicalLocation.artifactLocation.uri).not.toMatch(/^\/|^[a-z]+:/i)
    }
    expect(checkov.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('gcs.tf')
  })
})

describe('failing, thresholds and outputs', () => {
  it('fails on findings at or above fail-on, saying how many of which severity and where', async () => {
    const r = await run({ checkov: copy(corpusPath('checkov', 'dd-checkov-report-severity.json')) })
    expect(r.result.outputs).toMatchObject({ total: '4', high: '1', medium: '2', low: '1', failed: 'true', new: '4', suppressed: '0' })
    expect(r.result.failure).toMatch(
      /^1 finding at or above 'high' \(1 high; 1 from Checkov\)\. See the job summary of https:\/\/github\.com\/acme\/infra\/actions\/runs\/1; the merged SARIF is .*merged\.sarif\.$/,
    )
    expect(r.result.outputs.summary).toBe('4 findings (1 high, 2 medium, 1 low): failed: 1 at or above high.')
    const passing = await run({ checkov: copy(corpusPath('checkov', 'dd-checkov-report-severity.json')), 'fail-on': 'critical' })
    expect(passing.result).toMatchObject({ failure: undefined, outputs: { failed: 'false' } })
    const none = await run({ checkov: copy(corpusPath('checkov', 'dd-checkov-report-severity.json')), 'fail-on': 'none' })
    expect(none.result.failure).toBeUndefined()
  })

  it('gives Checkov findings without severity the checkov-severity', async () => {
    const r = await run({ checkov: copy(corpusPath('checkov', 'dd-checkov-report-many-vuln.json')), 'checkov-severity': 'high' })
    expect(r.result.outputs).toMatchObject({ total: '3', high: '3', failed: 'true' })
  })

  it('annotates worst first within max-annotations and says in the summary how many were left', async () => {
    const r = await run({ trivy: copy(corpusPath('trivy', 'trivy-action-config-scan.v0.72.0.json')), 'max-annotations': '3' })
    expect(r.annotations.map((a) => [a.level, a.title])).toEqual([
      ['error', 'HIGH AWS-0086 (Trivy)'],
      ['error', 'HIGH AWS-0087 (Trivy)'],
      ['error', 'HIGH AWS-0091 (Trivy)'],
    ])
    expect(r.annotations[0]).toMatchObject({ file: 'main.tf', startLine: 8, endLine: 10 })
    expect(r.summary).toContain('3 annotations written (`max-annotations: 3`')
    expect(r.summary).toContain('5 more findings on files have no annotation')
  })

  it('never annotates more than GitHub shows of one type', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      Target: `f${i}.tf`,
      Class: 'config',
      Misconfigurations: [{ ID: 'AWS-0086', Title: 't', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { StartLine: 1 } }],
    }))
    const r = await run({ trivy: put('many.json', JSON.stringify({ SchemaVersion: 2, Results: many })), 'max-annotations': '50' })
    // 9 errors: the tenth is the step's own failure, which GitHub would otherwise drop as the 11th.
    expect(r.annotations).toHaveLength(9)
    expect(r.result.failure).toMatch(/30 findings at or above 'high'/)
    const medium = many.map((m) => ({ ...m, Misconfigurations: [{ ...m.Misconfigurations[0], Severity: 'MEDIUM' }] }))
    put('ignore.yml', '- id: AWS-0001\n  reason: old\n  expires: 2026-01-01\n')
    const w = await run({
      trivy: put('medium.json', JSON.stringify({ SchemaVersion: 2, Results: medium })),
      'max-annotations': '50',
      'ignore-file': 'ignore.yml',
    })
    // Warnings: the expired suppression's, and one kept for the comment's; 8 for the findings.
    expect(w.annotations.filter((a) => a.level === 'warning')).toHaveLength(8)
    expect(w.log.warning.join('\n')).toMatch(/expired and no longer suppress/)
  })
})

describe('ignore file', () => {
  it('suppresses by path a package of the checkout that Trivy names by its path (a jar under vendor/)', async () => {
    const fs = {
      SchemaVersion: 2,
      ArtifactName: '.',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'Java',
          Class: 'lang-pkgs',
          Type: 'jar',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2021-44228',
              PkgName: 'log4j-core',
              PkgPath: 'vendor/lib/log4j-core-2.14.1.jar',
              InstalledVersion: '2.14.1',
              Severity: 'CRITICAL',
            },
          ],
        },
      ],
    }
    put('ignore.yml', '- id: CVE-2021-44228\n  path: vendor/**\n  reason: vendored, not loaded\n')
    const r = await run({ trivy: put('fs.json', JSON.stringify(fs)), 'ignore-file': 'ignore.yml' })
    expect(r.result.outputs).toMatchObject({ suppressed: '1', failed: 'false' })
  })

  const IGNORE = [
    '# accepted risks',
    '- id: AVD-AWS-0086 # the pre-0.69 spelling still matches',
    '  path: "*.tf"',
    '  reason: public website bucket',
    '  expires: 2026-12-31',
    '- id: CVE-2019-1549',
    '  package: libssl1.1',
    '  reason: not reachable',
    '- id: AWS-0087',
    '  reason: old exception',
    '  expires: 2026-01-31',
    '- id: CKV_NEVER_SEEN',
    '  reason: left over',
  ].join('\n')

  it('suppresses by rule alias, path and package; an expired entry counts again and warns with its line', async () => {
    put('scan-ignore.yml', IGNORE)
    const r = await run({
      trivy: [
        copy(corpusPath('trivy', 'trivy-action-config-scan.v0.72.0.json')),
        copy(corpusPath('trivy', 'trivy-alpine-310.json.golden')),
      ].join(','),
      'ignore-file': 'scan-ignore.yml',
    })
    expect(r.result.outputs.suppressed).toBe('2')
    expect(r.log.warning).toContain(
      '1 suppression in scan-ignore.yml expired and no longer suppress: scan-ignore.yml:9 (AWS-0087, expired 2026-01-31).',
    )
    expect(r.summary).toMatch(/`scan-ignore\.yml:9`: `AWS-0087` expired on 2026-01-31/)
    expect(r.summary).toContain('| public website bucket | 2026-12-31 | `scan-ignore.yml:2` |')
    expect(r.summary).toContain('`scan-ignore.yml:12`: the suppression of `CKV_NEVER_SEEN` matched no finding')
    const trivyRun = r.sarif.runs[0]
    const suppressed = trivyRun.results.filter((x: { suppressions?: unknown }) => x.suppressions)
    expect(suppressed.map((x: { ruleId: string; suppressions: unknown }) => [x.ruleId, x.suppressions])).toEqual([
      [
        'AWS-0086',
        [{ kind: 'external', status: 'accepted', justification: 'public website bucket (until 2026-12-31) [scan-ignore.yml:2]' }],
      ],
      ['CVE-2019-1549', [{ kind: 'external', status: 'accepted', justification: 'not reachable [scan-ignore.yml:6]' }]],
    ])
    expect(validateSarif(r.sarifText).errors).toEqual([])
  }, 30_000)

  it.each([
    ['- id: X\n  reason: r\n  owner: me\n', /scan-ignore\.yml:3: 0: unknown key 'owner'/],
    ['- id: X\n', /scan-ignore\.yml:1: 0\.reason: is required \(string\)$/],
    // Malformed and not a date: said once.
    ['- id: X\n  reason: r\n  expires: 2024-1-5\n', /^[^\n]*scan-ignore\.yml:3: 0\.expires: must be a date written YYYY-MM-DD[^\n]*$/],
    ['- id: X\n  reason: r\n  expires: 2026-02-30\n', /scan-ignore\.yml:3: 0\.expires: is not a real date/],
    ['- id: X\n  reason: r\n  expires: next year\n', /scan-ignore\.yml:3: 0\.expires: must be a date written YYYY-MM-DD/],
    ['- id: [unclosed\n', /scan-ignore\.yml:\d+:\d+: invalid YAML/],
  ])('refuses a broken ignore file with its line: %j', async (content, message) => {
    put('scan-ignore.yml', content)
    await expect(run({ trivy: copy(corpusPath('trivy', 'trivy-npm.json.golden')), 'ignore-file': 'scan-ignore.yml' })).rejects.toThrow(
      message,
    )
  })

  it('reads .github/scan-ignore.yml when present, and only requires a file named explicitly', async () => {
    await expect(run({ trivy: copy(corpusPath('trivy', 'trivy-npm.json.golden')), 'ignore-file': 'missing.yml' })).rejects.toThrow(
      "Input 'ignore-file' (missing.yml) cannot be read: no such file",
    )
    const { mkdirSync } = await import('node:fs')
    mkdirSync(path.join(dir, '.github'))
    put('.github/scan-ignore.yml', '- id: CVE-2019-11358\n  reason: r\n')
    const r = await run({ trivy: copy(corpusPath('trivy', 'trivy-npm.json.golden')) })
    expect(r.result.outputs).toMatchObject({ total: '0', suppressed: '1' })
  })
})

describe('baseline and new-only', () => {
  it('marks findings of the base branch unchanged across a scanner upgrade and line moves; new-only fails on new ones alone', async () => {
    const base = await run({
      trivy: copy(corpusPath('trivy', 'trivy-action-config-scan.v0.60.0.json'), 'base.json'),
      'sarif-output': 'out/merged.sarif',
    })
    copyFileSync(path.join(dir, 'out/merged.sarif'), path.join(dir, 'base.sarif'))
    expect(base.result.outputs.new).toBe('9')
    // The PR: Trivy upgraded (new rule ids), every line moved down by 5, plus one new finding.
    const pr = JSON.parse(readFileSync(corpusPath('trivy', 'trivy-action-config-scan.v0.72.0.json'), 'utf8'))
    for (const m of pr.Results[1].Misconfigurations) m.CauseMetadata.StartLine += 5
    pr.Results[1].Misconfigurations.push({ ...pr.Results[1].Misconfigurations[0], ID: 'AWS-0999', Title: 'new check' })
    const r = await run({ trivy: put('pr.json', JSON.stringify(pr)), baseline: 'base.sarif', 'new-only': 'true' })
    expect(r.result.outputs).toMatchObject({ total: '9', new: '1', failed: 'true' })
    expect(r.result.failure).toMatch(/^1 new finding at or above 'high' \(1 high; 1 from Trivy\)/)
    expect(r.summary).toContain('**New: 1** · already on the base branch: 8 · fixed since the base branch: 1')
    const states = r.sarif.runs[0].results.map((x: { ruleId: string; baselineState: string }) => `${x.ruleId}:${x.baselineState}`)
    expect(states).toContain('AWS-0999:new')
    expect(states).toContain('AWS-0086:unchanged')
    expect(validateSarif(r.sarifText).errors).toEqual([])
    const all = await run({ trivy: 'pr.json', baseline: 'base.sarif' })
    expect(all.result.failure).toMatch(/^6 findings at or above 'high' \(6 high; 6 from Trivy\)/)
  }, 30_000)

  it('reads a raw Trivy SARIF as a baseline too', async () => {
    const r = await run({
      trivy: copy(corpusPath('trivy', 'trivy-alpine-310.json.golden')),
      baseline: copy(corpusPath('trivy', 'trivy-alpine-310.sarif.golden'), 'base.sarif'),
    })
    expect(r.result.outputs).toMatchObject({ total: '4', new: '0' })
  })
})

describe('bad input: one clear error, nothing written', () => {
  it.each([
    [
      'truncated.json',
      '{"SchemaVersion": 2, "Results": [',
      /Input 'trivy' \(truncated\.json\) is not valid JSON: it ends early .*A truncated file means the scan was interrupted/,
    ],
    [
      'other.json',
      '{"hello": "world"}',
      /Input 'trivy' \(other\.json\) is neither a Trivy report, a Checkov report nor SARIF 2\.1\.0: it is an object with the keys "hello"\./,
    ],
    ['empty.json', '', /Input 'trivy' \(empty\.json\) is empty/],
    [
      'checkov.json',
      '{"check_type": "terraform", "results": {"failed_checks": []}}',
      /Input 'trivy' \(checkov\.json\) is a Checkov JSON report; give it in input 'checkov'/,
    ],
    ['old.sarif', '{"version": "1.0.0", "runs": []}', /Input 'trivy' \(old\.sarif\) is SARIF 1\.0\.0; only SARIF 2\.1\.0 is read/],
  ])('%s', async (name, content, message) => {
    put(name, content)
    await expect(run({ trivy: name })).rejects.toThrow(message)
    expect(existsSync(path.join(dir, 'out'))).toBe(false)
  })

  const sarif = (result: object, driver: object = { name: 'tfsec' }) =>
    JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver }, results: [{ ruleId: 'r1', message: { text: 'm' }, ...result }] }] })
  const vulnerability = (fields: object) =>
    JSON.stringify({
      SchemaVersion: 2,
      Results: [{ Target: 'go.sum', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'p', ...fields }] }],
    })
  it.each([
    [
      'trivy',
      'merged.json',
      // `jq -s add trivy.sarif trivy.json`: the SARIF members first, a critical finding after them.
      JSON.stringify({
        version: '2.1.0',
        runs: [],
        SchemaVersion: 2,
        ArtifactType: 'filesystem',
        ...JSON.parse(vulnerability({ Severity: 'CRITICAL' })),
      }),
      /mixes the shapes of several report formats \(sarif and trivy-json\)/,
    ],
    [
      'trivy',
      'results.json',
      '{"SchemaVersion": 2, "Results": {"Target": "x"}}',
      /\(results\.json\) is not a report as its scanner writes it: Results is an object, not a list\./,
    ],
    [
      'trivy',
      'vulns.json',
      '{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": {"a": 1}}]}',
      /Vulnerabilities is an object, not a list/,
    ],
    [
      'sarif',
      'results.sarif',
      '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": {}}]}',
      /runs\[0\]\.results is an object, not a list/,
    ],
    ['checkov', 'failed.json', '{"check_type": "terraform", "results": {"failed_checks": {}}}', /failed_checks is an object, not a list/],
    [
      'trivy',
      'schema3.json',
      '{"SchemaVersion": 3, "Results": []}',
      /it has SchemaVersion 3, and this action reads SchemaVersion 2 \(a newer Trivy/,
    ],
    [
      'trivy',
      'k8s-summary.json',
      '{"ClusterName": "prod", "Findings": [{"Namespace": "default", "Kind": "Deployment", "Name": "api", "Results": []}]}',
      /a trivy k8s summary report \(--report summary\)/,
    ],
    ['sarif', 'level.sarif', sarif({ level: 'critical' }), /has level "critical", which SARIF 2\.1\.0 does not define/],
    ['sarif', 'proto.sarif', sarif({ level: 'constructor' }), /has level "constructor", which SARIF 2\.1\.0 does not define/],
    [
      'trivy',
      'severe.json',
      vulnerability({ Severity: 'SEVERE' }),
      /the vulnerability "CVE-1" in go\.sum has Severity "SEVERE", not one of Trivy's/,
    ],
    ['trivy', 'nosev.json', vulnerability({}), /has no Severity/],
    [
      'checkov',
      'severe.json',
      '{"check_type": "terraform", "results": {"failed_checks": [{"check_id": "CKV_AWS_1", "repo_file_path": "/main.tf", "severity": "SEVERE"}]}}',
      /the check "CKV_AWS_1" has severity "SEVERE", not one Checkov writes/,
    ],
    [
      'trivy',
      'status.json',
      JSON.stringify({
        SchemaVersion: 2,
        Results: [{ Target: 'main.tf', Misconfigurations: [{ ID: 'AVD-1', Severity: 'CRITICAL', Status: 'FAILED' }] }],
      }),
      /has Status "FAILED", which Trivy does not write/,
    ],
  ])(
    '%s: %s, a report not as its scanner writes it, is refused (its findings would pass unseen)',
    async (input, name, content, message) => {
      put(name, content)
      await expect(run({ [input]: name })).rejects.toThrow(message)
    },
  )

  it("annotates Checkov's repository paths only: one that leaves the workspace, or is absolute, is no file of it", async () => {
    const check = (path: string) => ({
      check_id: 'CKV_AWS_1',
      check_name: 'c',
      repo_file_path: path,
      file_line_range: [1, 2],
      severity: 'HIGH',
    })
    const paths = ['/infra/main.tf', '/../../etc/passwd', 'C:\\repo\\main.tf', 'file:///etc/x.tf', '//server/share/x.tf']
    const report = { check_type: 'terraform', results: { failed_checks: paths.map(check) } }
    const r = await run({ checkov: put('ck.json', JSON.stringify(report)), 'max-annotations': '20' })
    expect(r.annotations.map((a) => a.file)).toEqual(['infra/main.tf'])
    expect(r.result.outputs).toMatchObject({ total: '5' })
    await validateSarif(r.sarifText)
  })

  it('reads a result of another kind than fail without a level as level none (SARIF 2.1.0 §3.27.10)', async () => {
    put('kinds.sarif', sarif({ kind: 'pass' }, { name: 'tfsec', rules: [{ id: 'r1', defaultConfiguration: { level: 'error' } }] }))
    const r = await run({ sarif: 'kinds.sarif' })
    expect(r.result.outputs).toMatchObject({ total: '1', high: '0', unknown: '1', failed: 'false' })
  })

  it('gives two tools whose names slug alike distinct automationDetails ids', async () => {
    put('a.sarif', sarif({ level: 'error' }, { name: 'Semgrep OSS' }))
    put('b.sarif', sarif({ level: 'error' }, { name: 'semgrep-oss' }))
    const r = await run({ sarif: 'a.sarif,b.sarif' })
    expect(r.sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual([
      'scan-report/semgrep-oss/',
      'scan-report/semgrep-oss-2/',
    ])
  })

  it('reads a tool or rule named like a property of every JavaScript object as any other name', async () => {
    put('t.sarif', sarif({ level: 'error' }, { name: '__proto__', rules: [{ id: 'r1', name: 'constructor' }] }))
    const r = await run({ sarif: 't.sarif' })
    expect(r.sarif.runs[0].tool.driver.informationUri).toBeUndefined()
    expect(r.result.outputs).toMatchObject({ total: '1', high: '1' })
    await validateSarif(r.sarifText)
  })

  it('names the input whose glob matches nothing, and refuses no input at all', async () => {
    await expect(run({ checkov: 'results/*.json' })).rejects.toThrow(
      /Input 'checkov' has a pattern that matches no file: "results\/\*\.json"/,
    )
    await expect(run({})).rejects.toThrow("Give at least one of the inputs 'trivy', 'checkov' or 'sarif'")
    await expect(run({ trivy: 'x.json', 'fail-on': 'severe' })).rejects.toThrow(
      "Input 'fail-on' must be one of 'critical', 'high', 'medium', 'low', 'unknown', 'none', got \"severe\"",
    )
  })
})

describe('a sarif-output that cannot be written: an error of the input, not a bug', () => {
  const trivy = () => put('t.json', '{"SchemaVersion": 2, "Results": []}')
  it('under a file', async () => {
    put('a-file', 'x')
    await expect(run({ trivy: trivy(), 'sarif-output': 'a-file/merged.sarif' })).rejects.toThrow(
      new RegExp(`^Input 'sarif-output' \\(${dir}/a-file/merged\\.sarif\\) cannot be written: ${dir}/a-file is not a directory\\.$`),
    )
  })
  it('under /proc, where a recursive mkdir never returns', async () => {
    await expect(run({ trivy: trivy(), 'sarif-output': '/proc/no-such-dir/deeper/merged.sarif' })).rejects.toThrow(
      /^Input 'sarif-output' \(\/proc\/no-such-dir\/deeper\/merged\.sarif\) cannot be written: the directory \/proc\/no-such-dir cannot be made \(no such file\)\.$/,
    )
  }, 5_000)
  it('a directory where the file should be', async () => {
    mkdirSync(path.join(dir, 'taken.sarif'))
    await expect(run({ trivy: trivy(), 'sarif-output': 'taken.sarif' })).rejects.toThrow(
      /^Input 'sarif-output' \(.*taken\.sarif\) cannot be written: it is a directory\.$/,
    )
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
  it('a name too long for the file system, or just short enough for it', async () => {
    await expect(run({ trivy: trivy(), 'sarif-output': `${'a'.repeat(300)}.sarif` })).rejects.toThrow(
      /^Input 'sarif-output' \(.*a{300}\.sarif\) cannot be written: its name is too long for the file system\.$/,
    )
    // 255 bytes, the most a name can have: written, though a temporary name beside it with more would not be.
    const longest = `${'b'.repeat(249)}.sarif`
    await run({ trivy: trivy(), 'sarif-output': longest })
    expect(existsSync(path.join(dir, longest))).toBe(true)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
  it('makes the directories it lacks', async () => {
    await run({ trivy: trivy(), 'sarif-output': 'new/deeper/merged.sarif' })
    expect(existsSync(path.join(dir, 'new/deeper/merged.sarif'))).toBe(true)
  })
})

describe('the PR comment', () => {
  it.each([
    ['a long key', 'k'.repeat(300)],
    ['a key past ASCII (its marker is percent-encoded, 9 characters a character)', '画像'.repeat(120)],
  ])('stays within 65,536 characters with %s', async (_, key) => {
    const comments = fakeComments()
    const vulns = Array.from({ length: 3000 }, (_, i) => ({
      VulnerabilityID: `CVE-2099-${i}`,
      PkgName: `pkg-${i}`,
      InstalledVersion: '1.0.0',
      Severity: 'HIGH',
      Title: `A title long enough to fill the comment quickly ${'x'.repeat(60)}`,
    }))
    const trivy = put('many.json', JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'go.sum', Vulnerabilities: vulns }] }))
    await run({ trivy, key, 'max-annotations': '0' }, { comments })
    expect(comments.posted).toHaveLength(1)
    expect(comments.posted[0]!.body.length).toBeGreaterThan(60_000)
    expect(comments.posted[0]!.body.length).toBeLessThanOrEqual(65_536)
  })

  it('posts one comment and updates it; a fork-less skip says why', async () => {
    const comments = fakeComments()
    const input = { checkov: copy(corpusPath('checkov', 'dd-checkov-report-severity.json')) }
    const first = await run(input, { comments })
    await run(input, { comments })
    expect(comments.posted).toHaveLength(1)
    expect(comments.posted[0]!.body.split('\n')[0]).toBe('<!-- infra-actions:scan-report:key=scan-report -->')
    expect(first.result.outputs['comment-url']).toBe('https://github.com/acme/infra/pull/7#issuecomment-1')
    const skipped = await run(input)
    expect(skipped.log.warning).toContain(
      "The PR comment was skipped: no GitHub token (input 'github-token' is empty). The report is in the job summary.",
    )
  })

  it('stays within max-length, keeps verdict and counts, and says what it cut', async () => {
    const many = Array.from({ length: 400 }, (_, i) => ({
      Target: `modules/m${i}/main.tf`,
      Class: 'config',
      Misconfigurations: [{ ID: `AWS-${String(i).padStart(4, '0')}`, Title: `check ${i} `.repeat(8), Severity: 'MEDIUM', Status: 'FAIL' }],
    }))
    const comments = fakeComments()
    await run({ trivy: put('many.json', JSON.stringify({ SchemaVersion: 2, Results: many })), 'max-length': '5000' }, { comments })
    const body = comments.posted[0]!.body
    expect(body.length).toBeLessThanOrEqual(5000)
    expect(body).toContain('| **all** | **0** | **0** | **400** |')
    expect(body).toMatch(/_… and \d+ more findings not shown\._/)
    expect(body).toMatch(/_Shortened to fit 5,000 characters: \d+ findings left out\. The job summary of this run lists more/)
  })

  it('escapes scanner text: no HTML, no mentions, no broken tables', async () => {
    const evil = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 'a|b.tf',
          Class: 'config',
          Misconfigurations: [
            {
              ID: 'AWS-0001',
              Title: '<img src=x onerror=alert(1)> @admins #1 </details>',
              Severity: 'HIGH',
              Status: 'FAIL',
              CauseMetadata: { Resource: 'x`y' },
            },
          ],
        },
      ],
    }
    const r = await run({ trivy: put('evil.json', JSON.stringify(evil)), 'fail-on': 'none' })
    expect(r.summary).not.toMatch(/<img|<\/details> @|@admins/)
    expect(r.summary).toContain('&lt;img src\\=x onerror\\=alert\\(1\\)&gt; @&#8203;admins \\#&#8203;1 &lt;/details&gt; |')
    expect(r.summary).toContain('| `a\\|b.tf` | ``x`y`` |')
  })
})

describe('code scanning limits', () => {
  it('drops the least severe results first and says so', async () => {
    const { findings } = merged(['trivy', 'trivy/trivy-action-config-scan.v0.72.0.json'])
    const sink = memorySink()
    const log = await buildSarif(findings, new Map(), { category: 'c', hasBaseline: false, limits: { resultsPerRun: 5 } }, sink)
    const kept = JSON.parse(sink.text).runs[0].results.map((r: { level: string }) => r.level)
    expect(kept).toEqual(['error', 'error', 'error', 'error', 'error'])
    expect(log.cut).toMatchObject({ results: { high: 0, medium: 1, low: 2 }, reasons: ['code scanning takes at most 5 results per run'] })
    const small = await buildSarif(findings, new Map(), { category: 'c', hasBaseline: false, limits: { gzipBytes: 800 } }, memorySink())
    expect(small.gzipBytes).toBeLessThanOrEqual(800)
    expect(small.cut!.reasons).toEqual(['code scanning takes at most 0.0008 MB compressed'])
  })

  it('over the runs limit, drops the runs whose worst finding is least severe, not the last by name', async () => {
    const { findings } = merged(['trivy', 'trivy/trivy-action-config-scan.v0.72.0.json'])
    const one = (tool: string, severity: 'critical' | 'low') => ({
      ...findings[0]!,
      tool,
      severity,
      locations: [...findings[0]!.locations],
    })
    const many = ['toola', 'toolb', 'toolc'].map((t) => one(t, 'low')).concat(one('toolz', 'critical'))
    const sink = memorySink()
    const log = await buildSarif(many, new Map(), { category: 'c', hasBaseline: false, limits: { runsPerFile: 2 } }, sink)
    const names = JSON.parse(sink.text).runs.map((r: { tool: { driver: { name: string } } }) => r.tool.driver.name)
    expect(names).toContain('toolz')
    expect(names).toHaveLength(2)
    expect(log.cut).toMatchObject({ results: { critical: 0, low: 2 }, reasons: ['code scanning takes at most 2 runs per file'] })
  })

  it('writes the file again, smaller, when the first try is over the compressed limit: one whole log, no leftovers', async () => {
    const inputs = { trivy: copy(corpusPath('trivy', 'trivy-action-config-scan.v0.72.0.json')), 'fail-on': 'none' }
    const full = await run(inputs)
    const before = LIMITS.gzipBytes
    const limit = Math.floor(gzipSync(full.sarifText, { level: 1 }).length * 0.75)
    LIMITS.gzipBytes = limit
    try {
      const r = await run(inputs)
      expect(r.sarif.runs[0].results.length).toBeGreaterThan(0)
      expect(r.sarif.runs[0].results.length).toBeLessThan(full.sarif.runs[0].results.length)
      expect(gzipSync(r.sarifText, { level: 1 }).length).toBeLessThanOrEqual(limit)
      expect(validateSarif(r.sarifText).errors).toEqual([])
      expect(r.summary).toContain('compressed')
      // Nothing claims the cut file still has every finding.
      expect(r.summary).not.toMatch(/has every (finding|one)/)
    } finally {
      LIMITS.gzipBytes = before
    }
  })
})

describe('hostile help links', () => {
  it('writes a SARIF the Multitool accepts and a comment whose link stays a link', async () => {
    const url = 'https://example.com/)@acme/security-team **bold** <b>x</b> [a](javascript:alert(1)) {x}|^`'
    const vuln = { VulnerabilityID: 'CVE-2099-0001', PkgName: 'p', InstalledVersion: '1', Severity: 'HIGH', Title: 't', PrimaryURL: url }
    const trivy = put(
      'hostile.json',
      JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Vulnerabilities: [vuln] }] }),
    )
    const r = await run({ trivy, 'fail-on': 'none' })
    expect(validateSarif(r.sarifText).errors).toEqual([])
    expect(r.summary).not.toContain(')@acme')
  })
})

type SarifLocation = { physicalLocation: { artifactLocation: { uri: string } } }
/** Every location's URI of one result of the merged SARIF. */
const urisOf = (result: { locations: SarifLocation[] }): string[] => result.locations.map((l) => l.physicalLocation.artifactLocation.uri)
/** The first location's URI of each result of the first run. */
const firstUris = (sarif: { runs: { results: { locations: SarifLocation[] }[] }[] }): string[] =>
  sarif.runs[0]!.results.map((x) => urisOf(x)[0] as string)

/** A result as Trivy's SARIF writer makes it: the facts in the message text, the URI relative to ROOTPATH, 1:1 when there is no line. */
function trivyResult(ruleIndex: number, ruleId: string, level: string, text: string, uri: string, [startLine, endLine] = [1, 1]) {
  return {
    ruleId,
    ruleIndex,
    level,
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: 'ROOTPATH' }, region: { startLine, endLine } } }],
  }
}

describe("trivy-root: Trivy's paths are relative to the directory it scanned", () => {
  // `trivy config infra` and `trivy fs infra` from the workspace root: targets relative to infra/.
  const json = {
    SchemaVersion: 2,
    ArtifactName: 'infra',
    ArtifactType: 'filesystem',
    Results: [
      {
        Target: 'main.tf',
        Class: 'config',
        Type: 'terraform',
        Misconfigurations: [
          {
            ID: 'AWS-0086',
            AVDID: 'AVD-AWS-0086',
            Title: 'S3 Access block should block public ACL',
            Severity: 'HIGH',
            Status: 'FAIL',
            PrimaryURL: 'https://avd.aquasec.com/misconfig/avd-aws-0086',
            CauseMetadata: { Resource: 'aws_s3_bucket.logs', Provider: 'AWS', Service: 's3', StartLine: 3, EndLine: 7 },
          },
        ],
      },
      {
        Target: 'app/package-lock.json',
        Class: 'lang-pkgs',
        Type: 'npm',
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-2024-0001',
            PkgName: 'left-pad',
            InstalledVersion: '1.0.0',
            FixedVersion: '1.0.1',
            Severity: 'MEDIUM',
            Title: 'pads',
          },
        ],
      },
    ],
  }
  const sarif = {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Trivy',
            version: '0.72.0',
            rules: [
              { id: 'AWS-0086', name: 'Misconfiguration', shortDescription: { text: 'S3 Access block should block public ACL' } },
              { id: 'CVE-2024-0001', name: 'LanguageSpecificPackageVulnerability', shortDescription: { text: 'pads' } },
            ],
          },
        },
        results: [
          trivyResult(
            0,
            'AWS-0086',
            'error',
            'Artifact: main.tf\nType: terraform\nVulnerability AWS-0086\nSeverity: HIGH\nMessage: public ACL',
            'main.tf',
            [3, 7],
          ),
          trivyResult(
            1,
            'CVE-2024-0001',
            'warning',
            'Package: left-pad\nInstalled Version: 1.0.0\nVulnerability CVE-2024-0001\nSeverity: MEDIUM\nFixed Version: 1.0.1',
            'app/package-lock.json',
          ),
        ],
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///home/runner/work/infra/infra/infra/' } },
      },
    ],
  }

  it('places the JSON and the SARIF of one scan under it: annotations, SARIF URIs and ignore globs see workspace paths, counted once', async () => {
    put('ignore.yml', '- id: CVE-2024-0001\n  path: infra/app/*.json\n  reason: test fixture only\n')
    const r = await run({
      trivy: [put('trivy.json', JSON.stringify(json)), put('trivy.sarif', JSON.stringify(sarif))].join('\n'),
      'trivy-root': 'infra/',
      'ignore-file': 'ignore.yml',
    })
    expect(r.result.outputs).toMatchObject({ total: '1', suppressed: '1', high: '1' })
    expect(r.annotations.map((a) => `${a.file}:${a.startLine}`)).toEqual(['infra/main.tf:3'])
    expect(firstUris(r.sarif).sort()).toEqual(['infra/app/package-lock.json', 'infra/main.tf'])
    expect(validateSarif(r.sarifText).errors).toEqual([])
    // A Trivy SARIF in input 'sarif' is read as written, and the summary says so.
    const mixed = await run({ trivy: 'trivy.json', sarif: 'trivy.sarif', 'trivy-root': 'infra' })
    expect(mixed.summary).toMatch(
      /the Trivy run of trivy\S+sarif came in input \S+sarif\S+, so its paths are as Trivy wrote them\S+ trivy\S+root applies/,
    )
    // Without it, the paths are as Trivy wrote them (the documented default).
    const plain = await run({ trivy: 'trivy.json\ntrivy.sarif' })
    expect(plain.annotations.map((a) => a.file)).toEqual(['main.tf', 'app/package-lock.json'])
  })

  it('reads its own merged SARIF as a baseline without placing its paths a second time', async () => {
    await run({ trivy: put('trivy.json', JSON.stringify(json)), 'trivy-root': 'infra', 'sarif-output': 'base.sarif' })
    const r = await run({ trivy: 'trivy.json', 'trivy-root': 'infra', baseline: 'base.sarif' })
    expect(r.result.outputs).toMatchObject({ total: '2', new: '0' })
  })

  it('leaves image targets alone, even when the SARIF says it was an image only after its results', async () => {
    const image = structuredClone(sarif) as typeof sarif & { runs: { properties?: unknown }[] }
    image.runs[0]!.properties = { imageName: 'acme/app:1.0' }
    const r = await run({ trivy: put('image.sarif', JSON.stringify(image)), 'trivy-root': 'infra' })
    expect(firstUris(r.sarif).sort()).toEqual(['app/package-lock.json', 'main.tf'])
    expect(r.annotations).toEqual([])
  })

  it("resolves a target's .. segments under it, and a target that leaves the workspace is no file of it", async () => {
    // A real shape (`trivy config tofu/clusters/sandbox` reaching a shared module).
    const up = structuredClone(json)
    up.Results[0]!.Target = '../../aws-credentials/main.tf'
    up.Results[1]!.Target = '../../../../outside/package-lock.json'
    const r = await run({ trivy: put('up.json', JSON.stringify(up)), 'trivy-root': 'tofu/clusters/sandbox' })
    expect(r.annotations.map((a) => a.file)).toEqual(['tofu/aws-credentials/main.tf'])
    expect(r.result.outputs.total).toBe('2')
  })

  it('places no absolute target under it (/abs, C:\\, file://) nor an empty one: no file of the checkout, kept as written', async () => {
    const odd = structuredClone(json)
    const misconfiguration = odd.Results[0]!
    odd.Results = ['/abs/path.tf', 'C:\\win\\x.tf', 'file:///etc/x.tf', ''].map((Target) => ({ ...misconfiguration, Target }))
    const r = await run({ trivy: put('odd.json', JSON.stringify(odd)), 'trivy-root': 'infra' })
    expect(r.annotations).toEqual([])
    expect(r.result.outputs.total).toBe('4')
    expect(r.sarifText).not.toContain('infra/')
  })

  it('places license files and the paths of packages (a jar of the checkout) too, so JSON and SARIF still fold', async () => {
    const licenses = {
      SchemaVersion: 2,
      ArtifactName: 'infra',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'Loose File License(s)',
          Class: 'license-file',
          Licenses: [{ Name: 'GPL-3.0', FilePath: 'vendor/lib/LICENSE', Severity: 'HIGH', Category: 'restricted' }],
        },
        {
          Target: 'app/lib/foo.jar',
          Class: 'lang-pkgs',
          Type: 'jar',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2024-0002',
              PkgName: 'foo',
              PkgPath: 'app/lib/foo.jar',
              InstalledVersion: '1.0',
              Severity: 'LOW',
              Title: 'foo',
            },
          ],
        },
      ],
    }
    const licenseSarif = structuredClone(sarif)
    const trivyRun = licenseSarif.runs[0]!
    trivyRun.tool.driver.rules = [{ id: 'GPL-3.0', name: 'License', shortDescription: { text: 'GPL-3.0' } }]
    trivyRun.results = [
      trivyResult(
        0,
        'GPL-3.0',
        'error',
        'Artifact: Loose File License(s)\nLicense GPL-3.0\nPkgName: \n Classification: restricted\n Path: vendor/lib/LICENSE',
        'vendor/lib/LICENSE',
      ),
    ]
    put('ignore.yml', '- id: GPL-3.0\n  path: infra/vendor/**\n  reason: vendored under its own terms\n')
    const r = await run({
      trivy: [put('lic.json', JSON.stringify(licenses)), put('lic.sarif', JSON.stringify(licenseSarif))].join('\n'),
      'trivy-root': 'infra',
      'ignore-file': 'ignore.yml',
    })
    expect(r.result.outputs).toMatchObject({ total: '1', suppressed: '1' })
    const jar = r.sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'CVE-2024-0002')
    expect(urisOf(jar)).toEqual(['infra/app/lib/foo.jar'])
  })

  it.each([
    ['../elsewhere', /must be a directory inside the workspace/],
    ['/etc', /must be a directory inside the workspace/],
    ['trivy.json', /names a file \("trivy.json"\); give the directory Trivy scanned/],
    ['x'.repeat(300), /^Input 'trivy-root' cannot be read: its name is too long for the file system \("x{40}/],
  ])("refuses trivy-root '%s'", async (value, message) => {
    await expect(run({ trivy: put('trivy.json', JSON.stringify(json)), 'trivy-root': value })).rejects.toThrow(message)
  })

  it('takes an absolute path inside the workspace, and . for the workspace itself', async () => {
    put('trivy.json', JSON.stringify(json))
    const absolute = await run({ trivy: 'trivy.json', 'trivy-root': path.join(dir, 'infra') })
    expect(absolute.annotations.map((a) => a.file)).toEqual(['infra/main.tf', 'infra/app/package-lock.json'])
    // No such directory in this checkout (a typo?): said, and the paths placed all the same.
    expect(absolute.log.warning.join('\n')).toMatch(/trivy-root 'infra' is no directory of this checkout/)
    mkdirSync(path.join(dir, 'infra'))
    const there = await run({ trivy: 'trivy.json', 'trivy-root': 'infra' })
    expect(there.log.warning.join('\n')).not.toMatch(/trivy-root/)
    const dot = await run({ trivy: 'trivy.json', 'trivy-root': '.' })
    expect(dot.annotations.map((a) => a.file)).toEqual(['main.tf', 'app/package-lock.json'])
  })
})
