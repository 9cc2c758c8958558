import { describe, expect, it } from 'vitest'
import { mergeFindings } from '../src/dedupe.js'
import { readCheckovJson } from '../src/checkov-json.js'
import { readSarif } from '../src/sarif-read.js'
import { readTrivyJson } from '../src/trivy-json.js'
import {
  SEVERITIES,
  canonicalTrivyRule,
  compareFiles,
  newFinding,
  severityRank,
  underRoot,
  type Finding,
  type Severity,
} from '../src/model.js'
import { sortWorstFirst } from '../src/decide.js'
import { emptyReport } from '../src/report.js'
import { merged } from './support.js'

/** The order sortWorstFirst must give, as a comparison of two findings (the oracle). */
function worstFirst(a: Finding, b: Finding): number {
  return (
    Number(a.baseline === 'unchanged') - Number(b.baseline === 'unchanged') ||
    severityRank(a.severity) - severityRank(b.severity) ||
    (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0) ||
    compareFiles(a.locations[0]?.file ?? '', b.locations[0]?.file ?? '') ||
    (a.locations[0]?.startLine ?? 0) - (b.locations[0]?.startLine ?? 0) ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  )
}

describe('rule ids across Trivy versions', () => {
  it('folds the AVD prefix and the v2 dash-and-four-digits spelling into one rule', () => {
    expect(['AVD-AWS-0086', 'AWS-0086'].map(canonicalTrivyRule)).toEqual(['AWS-0086', 'AWS-0086'])
    expect(['DS002', 'AVD-DS-0002', 'DS-0002'].map(canonicalTrivyRule)).toEqual(['DS-0002', 'DS-0002', 'DS-0002'])
    expect(['KSV001', 'CVE-2019-1549', 'CKV_AWS_20', 'GHSA-jf85-cpcp-j695', 'aws-access-key-id'].map(canonicalTrivyRule)).toEqual([
      'KSV-0001',
      'CVE-2019-1549',
      'CKV_AWS_20',
      'GHSA-jf85-cpcp-j695',
      'aws-access-key-id',
    ])
  })

  it('gives a misconfiguration the same identity before and after the 0.69 rename', () => {
    const before = merged(['trivy', 'trivy/trivy-action-config-scan.v0.60.0.json']).findings
    const after = merged(['trivy', 'trivy/trivy-action-config-scan.v0.72.0.json']).findings
    const fp = (fs: typeof before) => new Map(fs.map((f) => [f.rule, f.partialFingerprint]))
    const a = fp(before)
    // AWS-0088 is gone from 0.72's checks; every other rule keeps its identity.
    for (const [rule, p] of fp(after)) expect(a.get(rule), rule).toBe(p)
    expect([...a.keys()].filter((r) => !fp(after).has(r))).toEqual(['AWS-0088'])
    // `s3-bucket-logging` was AVD-AWS-0089's ID before 0.69.
    expect(a.has('AWS-0089')).toBe(true)
    const docker = ['trivy/trivy-dockerfile.pre-v0.69.json.golden', 'trivy/trivy-dockerfile.json.golden'].map(
      (n) => merged(['trivy', n]).findings[0]!,
    )
    expect(docker.map((f) => f.rule)).toEqual(['DS-0002', 'DS-0002'])
    expect(docker[0]!.partialFingerprint).toBe(docker[1]!.partialFingerprint)
  })
})

describe('dedupe', () => {
  it('merges the JSON and SARIF of one scan', () => {
    expect(merged(['trivy', 'trivy/trivy-alpine-310.json.golden'], ['trivy', 'trivy/trivy-alpine-310.sarif.golden'])).toMatchObject({
      findings: { length: 4 },
      duplicates: 4,
    })
    const config = merged(['trivy', 'trivy/trivy-action-config-scan.v0.72.0.json'], ['trivy', 'trivy/trivy-action-config.v0.72.0.sarif'])
    expect(config.findings).toHaveLength(8)
    expect(config.findings.every((f) => f.resource && f.sources.length === 2)).toBe(true)
    // Older Trivy: the SARIF says `s3-bucket-logging`, the JSON pairs it with AVD-AWS-0089.
    expect(
      merged(['trivy', 'trivy/trivy-action-config-scan.v0.60.0.json'], ['trivy', 'trivy/trivy-action-config.v0.60.0.sarif']).findings,
    ).toHaveLength(9)
    const checkov = merged(['checkov', 'fixtures/checkov3-frameworks.json'], ['checkov', 'fixtures/checkov3.sarif'])
    expect(checkov.findings).toHaveLength(5)
    expect(checkov.duplicates).toBe(3)
  })

  it('counts one CVE in one package once when several images have it, keeping every location', () => {
    const { findings } = merged(['trivy', 'trivy/dd-trivy-kubernetes.json'])
    const apt = findings.filter((f) => f.rule === 'CVE-2020-27350')
    expect(apt).toHaveLength(1)
    expect(apt[0]!.locations.map((l) => l.file)).toEqual(['gcr.io/google_samples/gb-redis-follower:v2', 'docker.io/redis:6.0.5'])
    expect(findings.filter((f) => f.kind === 'vulnerability')).toHaveLength(5)
  })

  it('counts a report given twice once', () => {
    const twice = merged(['trivy', 'trivy/trivy-secrets.json.golden'], ['trivy', 'trivy/trivy-secrets.json.golden'])
    expect(twice.findings).toHaveLength(2)
    expect(twice.duplicates).toBe(2)
  })

  it('keeps identities free of line numbers', () => {
    const { findings } = merged(['trivy', 'trivy/trivy-action-config-scan.v0.72.0.json'])
    for (const f of findings) expect(f.identity).not.toMatch(/@\d|\|8\||\|16\|/)
  })

  it('numbers findings that share an identity by place, so each fingerprint is distinct', () => {
    // Two secrets of one rule in one file, told apart by Trivy's masked match.
    const { findings } = merged(['trivy', 'trivy/dd-trivy-misconfigurations_and_secrets.json'])
    const fps = findings.map((f) => f.partialFingerprint)
    expect(new Set(fps).size).toBe(fps.length)
    for (const fp of fps) expect(fp).toMatch(/^[0-9a-f]{32}:\d+$/)
  })

  it('numbers a finding keyed by its identity together with line-keyed findings of that identity', () => {
    // A k8s object without a name gives a resource of '': its key is its identity, which two
    // SARIF results without a resource (keyed by their lines) share.
    const report = emptyReport('Trivy')
    for (const [line, resource] of [
      [3, ''],
      [9, undefined],
      [1, undefined],
    ] as const) {
      const f = newFinding('Trivy', 'misconfiguration', 'KSV001', 'high', 't', 'scan')
      f.locations = [{ file: 'deploy.yaml', isFile: true, startLine: line, endLine: line }]
      f.resource = resource
      report.findings.push(f)
    }
    const { findings } = mergeFindings([report])
    const byLine = new Map(findings.map((f) => [f.locations[0]!.startLine, f.partialFingerprint]))
    const hash = byLine.get(1)!.split(':')[0]
    expect([1, 3, 9].map((l) => byLine.get(l))).toEqual([`${hash}:0`, `${hash}:1`, `${hash}:2`])
  })
})

