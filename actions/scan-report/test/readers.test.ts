import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusFiles, corpusPath } from '../../../test/support/corpus.js'
import { readResultFile, type ResultFile } from '../src/load.js'
import type { Kind } from '../src/model.js'
import type { ToolReport } from '../src/report.js'
import { readTrivyJson } from '../src/trivy-json.js'
import { read } from './support.js'

// Every Trivy and Checkov file of the corpus, with what it holds counted by reading the file
// (not by running this code): findings per kind as the reader returns them (before dedupe),
// how many the scanner itself suppressed, Checkov's passed checks, and records skipped with a note.
interface Expected {
  v?: number
  m?: number
  s?: number
  l?: number
  suppressed?: number
  passed?: number
  notes?: number
  version?: string
}
const TRIVY: Record<string, Expected> = {
  'dd-trivy-issue_14136.json': { m: 1 },
  // 2 images × 5 vulnerabilities, 2 deployments × 5 failed checks (services pass everything).
  'dd-trivy-kubernetes.json': { v: 10, m: 10 },
  'dd-trivy-legacy_no_vuln.json': {},
  // composer's entry has only a PkgName: skipped with a note; lodash + 5 alpine.
  'dd-trivy-legacy_trivy_mix.json': { v: 6, notes: 1 },
  // 17 package licenses + 2 loose files.
  'dd-trivy-license_scheme.json': { l: 19 },
  'dd-trivy-misconfigurations_and_secrets.json': { v: 2, m: 1, s: 2 },
  'dd-trivy-scheme_2_no_vuln.json': {},
  'secobserve-trivy_config.v0.47.0.sarif': { m: 1, version: '0.47.0' },
  // The `.` result only carries a MisconfSummary.
  'trivy-action-config-scan.v0.60.0.json': { m: 9 },
  'trivy-action-config-scan.v0.72.0.json': { m: 8, version: '0.72.0' },
  'trivy-action-config.v0.60.0.sarif': { m: 9 },
  'trivy-action-config.v0.72.0.sarif': { m: 8 },
  'trivy-action-secret-scan.v0.72.0.json': { s: 1, version: '0.72.0' },
  'trivy-alpine-310.json.golden': { v: 4, version: 'dev' },
  'trivy-alpine-310.sarif.golden': { v: 4, version: 'dev' },
  'trivy-alpine-39-skip.no-results.json.golden': { version: 'dev' },
  'trivy-dockerfile.json.golden': { m: 1, version: 'dev' },
  'trivy-dockerfile.pre-v0.69.json.golden': { m: 1 },
  // One reported, one suppressed by a VEX statement (ExperimentalModifiedFindings).
  'trivy-npm-with-suppressed.json.golden': { v: 2, suppressed: 1 },
  'trivy-npm.json.golden': { v: 1, version: 'dev' },
  'trivy-pip.json.golden': { v: 2, version: 'dev' },
  'trivy-secrets.json.golden': { s: 2, version: 'dev' },
}
const CHECKOV: Record<string, Expected> = {
  // runs[0] has no `tool`: read as Checkov's because it came in input 'checkov', with a note.
  'checkov-openapi-runner-results.trimmed.sarif': { m: 12, notes: 1 },
  'dd-checkov-report-0-vuln.json': { passed: 0, version: '1.0.467' },
  'dd-checkov-report-1-vuln.json': { m: 1, passed: 0, version: '1.0.467' },
  // Its summary says failed: 2; the list has 3, and the list is what counts.
  'dd-checkov-report-many-vuln.json': { m: 3, passed: 0, version: '1.0.467' },
  'dd-checkov-report-multiple-check_type.json': { m: 13, passed: 15, version: '2.0.209' },
  'dd-checkov-report-severity.json': { m: 4, passed: 0, version: '2.2.34' },
  'dd-checkov2-report-0-vuln.json': { passed: 0, version: '2.1.269' },
  'secobserve-checkov.v2.1.277.sarif': { m: 4, version: '2.1.277' },
  'skyfjell-results_json.v2.1.87.json': { passed: 0, version: '2.1.87' },
}

function tally(reports: ToolReport[]) {
  const findings = reports.flatMap((r) => r.findings)
  const of = (k: Kind): number => findings.filter((f) => f.kind === k).length
  return {
    v: of('vulnerability'),
    m: of('misconfiguration'),
    s: of('secret'),
    l: of('license'),
    other: of('other'),
    suppressed: findings.filter((f) => f.suppressedBy).length,
    passed: reports.reduce((n, r) => n + r.passed, 0),
    notes: reports.reduce((n, r) => n + r.notes.length, 0),
    version: reports[0]?.version,
  }
}

