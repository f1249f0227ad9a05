/**
 * `deployment.compute: managed-instances`: the chat and mcp functions on a
 * Lambda capacity provider, in a new VPC with endpoints (no NAT) or in an
 * existing one; synthesized offline (bundling skipped), with cdk-nag's
 * AwsSolutions pack and cfn-lint (when on PATH) on the templates.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

type Resource = { Type: string; Properties?: Record<string, any> };
interface Synthesized {
  stack: TollwayStack;
  resources: Record<string, Resource>;
  template: unknown;
  findings: string[];
}

const models = [
  { name: 'echo', provider: 'echo' },
  { name: 'claude-sonnet', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
];

/** Synthesizes the stack (bundling skipped) with the AwsSolutions pack as a policy-validation plugin. */
const synthesize = (deployment: Record<string, unknown>): Synthesized => {
  const outdir = mkdtempSync(join(tmpdir(), 'tollway-managed-'));
  try {
    const app = new App({ outdir, context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validationReportJson': true } });
    const config = configSchema.parse({ models, knowledge_bases: [{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' }], deployment });
    const stack = new TollwayStack(app, 'Tollway', { config });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    const report = JSON.parse(readFileSync(join(outdir, 'policy-validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string; violatingResources: { constructPath: string }[] }[] }[];
    };
    const findings = report.pluginReports.flatMap((plugin) => plugin.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`));
    if (failure && findings.length === 0) throw failure;
    const template = JSON.parse(readFileSync(join(outdir, 'Tollway.template.json'), 'utf8')) as { Resources: Record<string, Resource> };
    return { stack, resources: template.Resources, template, findings };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintAvailable = !cfnLint.error && cfnLint.status === 0;
/** cfn-lint's findings on the templates, in one run (empty when they pass). */
const cfnLintFindings = (templates: unknown[]): string => {
  const folder = mkdtempSync(join(tmpdir(), 'tollway-cfn-lint-'));
  try {
    const files = templates.map((template, index) => {
      const file = join(folder, `Tollway${index}.template.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const run = spawnSync('cfn-lint', ['--format', 'parseable', ...files], { encoding: 'utf8' });
    return run.status === 0 ? '' : `${run.stdout}${run.stderr}`.trim() || `cfn-lint exited ${run.status}`;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
};

const ofType = (synthesized: Synthesized, type: string) => Object.entries(synthesized.resources).filter(([, resource]) => resource.Type === type);
const functionNamed = (synthesized: Synthesized, prefix: string) => {
  const found = ofType(synthesized, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no function ${prefix}`);
  return found[1].Properties!;
};

describe('deployment.compute', () => {
  let newVpc: Synthesized;
  let existingVpc: Synthesized;

  // Two syntheses with cdk-nag take seconds each; more on a loaded machine.
  beforeAll(() => {
    newVpc = synthesize({ compute: 'managed-instances', max_vcpus: 64, per_environment_concurrency: 32 });
    existingVpc = synthesize({ compute: 'managed-instances', vpc_id: 'vpc-0123456789abcdef0', subnet_ids: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'] });
  }, 180_000);

  it('is on-demand Lambda by default (the stack and hardening tests synthesize that way)', () => {
    expect(configSchema.parse({ models }).deployment).toEqual({ compute: 'lambda', per_environment_concurrency: 64 });
  });

  it('puts chat and mcp (only) on an arm64 capacity provider with max_vcpus and the per-environment concurrency, on Node.js 22', () => {
    const providers = ofType(newVpc, 'AWS::Lambda::CapacityProvider');
    expect(providers).toHaveLength(1);
    const [providerId, provider] = providers[0];
    expect(provider.Properties).toMatchObject({ InstanceRequirements: { Architectures: ['arm64'] }, CapacityProviderScalingConfig: { MaxVCpuCount: 64 } });

    for (const name of ['FunctionsChat', 'FunctionsMcp']) {
      const properties = functionNamed(newVpc, name);
      expect(properties.CapacityProviderConfig, name).toEqual({
        LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: { 'Fn::GetAtt': [providerId, 'Arn'] }, PerExecutionEnvironmentMaxConcurrency: 32 },
      });
      expect(properties.Runtime, name).toBe('nodejs22.x');
      expect(properties.Architectures, name).toEqual(['arm64']);
      expect(properties.MemorySize, name).toBeGreaterThanOrEqual(2048);
    }
    for (const name of ['FunctionsRetrieve', 'FunctionsAdmin']) expect(functionNamed(newVpc, name).CapacityProviderConfig, name).toBeUndefined();
  });

  it('creates a VPC without NAT whose subnets reach DynamoDB (gateway endpoint), Bedrock and Secrets Manager (interface endpoints)', () => {
    expect(ofType(newVpc, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType(newVpc, 'AWS::EC2::InternetGateway')).toEqual([]);
    const endpoints = ofType(newVpc, 'AWS::EC2::VPCEndpoint').map(([, resource]) => resource.Properties!);
    const serviceOf = (endpoint: Record<string, any>) => JSON.stringify(endpoint.ServiceName);
    expect(endpoints.filter((endpoint) => endpoint.VpcEndpointType === 'Gateway').map(serviceOf)).toEqual([expect.stringContaining('.dynamodb')]);
    const interfaces = endpoints.filter((endpoint) => endpoint.VpcEndpointType === 'Interface').map(serviceOf).join(' ');
    for (const service of ['bedrock-runtime', 'bedrock-agent-runtime', 'secretsmanager', 'logs', 'xray']) expect(interfaces).toContain(`.${service}`);
    const [, provider] = ofType(newVpc, 'AWS::Lambda::CapacityProvider')[0];
    const subnetIds = (provider.Properties!.VpcConfig.SubnetIds as { Ref: string }[]).map((subnet) => subnet.Ref);
    expect(subnetIds.length).toBeGreaterThanOrEqual(2);
    for (const subnetId of subnetIds) expect(newVpc.resources[subnetId].Type).toBe('AWS::EC2::Subnet');
  });

  it('uses an existing VPC by its subnet ids, creating no network of its own', () => {
    expect(ofType(existingVpc, 'AWS::EC2::VPC')).toEqual([]);
    expect(ofType(existingVpc, 'AWS::EC2::VPCEndpoint')).toEqual([]);
    const [, provider] = ofType(existingVpc, 'AWS::Lambda::CapacityProvider')[0];
    expect(provider.Properties!.VpcConfig.SubnetIds).toEqual(['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210']);
    const [, group] = ofType(existingVpc, 'AWS::EC2::SecurityGroup')[0];
    expect(group.Properties).toMatchObject({ VpcId: 'vpc-0123456789abcdef0', SecurityGroupEgress: [expect.objectContaining({ FromPort: 443, ToPort: 443 })] });
    expect(group.Properties!.SecurityGroupIngress).toBeUndefined();
  });

  it('refuses a VPC without subnets, naming the field', () => {
    const parsed = configSchema.safeParse({ models, deployment: { compute: 'managed-instances', vpc_id: 'vpc-0123456789abcdef0' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['deployment.subnet_ids']);
  });

  it('leaves cdk-nag AwsSolutions with no unacknowledged finding either way', () => {
    expect(newVpc.findings).toEqual([]);
    expect(existingVpc.findings).toEqual([]);
  });

  (cfnLintAvailable ? it : it.skip)(
    // The new-VPC template holds every resource type of the existing-VPC one, and the network besides.
    cfnLintAvailable ? `passes cfn-lint with a new VPC (${cfnLint.stdout.trim()})` : 'passes cfn-lint: SKIPPED, cfn-lint is not on PATH',
    () => {
      expect(cfnLintFindings([newVpc.template])).toBe('');
    },
    120_000,
  );
});