describe('the JSON and SARIF of one scan, for a finding on a whole file (no line)', () => {
  const sarifOf = (tool: string, ruleId: string, uri: string) => ({
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: tool, rules: [{ id: ruleId, name: 'Misconfiguration' }] } },
        results: [
          {
            ruleId,
            level: 'error',
            message: { text: 'Severity: HIGH' },
            locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 1, endLine: 1 } } }],
          },
        ],
      },
    ],
  })
  const options = (expected: 'Trivy' | 'Checkov') => ({
    expected,
    what: 'x',
    source: 's.sarif',
    checkovSeverity: 'medium' as const,
    root: '/w',
  })

  it("counts Checkov's whole-file check once (file_line_range [0,0] in JSON, line 1 in SARIF)", () => {
    const json = {
      check_type: 'dockerfile',
      results: {
        failed_checks: [
          {
            check_id: 'CKV_DOCKER_3',
            check_name: 'Ensure that a user for the container has been created',
            repo_file_path: '/Dockerfile',
            file_line_range: [0, 0],
            resource: '/Dockerfile.',
            severity: null,
          },
        ],
      },
    }
    const { findings } = mergeFindings([
      readCheckovJson(json, 'c.json', 'medium'),
      ...readSarif(sarifOf('Checkov', 'CKV_DOCKER_3', 'Dockerfile'), options('Checkov')),
    ])
    expect(findings).toHaveLength(1)
    expect(findings[0]!.sources).toHaveLength(2)
  })

  it("counts Trivy's misconfiguration with a resource but no lines once (SARIF writes 1:1)", () => {
    const json = {
      SchemaVersion: 2,
      ArtifactName: '.',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'main.tf',
          Class: 'config',
          Misconfigurations: [{ ID: 'AWS-0094', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { Resource: 'aws_s3_bucket.b' } }],
        },
      ],
    }
    const { findings } = mergeFindings([
      readTrivyJson(json, 't.json'),
      ...readSarif(sarifOf('Trivy', 'AWS-0094', 'main.tf'), options('Trivy')),
    ])
    expect(findings).toHaveLength(1)
  })
})

describe('worst-first order', () => {
  it('sorts 5,000 findings exactly as the worstFirst comparison does, ties in their order', () => {
    // Paths ICU orders unlike code units (case, accents), and two it finds equal (é and e + U+0301).
    const files = ['b.tf', 'B.tf', 'a.tf', 'é.tf', 'e\u0301.tf', 'z/x.tf', 'Z/x.tf', '10.tf', '9.tf', '']
    const rules = ['CKV_AWS_1', 'CKV_AWS_10', 'AWS-0086', 'a', 'B']
    let seed = 7
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    const findings: Finding[] = []
    for (let i = 0; i < 5_000; i++) {
      const f = newFinding(
        ['Trivy', 'Checkov', 'zed'][random(3)] as string,
        'misconfiguration',
        rules[random(5)] as string,
        SEVERITIES[random(5)] as Severity,
        't',
        's',
      ) as Finding
      f.rule = f.ruleId
      f.baseline = (['new', 'unchanged', undefined] as const)[random(3)]
      if (random(10) > 0)
        f.locations = [{ file: files[random(files.length)] as string, isFile: true, ...(random(4) ? { startLine: random(30) + 1 } : {}) }]
      f.message = String(i)
      findings.push(f)
    }
    const expected = [...findings].sort(worstFirst).map((f) => f.message)
    const fast = [...findings]
    sortWorstFirst(fast)
    expect(fast.map((f) => f.message)).toEqual(expected)
  })
})

describe('underRoot (Trivy paths as paths of the workspace)', () => {
  it('takes no path that leaves the workspace, nor the scanned directory itself, for a file of the checkout, trivy-root or not', () => {
    for (const root of ['', 'infra'])
      for (const written of ['../../etc/shadow.tf', '/etc/passwd', 'file:///etc/passwd', '..', 'infra/../..', '.', ''])
        expect(underRoot(root, written).inside, `${root} ${written}`).toBe(false)
    expect(underRoot('', 'infra/../main.tf')).toEqual({ file: 'main.tf', inside: true })
    expect(underRoot('infra', '../modules/x.tf')).toEqual({ file: 'modules/x.tf', inside: true })
  })
})
