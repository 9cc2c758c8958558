// Generated scanner results for the benchmark: N findings across F files, as Trivy JSON, the
// SARIF of the same Trivy scan for half of the files (duplicates the action must merge), and
// Checkov JSON. Half the findings are Trivy's, half Checkov's; severities cycle.
import { writeFileSync } from 'node:fs'
import path from 'node:path'

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']
const LEVEL = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' }

export function generateScans(findings, files, dir) {
  const perFile = Math.max(1, Math.floor(findings / files / 2))
  const trivyResults = []
  const sarifResults = []
  const rules = new Map()
  const checkovFailed = []
  for (let f = 0; f < files; f++) {
    const target = `modules/m${f}/main.tf`
    const misconfigs = []
    for (let i = 0; i < perFile; i++) {
      const id = `AWS-${String(i).padStart(4, '0')}`
      const severity = SEVERITIES[(f + i) % SEVERITIES.length]
      const line = 1 + i * 7
      misconfigs.push({
        Type: 'Terraform Security Check',
        ID: id,
        AVDID: `AVD-AWS-${String(i).padStart(4, '0')}`,
        Title: `Check ${i} of the generated benchmark rules`,
        Description: 'A generated misconfiguration with a description of realistic length for the benchmark of scan-report.',
        Message: `Resource aws_s3_bucket.b${i} does not satisfy check ${i}.`,
        Resolution: 'Change the resource.',
        Severity: severity,
        PrimaryURL: `https://avd.aquasec.com/misconfig/aws-${String(i).padStart(4, '0')}`,
        Status: 'FAIL',
        CauseMetadata: { Resource: `aws_s3_bucket.b${i}`, Provider: 'AWS', Service: 's3', StartLine: line, EndLine: line + 5 },
      })
      if (f % 2 === 0) {
        if (!rules.has(id))
          rules.set(id, {
            id,
            name: 'Misconfiguration',
            shortDescription: { text: `Check ${i}` },
            properties: { tags: ['misconfiguration', 'security', severity] },
          })
        sarifResults.push({
          ruleId: id,
          level: LEVEL[severity],
          message: {
            text: `Artifact: ${target}\nType: terraform\nVulnerability ${id}\nSeverity: ${severity}\nMessage: Resource aws_s3_bucket.b${i} does not satisfy check ${i}.`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: target, uriBaseId: 'ROOTPATH' },
                region: { startLine: line, endLine: line + 5, startColumn: 1, endColumn: 1 },
              },
            },
          ],
        })
      }
      checkovFailed.push({
        check_id: `CKV_AWS_${i}`,
        bc_check_id: null,
        check_name: `Ensure generated check ${i} holds`,
        check_result: { result: 'FAILED', evaluated_keys: ['acl'] },
        code_block: [[line, 'resource "aws_s3_bucket" "b" {\n']],
        file_path: `/m${f}/main.tf`,
        repo_file_path: `/modules/m${f}/main.tf`,
        file_line_range: [line, line + 5],
        resource: `aws_s3_bucket.b${i}`,
        severity: i % 3 === 0 ? null : SEVERITIES[(f + i + 1) % 4],
        guideline:
          'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/s3-policies/s3-1-acl-read-permissions-everyone',
      })
    }
    trivyResults.push({
      Target: target,
      Class: 'config',
      Type: 'terraform',
      MisconfSummary: { Successes: 10, Failures: perFile },
      Misconfigurations: misconfigs,
    })
  }
  const out = {
    trivyJson: path.join(dir, 'trivy.json'),
    trivySarif: path.join(dir, 'trivy.sarif'),
    checkovJson: path.join(dir, 'checkov.json'),
  }
  writeFileSync(
    out.trivyJson,
    JSON.stringify(
      { SchemaVersion: 2, Trivy: { Version: '0.72.0' }, ArtifactName: '.', ArtifactType: 'filesystem', Results: trivyResults },
      null,
      2,
    ),
  )
  writeFileSync(
    out.trivySarif,
    JSON.stringify(
      {
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'Trivy', version: '0.72.0', rules: [...rules.values()] } }, results: sarifResults }],
      },
      null,
      2,
    ),
  )
  const summary = {
    passed: 0,
    failed: checkovFailed.length,
    skipped: 0,
    parsing_errors: 0,
    resource_count: files,
    checkov_version: '3.2.255',
  }
  writeFileSync(
    out.checkovJson,
    JSON.stringify(
      {
        check_type: 'terraform',
        results: { passed_checks: [], failed_checks: checkovFailed, skipped_checks: [], parsing_errors: [] },
        summary,
      },
      null,
      2,
    ),
  )
  return { ...out, unique: perFile * files * 2, duplicates: sarifResults.length }
}