const expectation = (e: Expected) => ({
  v: e.v ?? 0,
  m: e.m ?? 0,
  s: e.s ?? 0,
  l: e.l ?? 0,
  other: 0,
  suppressed: e.suppressed ?? 0,
  passed: e.passed ?? 0,
  notes: e.notes ?? 0,
  version: e.version,
})

describe('the corpus, file by file', () => {
  it('has an expectation for every Trivy and Checkov file', () => {
    expect(corpusFiles('trivy').sort()).toEqual(Object.keys(TRIVY).sort())
    expect(corpusFiles('checkov').sort()).toEqual(Object.keys(CHECKOV).sort())
  })

  it.each(Object.entries(TRIVY))('trivy/%s', (name, expected) => {
    const reports = read('trivy', `trivy/${name}`)
    expect(reports.every((r) => r.tool === 'Trivy')).toBe(true)
    expect(tally(reports)).toEqual(expectation(expected))
  })

  it.each(Object.entries(CHECKOV))('checkov/%s', (name, expected) => {
    const reports = read('checkov', `checkov/${name}`)
    expect(reports.every((r) => r.tool === 'Checkov')).toBe(true)
    expect(tally(reports)).toEqual(expectation(expected))
  })
})

describe('Trivy before 0.20', () => {
  it("reads a pre-0.20 report's OS packages as no files of the repository", () => {
    const legacy = [
      {
        Target: 'trivy-ci-test (alpine 3.7.1)',
        Type: 'alpine',
        Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'musl', Severity: 'HIGH' }],
      },
      { Target: 'Gemfile.lock', Type: 'bundler', Vulnerabilities: [{ VulnerabilityID: 'CVE-2', PkgName: 'rack', Severity: 'HIGH' }] },
    ]
    const [os, lockfile] = readTrivyJson(legacy, 't.json').findings
    expect(os!.locations).toEqual([{ file: 'trivy-ci-test', isFile: false }])
    expect(lockfile!.locations).toEqual([{ file: 'Gemfile.lock', isFile: true }])
  })
})

describe('Trivy fields', () => {
  it('reads a vulnerability with its package, fixed version, PURL and lockfile lines', () => {
    const [f] = read('trivy', 'trivy/trivy-npm.json.golden')[0]!.findings
    expect(f).toMatchObject({
      ruleId: 'CVE-2019-11358',
      severity: 'medium',
      package: { name: 'jquery', installedVersion: '3.3.9', fixedVersion: '3.4.0', purl: 'pkg:npm/jquery@3.3.9' },
      locations: [{ file: 'package-lock.json', isFile: true, startLine: 11, endLine: 15 }],
    })
  })

  it('places OS packages in the image, not in a file, with the distro suffix gone', () => {
    const f = read('trivy', 'trivy/trivy-alpine-310.json.golden')[0]!.findings[0]!
    expect(f.locations).toEqual([{ file: 'testdata/fixtures/images/alpine-310.tar.gz', isFile: false }])
    expect(f.target).toBe('testdata/fixtures/images/alpine-310.tar.gz (alpine 3.10.2)')
  })

  it('reads misconfigurations with resource and lines, and only failed ones', () => {
    const all = read('trivy', 'trivy/trivy-action-config-scan.v0.72.0.json')[0]!.findings
    expect(all[0]).toMatchObject({
      ruleId: 'AWS-0086',
      severity: 'high',
      resource: 'aws_s3_bucket.bucket',
      locations: [{ file: 'main.tf', startLine: 8, endLine: 10 }],
    })
  })

  it('keeps a secret masked, as Trivy masked it, and never its code lines', () => {
    const reports = read('trivy', 'trivy/trivy-secrets.json.golden')
    expect(reports[0]!.findings.map((f) => f.masked)).toEqual(['export AWS_ACCESS_KEY_ID=********************', 'echo ********'])
    expect(JSON.stringify(reports)).not.toMatch(/AKIA|"Code"|"Lines"/)
  })

  it('reads k8s reports with the object as the resource', () => {
    const f = read('trivy', 'trivy/dd-trivy-kubernetes.json')[0]!.findings.find((x) => x.kind === 'misconfiguration')!
    expect(f).toMatchObject({
      ruleId: 'KSV001',
      resource: 'default/Deployment/redis-follower',
      locations: [{ file: 'Deployment/redis-follower', isFile: false, startLine: 132 }],
    })
  })

  it('reads licenses of packages and of loose files', () => {
    const findings = read('trivy', 'trivy/dd-trivy-license_scheme.json')[0]!.findings
    expect(findings[0]).toMatchObject({ ruleId: 'GPL-2.0', severity: 'high', package: { name: 'alpine-baselayout' } })
    expect(findings.at(-1)).toMatchObject({ ruleId: 'OpenSSL', locations: [{ file: '/etc/ssl/misc/tsget.pl', isFile: false }] })
  })

  it('reads the SARIF facts out of the message text', () => {
    const f = read('trivy', 'trivy/trivy-alpine-310.sarif.golden')[0]!.findings[0]!
    expect(f).toMatchObject({
      kind: 'vulnerability',
      severity: 'medium',
      package: { name: 'libcrypto1.1', installedVersion: '1.1.1c-r0', fixedVersion: '1.1.1d-r0' },
    })
  })
})

