import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.js';
import { configSchema } from '../../functions/core/config/schema.js';
import { routes } from '../../functions/core/routes.js';
import { TollwayStack } from '../../lib/tollway-stack.js';
import { reportFigures } from './support/probe.js';

/** The feature flags `cdk synth` runs with. */
const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;
const shippedConfig = readFileSync(new URL('../../tollway.config.yaml', import.meta.url), 'utf8');

/** Every feature that creates resources or grants: Bedrock models (geographic and global profiles, a guardrail) and knowledge bases (one provisioned), secrets, MCP, CORS, alarm mail. */
const everythingConfig = `
models:
  - name: echo
    provider: echo
  - name: claude-sonnet
    provider: bedrock
    model: us.anthropic.claude-sonnet-4-5-20250929-v1:0
  - name: claude-sonnet
    provider: bedrock
    model: eu.anthropic.claude-sonnet-4-5-20250929-v1:0
    region: eu-west-1
    guardrail: { id: gr1abc, version: "1" }
  - name: nova
    provider: bedrock
    model: global.amazon.nova-2-lite-v1:0
  - name: titan-embed
    provider: bedrock
    model: amazon.titan-embed-text-v2:0
    mode: embedding
  - name: gpt-4o
    provider: openai
    model: gpt-4o
    api_key: secret:openai-key
mcp_servers:
  - name: github
    url: https://example.com/mcp
    headers: { Authorization: "Bearer secret:github-token" }
knowledge_bases:
  - name: handbook
    provider: bedrock
    knowledge_base_id: ABCDEFGHIJ
  - name: manuals
    provider: bedrock
    provision: true
settings:
  cors_origins: ['https://app.example.com']
  alarm_email: ops@example.com
`;

interface Violation {
  ruleName: string;
  description: string;
  violatingResources: { constructPath: string }[];
}

interface Synthesized {
  stack: TollwayStack;
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }> };
  violations: Violation[];
  acknowledgements: { id: string; reason: string; resource: string }[];
}

