import { describe, expect, it } from 'vitest'
import { mergeFindings } from '../src/dedupe.js'
import { decide } from '../src/decide.js'
import { parseIgnoreFile } from '../src/ignore-file.js'
import { link } from '@infra-actions/common'
import { applyIgnores } from '../src/suppress.js'
import { readTrivyJson } from '../src/trivy-json.js'

const vuln = { VulnerabilityID: 'CVE-2099-0002', PkgName: 'lodash', InstalledVersion: '1.0.0', Severity: 'CRITICAL', Title: 't' }
const lockfile = (target: string, key: string, record: unknown) => ({ Target: target, Class: 'lang-pkgs', Type: 'npm', [key]: [record] })

describe('scan-report against hostile input', () => {
  it('counts a vulnerability suppressed in one target (VEX) and found unsuppressed in another', () => {
    for (const results of [
      [
        lockfile('a/package-lock.json', 'ExperimentalModifiedFindings', { Type: 'vulnerability', Status: 'not_affected', Finding: vuln }),
        lockfile('b/package-lock.json', 'Vulnerabilities', vuln),
      ],
      [
        lockfile('b/package-lock.json', 'Vulnerabilities', vuln),
        lockfile('a/package-lock.json', 'ExperimentalModifiedFindings', { Type: 'vulnerability', Status: 'not_affected', Finding: vuln }),
      ],
    ]) {
      const { findings } = mergeFindings([readTrivyJson({ SchemaVersion: 2, Results: results }, 'trivy.json')])
      applyIgnores(findings, undefined)
      expect(findings).toHaveLength(1)
      expect(findings[0]!.suppression).toBeUndefined()
    }
  })

  it('does not let an ignore entry with a path suppress a finding also seen outside that path', () => {
    const results = [lockfile('a/package-lock.json', 'Vulnerabilities', vuln), lockfile('b/package-lock.json', 'Vulnerabilities', vuln)]
    const { findings } = mergeFindings([readTrivyJson({ SchemaVersion: 2, Results: results }, 'trivy.json')])
    const ignore = parseIgnoreFile('- id: CVE-2099-0002\n  path: "a/**"\n  reason: only a\n', 'ignore.yml', '2026-01-01')
    applyIgnores(findings, ignore)
    expect(findings[0]!.suppression).toBeUndefined()
    const all = parseIgnoreFile('- id: CVE-2099-0002\n  path: "*/package-lock.json"\n  reason: both\n', 'ignore.yml', '2026-01-01')
    applyIgnores(findings, all)
    expect(findings[0]!.suppression?.reason).toBe('both')
  })

  it('reads an ignore file saved with a byte-order mark (a Windows editor), lines numbered as the editor shows them', () => {
    const ignore = parseIgnoreFile(
      '\ufeff- id: CVE-2099-0002\n  reason: accepted\n- id: CVE-2099-0003\n  reason: too\n',
      'ignore.yml',
      '2026-01-01',
    )
    expect(ignore.entries.map((e) => [e.id, e.where])).toEqual([
      ['CVE-2099-0002', 'ignore.yml:1'],
      ['CVE-2099-0003', 'ignore.yml:3'],
    ])
  })

  it('keeps a hostile help link inside its link: no closing parenthesis, no crash on a lone surrogate', () => {
    const linked = link('https://example.com/)@acme/security-team **bold** [a](javascript:alert(1))', '`CVE-1`')
    expect(linked).toMatch(/^\[`CVE-1`\]\(https:\/\/example\.com\/[^()\s]*\)$/)
    expect(link('https://example.com/\ud800', '`CVE-1`')).toBe('`CVE-1`')
    expect(link('javascript:alert(1)', '`CVE-1`')).toBe('`CVE-1`')
  })
})

describe('scan-report secrets with one mask', () => {
  it('keeps two secrets whose masked matches are alike apart, so a new one is new against a baseline', async () => {
    const { applyBaseline } = await import('../src/baseline.js')
    const secret = (line: number) => ({
      RuleID: 'aws-access-key-id',
      Severity: 'CRITICAL',
      Title: 'AWS',
      StartLine: line,
      EndLine: line,
      Match: 'key=****',
    })
    const scan = (lines: number[]) =>
      mergeFindings([
        readTrivyJson({ SchemaVersion: 2, Results: [{ Target: '.env', Class: 'secret', Secrets: lines.map(secret) }] }, 't.json'),
      ])
    const base = new Set(scan([1]).findings.map((f) => f.partialFingerprint))
    const { findings } = scan([1, 5])
    expect(findings).toHaveLength(2)
    applyBaseline(findings, base)
    expect(findings.filter((f) => f.baseline === 'new')).toHaveLength(1)
  })
})

