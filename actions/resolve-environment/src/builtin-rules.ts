import type { Config } from './config.js'

/**
 * The built-in GitFlow rules (default-config.ts, the documented YAML) as data, so a run without a
 * rules file needs neither the YAML parser nor the validator. A test keeps the two identical.
 */
export const BUILTIN_RULES: Config = {
  environments: {
    dev: {
      approval: false,
      validation: 'basic',
      import: 'full',
      deploy: 'recreate',
      'image-tag': 'dev-{sha7}',
    },
    stage: {
      approval: false,
      validation: 'enhanced',
      import: 'full',
      deploy: 'rolling',
      'image-tag': 'staging-{sha7}',
    },
    prod: {
      approval: true,
      validation: 'strict',
      import: 'full+backup',
      deploy: 'canary',
      'image-tag': 'v{version}',
    },
    preview: {
      name: 'preview-pr-{pr}',
      approval: false,
      validation: 'basic',
      import: 'skip',
      deploy: 'recreate',
      'state-key': 'preview/pr-{pr}/terraform.tfstate',
    },
  },
  defaults: {
    'tfvars-file': 'environments/{environment}.tfvars',
    'state-key': '{environment}/terraform.tfstate',
  },
  rules: [
    {
      name: 'dev push',
      on: ['push'],
      branches: ['dev/*'],
      environment: 'dev',
      operation: 'apply',
    },
    {
      name: 'stage plan',
      on: ['pull_request'],
      base: ['develop'],
      environment: 'stage',
      operation: 'plan',
    },
    {
      name: 'stage apply',
      on: ['pull_request'],
      base: ['develop'],
      merged: true,
      environment: 'stage',
      operation: 'apply',
    },
    {
      name: 'prod plan',
      on: ['pull_request'],
      base: ['main'],
      environment: 'prod',
      operation: 'plan',
    },
    {
      name: 'prod apply',
      on: ['pull_request'],
      base: ['main'],
      merged: true,
      environment: 'prod',
      operation: 'apply',
    },
    {
      name: 'drift',
      on: ['schedule'],
      environment: 'prod',
      operation: 'apply',
    },
    {
      name: 'release',
      on: ['push'],
      tags: ['v*'],
      environment: 'prod',
      operation: 'apply',
    },
    {
      name: 'manual',
      on: ['workflow_dispatch'],
      environment: '{inputs.environment}',
      operation: 'apply',
    },
  ],
}