describe('fixtures for what the corpus lacks (built from the formats, see test/fixtures/README.md)', () => {
  it('Checkov 3 JSON: an array of frameworks with skipped, secret and SCA records', () => {
    const reports = read('checkov', 'fixtures/checkov3-frameworks.json', 'low')
    expect(tally(reports)).toEqual(expectation({ m: 2, s: 1, v: 1, l: 1, suppressed: 1, passed: 1, version: '3.2.255' }))
    const [failed, skipped, secret, cve, license] = reports[0]!.findings
    expect(failed).toMatchObject({
      ruleId: 'CKV_AWS_20',
      severity: 'low',
      resource: 'aws_s3_bucket.site',
      locations: [{ file: 'infra/main.tf', startLine: 11, endLine: 13 }],
    })
    expect(skipped!.suppressedBy).toEqual({ by: 'scanner', kind: 'inSource', reason: 'Logs bucket does not log itself', source: 'Checkov' })
    expect(secret).toMatchObject({ kind: 'secret', ruleId: 'CKV_SECRET_2', locations: [{ file: 'infra/deploy.sh', startLine: 3 }] })
    expect(cve).toMatchObject({
      kind: 'vulnerability',
      ruleId: 'CVE-2021-23337',
      severity: 'high',
      package: { name: 'lodash', installedVersion: '4.17.15', fixedVersion: '4.17.21' },
    })
    expect(cve!.locations).toEqual([{ file: 'infra/package.json', isFile: true }])
    expect(license).toMatchObject({ kind: 'license', ruleId: 'BC_LIC_1', package: { name: 'left-pad', installedVersion: '1.3.0' } })
    expect(JSON.stringify(reports)).not.toContain('AKIA')
  })

  it('Checkov 3 SARIF: suppressions, known severities, SCA rule ids', () => {
    const findings = read('checkov', 'fixtures/checkov3.sarif', 'low')[0]!.findings
    expect(findings.map((f) => [f.kind, f.ruleId, f.severity, !!f.suppressedBy])).toEqual([
      ['misconfiguration', 'CKV_AWS_20', 'low', false],
      ['misconfiguration', 'CKV_AWS_18', 'low', true],
      ['vulnerability', 'CVE-2021-23337', 'high', false],
    ])
    expect(findings[2]!.package).toEqual({ name: 'lodash', installedVersion: '4.17.15' })
  })

  it('Trivy secret and license SARIF', () => {
    const [secret, license] = read('trivy', 'fixtures/trivy-secret-license.sarif')[0]!.findings
    expect(secret).toMatchObject({
      kind: 'secret',
      ruleId: 'aws-access-key-id',
      severity: 'critical',
      masked: 'export AWS_ACCESS_KEY_ID=********************',
    })
    expect(secret!.locations).toEqual([{ file: 'deploy.sh', isFile: true, startLine: 3, endLine: 3 }])
    expect(license).toMatchObject({ kind: 'license', ruleId: 'GPL-3.0', severity: 'high', package: { name: 'lodash' } })
  })
})