describe('scan-report ignore paths and targets', () => {
  it("does not match an ignore path against Checkov's framework name", async () => {
    const { readCheckovJson } = await import('../src/checkov-json.js')
    const doc = {
      check_type: 'terraform',
      results: {
        failed_checks: [
          {
            check_id: 'CKV_AWS_20',
            check_name: 'n',
            file_path: '/modules/x/main.tf',
            file_line_range: [1, 5],
            resource: 'aws_s3_bucket.b',
            severity: 'HIGH',
          },
        ],
      },
    }
    const { findings } = mergeFindings([readCheckovJson(doc, 'checkov.json', 'medium')])
    applyIgnores(findings, parseIgnoreFile('- id: CKV_AWS_20\n  path: "*"\n  reason: root files only\n', 'ignore.yml', '2026-01-01'))
    expect(findings[0]!.suppression).toBeUndefined()
  })

  it('says an entry whose path matched only some places of a finding suppressed nothing, instead of "remove it"', async () => {
    const { renderReport } = await import('../src/render.js')
    const v = { VulnerabilityID: 'CVE-2021-23337', PkgName: 'lodash', InstalledVersion: '4.17.15', Severity: 'HIGH' }
    const { findings } = mergeFindings([
      readTrivyJson(
        {
          SchemaVersion: 2,
          Results: [lockfile('a/package-lock.json', 'Vulnerabilities', v), lockfile('b/package-lock.json', 'Vulnerabilities', v)],
        },
        't.json',
      ),
    ])
    const ignore = parseIgnoreFile('- id: CVE-2021-23337\n  path: "a/**"\n  reason: only in a\n', 'ignore.yml', '2026-01-01')
    applyIgnores(findings, ignore)
    expect(findings[0]!.suppression).toBeUndefined()
    const entry = ignore.entries[0]!
    expect(entry).toMatchObject({ matched: 0, partly: 1 })
    const text = renderReport({
      title: 'Scan report',
      verdict: decide(findings, { failOn: 'none', newOnly: false, hasBaseline: false }),
      failOn: 'none',
      newOnly: false,
      hasBaseline: false,
      fixed: 0,
      passedChecks: new Map(),
      expired: [],
      unusedEntries: [entry],
      notes: [],
      sources: [],
      duplicates: 0,
      annotations: { shown: 0, notAnnotated: 0, max: 10 },
      sarif: undefined,
      runUrl: undefined,
    })
      .map((b) => String(b.text))
      .join('\n')
    expect(text).toContain('matched 1 finding in some of its places only, so it suppressed none')
    expect(text).not.toContain('remove it')
  })
})

describe('scan-report Trivy SARIF severities', () => {
  it("takes each result's own Severity line over its rule's tags (one rule per CVE, packages differ)", async () => {
    const { readSarif } = await import('../src/sarif-read.js')
    const result = (pkg: string, severity: string) => ({
      ruleId: 'CVE-2099-0003',
      ruleIndex: 0,
      level: severity === 'CRITICAL' ? 'error' : 'note',
      message: {
        text: `Package: ${pkg}\nInstalled Version: 1.0\nVulnerability CVE-2099-0003\nSeverity: ${severity}\nFixed Version: 1.1\nLink: x`,
      },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'package-lock.json' }, region: { startLine: 1, endLine: 1 } } }],
    })
    const doc = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'Trivy',
              rules: [
                {
                  id: 'CVE-2099-0003',
                  name: 'LanguageSpecificPackageVulnerability',
                  properties: { tags: ['vulnerability', 'security', 'LOW'], 'security-severity': '2.0' },
                },
              ],
            },
          },
          results: [result('a', 'LOW'), result('b', 'CRITICAL')],
        },
      ],
    }
    const reports = readSarif(doc, { expected: 'Trivy', what: 'x', source: 'trivy.sarif', checkovSeverity: 'medium', root: '/nowhere' })
    expect(reports[0]!.findings.map((f) => f.severity)).toEqual(['low', 'critical'])
  })
})

describe('scan-report annotations of huge titles', () => {
  it('keeps an annotation short whatever the scanner wrote', async () => {
    const { planAnnotations } = await import('../src/annotations.js')
    const v = {
      VulnerabilityID: 'CVE-2099-0004',
      PkgName: 'p'.repeat(100_000),
      InstalledVersion: '1',
      Severity: 'HIGH',
      Title: 'A'.repeat(1_000_000),
    }
    const { findings } = mergeFindings([
      readTrivyJson({ SchemaVersion: 2, Results: [lockfile('package-lock.json', 'Vulnerabilities', v)] }, 't.json'),
    ])
    const [a] = planAnnotations(findings, 10).annotations
    expect(a!.message.length).toBeLessThan(4000)
    expect(a!.title.length).toBeLessThan(1000)
  })
})

describe('scan-report annotations of text that displays as something else', () => {
  it('shows bidi overrides, zero-width characters and line breaks as escapes, as the comment does', async () => {
    const { planAnnotations } = await import('../src/annotations.js')
    const v = {
      VulnerabilityID: 'CVE-2099-\u202e0005',
      PkgName: 'left\u2066pad',
      InstalledVersion: '1\u200b',
      FixedVersion: '2\u2028',
      Severity: 'CRITICAL',
      Title: 'harmless\u202e gnirts\nsecond line',
    }
    const { findings } = mergeFindings([
      readTrivyJson({ SchemaVersion: 2, Results: [lockfile('package-lock.json', 'Vulnerabilities', v)] }, 't.json'),
    ])
    const [a] = planAnnotations(findings, 10).annotations
    const shown = `${a!.title} ${a!.message}`
    expect(shown).not.toMatch(/[\u0000-\u001f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/)
    expect(a!.message).toContain('harmless\\u202e gnirts\\nsecond line')
    expect(a!.message).toContain('left\\u2066pad')
    expect(a!.title).toContain('CVE-2099-\\u202e0005')
  })
})

describe('scan-report paths with lone surrogates', () => {
  it('writes a URI for a path with a lone surrogate instead of failing with URI malformed', async () => {
    const { relativeUri } = await import('../src/sarif-write.js')
    expect(relativeUri({ file: 'a\ud800/b\udfff.json', isFile: true })).toBe('a%EF%BF%BD/b%EF%BF%BD.json')
    expect(relativeUri({ file: 'ok/\ud83d\ude00.json', isFile: true })).toBe('ok/%F0%9F%98%80.json')
  })
})