/** Synthesizes the stack (bundling skipped) with the AwsSolutions pack as a policy-validation plugin. */
const synthesizeWithNag = (configYaml: string): Synthesized => {
  const outdir = mkdtempSync(join(tmpdir(), 'tollway-nag-'));
  try {
    const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validationReportJson': true } });
    const stack = new TollwayStack(app, 'Tollway', { config: parseConfig(configYaml, 'hardening config') });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    const report = JSON.parse(readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8')) as { pluginReports: { violations: Violation[] }[] };
    const violations = report.pluginReports.flatMap((plugin) => plugin.violations);
    if (failure && violations.length === 0) throw failure;
    const template = JSON.parse(readFileSync(join(outdir, 'Tollway.template.json'), 'utf8')) as Synthesized['template'];
    const acknowledgements = Object.entries(template.Resources).flatMap(([resource, definition]) =>
      ((definition.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[]).map((rule) => ({ ...rule, resource })),
    );
    return { stack, template, violations, acknowledgements };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

/**
 * `cfn-lint` (Python, `pip install cfn-lint`) when it is on PATH: CI installs
 * only npm and Debian packages, so there the lint is skipped, and says so.
 */
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintAvailable = !cfnLint.error && cfnLint.status === 0;

/** cfn-lint's findings on one template, one a line (empty when it passes). */
const cfnLintFindings = (template: Synthesized['template']): string => {
  const folder = mkdtempSync(join(tmpdir(), 'tollway-cfn-lint-'));
  try {
    const file = join(folder, 'Tollway.template.json');
    writeFileSync(file, JSON.stringify(template));
    const run = spawnSync('cfn-lint', ['--format', 'parseable', file], { encoding: 'utf8' });
    return run.status === 0 ? '' : `${run.stdout}${run.stderr}`.trim() || `cfn-lint exited ${run.status}`;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('the synthesized stack', () => {
  const figures: Record<string, number | string> = {};
  let shipped: Synthesized;
  let everything: Synthesized;

  // A synthesis takes seconds; under a loaded machine, more than the default hook timeout.
  beforeAll(() => {
    shipped = synthesizeWithNag(shippedConfig);
  }, 120_000);
  beforeAll(() => {
    everything = synthesizeWithNag(everythingConfig);
  }, 120_000);

  afterAll(() => {
    reportFigures('stack security', figures);
  });

  describe('cdk-nag AwsSolutions', () => {
    it('has zero unacknowledged findings for the shipped config and for a config using every feature', () => {
      figures.cdkNagFindingsShipped = shipped.violations.length;
      figures.cdkNagFindingsEverything = everything.violations.length;
      const describe = (violations: Violation[]) => violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
      expect(describe(shipped.violations)).toEqual([]);
      expect(describe(everything.violations)).toEqual([]);
    });

    it('justifies every acknowledgement with a reason, and acknowledges no rule that is fixed at its source', () => {
      const rules = [...new Set(everything.acknowledgements.map((acknowledgement) => acknowledgement.id.replace(/\[.*$/, '')))].sort();
      figures.acknowledgedRules = rules.join(' ');
      figures.acknowledgementIds = new Set(everything.acknowledgements.map((acknowledgement) => acknowledgement.id)).size;
      for (const acknowledgement of everything.acknowledgements) {
        expect(acknowledgement.reason.length, acknowledgement.id).toBeGreaterThan(60);
      }
      // Fixed at the source rather than acknowledged: access logs, TLS-only topic and bucket, KMS/SSE, secrets per name.
      for (const fixed of ['AwsSolutions-APIG1', 'AwsSolutions-APIG6', 'AwsSolutions-SNS3', 'AwsSolutions-S10', 'AwsSolutions-DDB3']) expect(rules).not.toContain(fixed);
      // Wildcards acknowledged only for X-Ray and a knowledge base's own bucket: table indexes and foundation-model Regions are named one by one.
      const wildcards = everything.acknowledgements.filter((acknowledgement) => acknowledgement.id.startsWith('AwsSolutions-IAM5')).map((acknowledgement) => acknowledgement.id);
      for (const id of wildcards) {
        expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::(\*|<KnowledgeBases\w+Documents[0-9A-F]+\.Arn>\/\*)\]$/);
      }
    });
  });

  describe('IAM least privilege', () => {
    const policiesOf = (synthesized: Synthesized, roleLogicalIdPart: string) =>
      Object.entries(synthesized.template.Resources)
        .filter(([id, resource]) => resource.Type === 'AWS::IAM::Policy' && id.includes(roleLogicalIdPart))
        .flatMap(([, resource]) => resource.Properties!.PolicyDocument.Statement as Statement[]);
    const allStatements = (synthesized: Synthesized) =>
      Object.values(synthesized.template.Resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::Role')
        .flatMap((resource) => [
          ...((resource.Properties?.PolicyDocument?.Statement ?? []) as Statement[]),
          ...((resource.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement),
        ]);
    const tableArn = (synthesized: Synthesized, table: 'Keys' | 'Budgets' | 'Usage') => {
      const id = Object.keys(synthesized.template.Resources).find((candidate) => candidate.startsWith(`Tables${table}`) && synthesized.template.Resources[candidate].Type === 'AWS::DynamoDB::Table');
      return JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
    };
    const actionsOn = (statements: Statement[], resource: string) =>
      statements.filter((statement) => asList(statement.Resource).some((candidate) => JSON.stringify(candidate) === resource)).flatMap((statement) => asList(statement.Action));

    it('grants no "*" or "service:*" action anywhere, and "*" resources only to X-Ray', () => {
      for (const synthesized of [shipped, everything]) {
        for (const statement of allStatements(synthesized)) {
          for (const action of asList(statement.Action)) expect(action, JSON.stringify(statement)).not.toMatch(/(^\*$|:\*$)/);
          if (asList(statement.Resource).includes('*')) {
            expect(asList(statement.Action).every((action) => action.startsWith('xray:')), JSON.stringify(statement)).toBe(true);
          }
        }
      }
    });

    it('lets only chat write usage (PutItem only), mcp and retrieve only count rpm windows in budgets (UpdateItem only), and only admin write keys and budget ceilings', () => {
      const { template } = everything;
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
      const byFunction = { Chat: 'FunctionsChat', Mcp: 'FunctionsMcp', Retrieve: 'FunctionsRetrieve', Admin: 'FunctionsAdmin' };
      const statements = Object.fromEntries(Object.entries(byFunction).map(([name, part]) => [name, policiesOf(everything, part)]));
      expect(template).toBeDefined();

      expect(actionsOn(statements.Chat, tableArn(everything, 'Usage'))).toEqual(['dynamodb:PutItem']);
      expect(actionsOn(statements.Chat, tableArn(everything, 'Budgets'))).toEqual(expect.arrayContaining(['dynamodb:UpdateItem']));
      for (const name of ['Chat', 'Mcp', 'Retrieve']) {
        expect(actionsOn(statements[name], tableArn(everything, 'Keys')).filter((action) => writes.includes(action)), name).toEqual([]);
      }
      for (const name of ['Mcp', 'Retrieve']) {
        expect(actionsOn(statements[name], tableArn(everything, 'Budgets')), name).toEqual(['dynamodb:UpdateItem']);
        expect(actionsOn(statements[name], tableArn(everything, 'Usage')), name).toEqual([]);
      }
      expect(actionsOn(statements.Admin, tableArn(everything, 'Keys'))).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem']));
      // Key and team updates write a changed max_budget onto the current counter (UpdateItem); admin never writes usage.
      expect(actionsOn(statements.Admin, tableArn(everything, 'Budgets')).filter((action) => writes.includes(action))).toEqual(['dynamodb:UpdateItem']);
      expect(actionsOn(statements.Admin, tableArn(everything, 'Usage'))).toEqual([]);
    });

    it('lets only the admin function read the master key', () => {
      const secretId = Object.keys(everything.template.Resources).find((id) => everything.template.Resources[id].Type === 'AWS::SecretsManager::Secret')!;
      const readers = Object.entries(everything.template.Resources)
        .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
        .filter(([, resource]) => (resource.Properties!.PolicyDocument.Statement as Statement[]).some((statement) => JSON.stringify(statement.Resource).includes(`"Ref":"${secretId}"`)))
        .map(([id]) => id);
      expect(readers).toHaveLength(1);
      expect(readers[0]).toMatch(/^FunctionsAdmin/);
    });
  });

  describe('cfn-lint', () => {
    const lints = cfnLintAvailable ? it : it.skip;
    const title = cfnLintAvailable
      ? `finds nothing in the templates of the shipped config and of a config using every feature (${cfnLint.stdout.trim()})`
      : 'finds nothing in the synthesized templates: SKIPPED, cfn-lint is not on PATH (pip install cfn-lint to run it)';

    lints(
      title,
      () => {
        expect(cfnLintFindings(shipped.template)).toBe('');
        expect(cfnLintFindings(everything.template)).toBe('');
      },
      120_000,
    );
  });

  describe('API stage', () => {
    const stageOf = (synthesized: Synthesized) => Object.values(synthesized.template.Resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage')!.Properties!;

    it('throttles every method, logs access without bodies, and traces', () => {
      const stage = stageOf(everything);
      const settings = stage.MethodSettings.find((setting: Record<string, unknown>) => setting.HttpMethod === '*' && setting.ResourcePath === '/*');
      expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(settings.ThrottlingBurstLimit).toBeGreaterThanOrEqual(settings.ThrottlingRateLimit);
      expect(settings.DataTraceEnabled).toBe(false);
      expect(stage.TracingEnabled).toBe(true);
      expect(stage.AccessLogSetting.DestinationArn).toBeDefined();
      const format = JSON.parse(stage.AccessLogSetting.Format) as Record<string, string>;
      expect(Object.values(format).join(' ')).not.toMatch(/authorization|requestOverride|header|body/i);
      figures.stageThrottle = `${settings.ThrottlingRateLimit}/s burst ${settings.ThrottlingBurstLimit}`;
    });

    it("caps request bodies below Lambda's 6 MB invocation payload (settings.max_body_bytes), 5.5 MB by default", () => {
      const settings = configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }] }).settings;
      expect(settings.max_body_bytes).toBe(5_500_000);
      expect(configSchema.safeParse({ models: [{ name: 'echo', provider: 'echo' }], settings: { max_body_bytes: 6_000_000 } }).success).toBe(false);
    });

    it('answers preflights only for the configured origins, on every route of the table', () => {
      const preflights = Object.values(everything.template.Resources).filter(
        (resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties!.HttpMethod === 'OPTIONS',
      );
      expect(preflights.length).toBeGreaterThanOrEqual(new Set(routes.map((route) => route.path)).size);
      for (const preflight of preflights) {
        const headers = preflight.Properties!.Integration.IntegrationResponses[0].ResponseParameters as Record<string, string>;
        expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com'");
      }
      const shippedPreflights = Object.values(shipped.template.Resources).filter(
        (resource) => resource.Type === 'AWS::ApiGateway::Method' && resource.Properties!.HttpMethod === 'OPTIONS',
      );
      expect(shippedPreflights).toHaveLength(0);
    });
  });
});