describe('reading as a stream (element by element) reads what a whole-document reading reads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stream-'))
  const put = (name: string, content: unknown): ResultFile => {
    const f = path.join(dir, name)
    writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
    return { input: name.startsWith('checkov') ? 'checkov' : 'trivy', file: f, label: name }
  }
  const readFile = (f: ResultFile) => readResultFile(f, { checkovSeverity: 'medium', root: dir })
  const findingsOf = (reports: ToolReport[]) => reports.flatMap((r) => r.findings).map((f) => ({ ...f, source: '' }))

  it('gives the same findings whatever the order of the members (a Trivy report with Results before ArtifactType)', () => {
    const doc = JSON.parse(readFileSync(corpusPath('trivy', 'trivy-alpine-310.json.golden'), 'utf8')) as Record<string, unknown>
    const { Results, ...rest } = doc
    const usual = readFile(put('trivy-usual.json', doc))
    const reordered = readFile(put('trivy-reordered.json', { Results, ...rest }))
    expect(findingsOf(usual).length).toBeGreaterThan(0)
    expect(findingsOf(reordered)).toEqual(findingsOf(usual))
    // An image scan: no location is a file of the repository, either way.
    expect(findingsOf(reordered).every((f) => f.locations.every((l) => !l.isFile))).toBe(true)
  })

  it("takes a SARIF run's image scan (properties after results, as Trivy writes them) as no repository files", () => {
    const log = JSON.parse(readFileSync(corpusPath('trivy', 'trivy-action-config.v0.72.0.sarif'), 'utf8')) as {
      runs: Record<string, unknown>[]
    }
    const plain = findingsOf(readFile(put('trivy-plain.sarif', log)))
    expect(plain.some((f) => f.locations.some((l) => l.isFile))).toBe(true)
    log.runs[0]!.properties = { imageName: 'registry.example.com/app:1' }
    const image = findingsOf(readFile(put('trivy-image.sarif', log)))
    expect(image).toHaveLength(plain.length)
    expect(image.every((f) => f.locations.every((l) => !l.isFile))).toBe(true)
  })

  it('reads a Checkov list of reports, its passed checks counted', () => {
    const report = (checkType: string, failed: number, passed: number) => ({
      check_type: checkType,
      results: {
        passed_checks: Array.from({ length: passed }, (_, i) => ({ check_id: `CKV_P_${i}` })),
        failed_checks: Array.from({ length: failed }, (_, i) => ({
          check_id: `CKV_AWS_${i}`,
          check_name: `check ${i}`,
          file_path: `/m${i}.tf`,
          file_line_range: [i + 1, i + 2],
          resource: `aws_s3_bucket.b${i}`,
        })),
      },
      summary: { passed, failed, checkov_version: '3.2.0' },
    })
    const [r] = readFile(put('checkov-list.json', [report('terraform', 3, 4), report('secrets', 2, 1)]))
    expect(r!.findings.map((f) => `${f.target}:${f.ruleId}`)).toEqual([
      'terraform:CKV_AWS_0',
      'terraform:CKV_AWS_1',
      'terraform:CKV_AWS_2',
      'secrets:CKV_AWS_0',
      'secrets:CKV_AWS_1',
    ])
    expect(r!.passed).toBe(5)
  })

  it('keeps the order of a whole reading when Checkov lists come in an unusual order (failed before skipped, report by report)', () => {
    const check = (id: string, file: string, guideline?: string) => ({
      check_id: id,
      file_path: file,
      file_line_range: [1, 2],
      resource: 'r',
      guideline,
    })
    const ids = (reports: ToolReport[]) => reports.flatMap((r) => r.findings.map((x) => x.ruleId))
    const skippedFirst = {
      check_type: 'terraform',
      results: { skipped_checks: [check('CKV_9', '/z.tf')], failed_checks: [check('CKV_1', '/a.tf')] },
    }
    expect(ids(readFile(put('checkov-skipped-first.json', skippedFirst)))).toEqual(['CKV_1', 'CKV_9'])
    // The first report names its type after its results (kept for later); the second must not overtake it.
    const list = [
      { results: { failed_checks: [check('CKV_1', '/a.tf', 'https://a.example')] }, check_type: 'terraform' },
      { check_type: 'terraform', results: { failed_checks: [check('CKV_1', '/a.tf', 'https://b.example'), check('CKV_2', '/b.tf')] } },
    ]
    const [r] = readFile(put('checkov-late-type.json', list))
    expect(r!.findings.map((x) => `${x.ruleId} ${x.helpUrl ?? ''}`)).toEqual([
      'CKV_1 https://a.example',
      'CKV_1 https://b.example',
      'CKV_2 ',
    ])
  })

  it('reads a Checkov check_type of white space as a whole reading does (no target)', () => {
    const doc = { check_type: ' ', results: { failed_checks: [{ check_id: 'CKV_1', file_path: '/a.tf' }, { foo: 1 }] } }
    const [r] = readFile(put('checkov-blank-type.json', doc))
    expect(r!.findings[0]!.target).toBeUndefined()
    expect(r!.notes).toEqual(['a Checkov record without check_id was skipped'])
  })

  it('says what is wrong with a SARIF log in the order a whole reading says it: the version first, broken JSON before a run without a tool', () => {
    const sarif = (name: string, text: string): ResultFile => ({ ...put(name, text), input: 'trivy' })
    expect(() =>
      readFile(sarif('v2.sarif', '{"version":"2.0.0","runs":[{"tool":{"driver":{"name":"Foo"}},"results":[{"ruleId":"x"}]}]}')),
    ).toThrow(/is SARIF 2\.0\.0; only SARIF 2\.1\.0 is read/)
    const broken = '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Foo"}},"results":[{"ruleId":"x"}]}], "x": }'
    expect(() => readFile(sarif('broken.sarif', broken))).toThrow(/is not valid JSON/)
    const twoRuns = '{"$schema":"x","runs":[{"tool":{"driver":{}}},{"tool":{"driver":{"name":"Foo"}},"results":[{"ruleId":"x"}]}]}'
    expect(() => readFile({ ...sarif('two.sarif', twoRuns), input: 'sarif' } as ResultFile)).toThrow(/run 1 has no tool\.driver\.name/)
  })

  it('refuses a member written twice where it reads as a stream, naming the file and the line', () => {
    const twice = `{"SchemaVersion": 2, "ArtifactType": "filesystem",\n "Results": [{"Target": "a.tf", "Misconfigurations": [{"ID": "AWS-0001", "Status": "FAIL", "Severity": "HIGH"}]}],\n "Results": []}`
    expect(() => readFile(put('trivy-twice.json', twice))).toThrow(
      /^Input 'trivy' \(trivy-twice\.json\) has the member "Results" twice in one object \(line 3, column 2\)/,
    )
    // A long name (it could be anything, even a token) is cut in the message.
    const name = `ghp_${'A'.repeat(2000)}`
    let message = ''
    try {
      readFile(put('trivy-long-twice.json', `{"SchemaVersion":2,"${name}":1,"${name}":2}`))
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/has the member "ghp_A+\.\.\." twice/)
    expect(message.length).toBeLessThan(400)
  })

  it('does not suppress a SARIF result whose suppressions include a rejected or pending one', () => {
    for (const status of ['rejected', 'underReview']) {
      const log = {
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'tfsec', rules: [{ id: 'R1', properties: { 'security-severity': '9.5' } }] } },
            results: [{ ruleId: 'R1', message: { text: 'bad' }, suppressions: [{ kind: 'external' }, { kind: 'external', status }] }],
          },
        ],
      }
      const [f] = findingsOf(readFile({ ...put(`sup-${status}.sarif`, log), input: 'sarif' }))
      expect(f).toMatchObject({ severity: 'critical', suppressedBy: undefined })
    }
  })

  it('refuses a file that mixes two formats', () => {
    const mixed = { SchemaVersion: 2, ArtifactType: 'filesystem', Results: [{ Target: 'a.tf' }], version: '2.1.0', runs: [] }
    expect(() => readFile(put('trivy-mixed.json', mixed))).toThrow(/mixes the shapes of several report formats/)
  })

  it('says where broken JSON breaks, by line and column, without quoting it', () => {
    expect(() => readFile(put('trivy-broken.json', '{"SchemaVersion": 2,\n  "Results": [{"Target": "secret-value"]}'))).toThrow(
      /^Input 'trivy' \(trivy-broken\.json\) is not valid JSON: malformed JSON at line 2, column \d+: .*\. A truncated file/,
    )
    expect(() => readFile(put('trivy-cut.json', '{"SchemaVersion": 2, "Results": [{"Target"'))).toThrow(
      /it ends early \(truncated\?\): the JSON stops at byte 42 with brackets or a string still open/,
    )
  })
})
