import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import type { FunctionName } from '../../functions/core/routes.js';
import { usageTable } from '../../functions/stores/table-definitions.js';
import { tableAccessOf } from '../../lib/table-access.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

/** The feature flags `cdk synth` runs with, so the tests see the same template. */
const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

type Json = unknown;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Record<string, Record<string, Json>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalId = (stack: TollwayStack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** Names for the stack's own resources, by logical id, as a reviewer reads them. */
const namesOf = (stack: TollwayStack): Map<string, string> =>
  new Map([
    ...Object.entries(stack.tables.byId).map(([id, table]): [string, string] => [logicalId(stack, table), `${id} table`]),
    ...(stack.knowledgeBases?.knowledgeBases ?? []).map((base): [string, string] => [stack.getLogicalId(base.knowledgeBase), `${base.name} knowledge base`]),
    [logicalId(stack, stack.masterKey.secret), 'Master key secret'],
  ]);

/** An ARN as readable text: `Fn::GetAtt` and `Ref` of the stack's resources by name, pseudo parameters as `${Region}`. */
const render = (value: Json, names: Map<string, string>): string => {
  if (typeof value === 'string') return value;
  const record = value as Record<string, Json>;
  if ('Ref' in record) {
    const name = String(record.Ref);
    return names.get(name) ?? `\${${name.replace(/^AWS::/, '').replace('AccountId', 'Account')}}`;
  }
  if ('Fn::GetAtt' in record) {
    const [id] = record['Fn::GetAtt'] as [string, string];
    return names.get(id) ?? JSON.stringify(value);
  }
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, Json[]];
    return parts.map((part) => render(part, names)).join(separator);
  }
  return JSON.stringify(value);
};

/** A statement's conditions as ` if StringEquals k=v, k=v`; empty without conditions. */
const renderConditions = (conditions: Statement['Condition'], names: Map<string, string>): string =>
  conditions
    ? ` if ${Object.entries(conditions)
        .map(([operator, pairs]) => `${operator} ${Object.entries(pairs).map(([key, value]) => `${key}=${render(value, names)}`).join(', ')}`)
        .join('; ')}`
    : '';

/**
 * Everything one function's role may do: each action with every resource it
 * is allowed on (conditions appended), and the managed policies by name.
 * Statement boundaries are left out on purpose: CDK merges statements
 * (`minimizePolicies`), and what matters is what each action reaches.
 */
const accessOf = (stack: TollwayStack, template: Template, functionName: FunctionName): Record<string, string[]> => {
  const names = namesOf(stack);
  const role = stack.functions[functionName].lambdaFunction.role;
  if (!role) throw new Error(`${functionName} has no role`);
  const roleId = logicalId(stack, role);
  const roleResource = template.findResources('AWS::IAM::Role')[roleId] as { Properties: { ManagedPolicyArns?: Json[]; Policies?: Json[] } };
  expect(roleResource.Properties.Policies, 'inline policies on the role itself').toBeUndefined();
  const statements = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
  const access: Record<string, string[]> = {};
  for (const statement of statements) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asList(statement.Action)) {
      for (const resource of asList(statement.Resource)) (access[action] ??= []).push(`${render(resource, names)}${renderConditions(statement.Condition, names)}`);
    }
  }
  for (const resources of Object.values(access)) resources.sort();
  access.managed = (roleResource.Properties.ManagedPolicyArns ?? []).map((arn) => render(arn, names).replace(/^arn:\$\{Partition\}:iam::aws:policy\/service-role\//, ''));
  return access;
};

const synthesize = (rawConfig: unknown) => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollwayStack(app, 'Tollway', { config: configSchema.parse(rawConfig) });
  return { stack, template: Template.fromStack(stack) };
};

const reviewConfig = {
  models: [
    { name: 'claude-sonnet', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    { name: 'llama', provider: 'bedrock', model: 'meta.llama3-70b-instruct-v1:0', region: 'eu-west-1' },
    { name: 'titan-embed', provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0', mode: 'embedding' },
  ],
  knowledge_bases: [
    { name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' },
    { name: 'manuals', provider: 'bedrock', provision: true },
  ],
};

const sonnet = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const model = (region: string, modelId: string) => `arn:\${Partition}:bedrock:${region}::foundation-model/${modelId}`;
const sonnetProfile = 'arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const throughSonnetProfile = ' if StringEquals bedrock:InferenceProfileArn=arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';
/** The `us.` profile in the function's Region; the model there and in the US Regions, only through the profile; Llama in its configured Region. */
const sonnetInvocable = [
  'arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  'arn:${Partition}:bedrock:${Region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0' + throughSonnetProfile,
  'arn:${Partition}:bedrock:eu-west-1::foundation-model/meta.llama3-70b-instruct-v1:0',
  'arn:${Partition}:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0' + throughSonnetProfile,
  'arn:${Partition}:bedrock:us-east-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0' + throughSonnetProfile,
  'arn:${Partition}:bedrock:us-west-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0' + throughSonnetProfile,
  'arn:${Partition}:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0' + throughSonnetProfile,
];
const retrievable = ['arn:${Partition}:bedrock:${Region}:${Account}:knowledge-base/ABCDEFGHIJ', 'manuals knowledge base'];
const tracing = { 'xray:PutTelemetryRecords': ['*'], 'xray:PutTraceSegments': ['*'] };
const managed = ['AWSLambdaBasicExecutionRole'];

describe('IAM, role by role', () => {
  const { stack, template } = synthesize(reviewConfig);

  it('gives chat exactly the table calls its stores make and the Bedrock calls its providers make', () => {
    expect(accessOf(stack, template, 'chat')).toEqual({
      ...tracing,
      'dynamodb:GetItem': ['Budgets table', 'Keys table'],
      'dynamodb:UpdateItem': ['Budgets table'],
      'dynamodb:PutItem': ['Usage table'],
      'dynamodb:BatchWriteItem': ['Responses table'],
      'dynamodb:Query': ['Responses table'],
      // Titan embeddings: InvokeModel only, in the function's Region.
      'bedrock:InvokeModel': [...sonnetInvocable, 'arn:${Partition}:bedrock:${Region}::foundation-model/amazon.titan-embed-text-v2:0'].sort(),
      'bedrock:InvokeModelWithResponseStream': sonnetInvocable,
      // Claude only: /v1/messages/count_tokens, answered in the function's Region.
      'bedrock:CountTokens': [sonnetProfile, 'arn:${Partition}:bedrock:${Region}::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0'],
      'bedrock:Retrieve': retrievable,
      managed,
    });
  });

  it('gives mcp key lookups, rpm counting and knowledge-base search only', () => {
    expect(accessOf(stack, template, 'mcp')).toEqual({
      ...tracing,
      'dynamodb:GetItem': ['Keys table'],
      'dynamodb:UpdateItem': ['Budgets table'],
      'bedrock:Retrieve': retrievable,
      managed,
    });
  });

  it('gives retrieve key lookups, rpm counting and knowledge-base search only', () => {
    expect(accessOf(stack, template, 'retrieve')).toEqual({
      ...tracing,
      'dynamodb:GetItem': ['Keys table'],
      'dynamodb:UpdateItem': ['Budgets table'],
      'bedrock:Retrieve': retrievable,
      managed,
    });
  });

  it('gives admin key and team records, the ledger, the usage indexes it queries and the master key; no Bedrock', () => {
    expect(accessOf(stack, template, 'admin')).toEqual({
      ...tracing,
      'dynamodb:GetItem': ['Budgets table', 'Keys table'],
      'dynamodb:PutItem': ['Keys table'],
      'dynamodb:DeleteItem': ['Keys table'],
      'dynamodb:Scan': ['Keys table'],
      'dynamodb:UpdateItem': ['Budgets table'],
      'dynamodb:Query': ['Usage table/index/by-day', 'Usage table/index/by-key', 'Usage table/index/by-team'],
      'secretsmanager:GetSecretValue': ['Master key secret'],
      managed,
    });
  });

  it('names only indexes the usage table defines', () => {
    const defined = usageTable.globalSecondaryIndexes.map((index) => index.indexName);
    const queried = tableAccessOf('admin', configSchema.parse(reviewConfig)).Usage?.indexes;

    expect(queried?.length).toBeGreaterThan(0);
    expect(defined).toEqual(expect.arrayContaining(queried ?? []));
  });
});

describe('IAM for the other shapes of Bedrock model', () => {
  it('lets a global profile reach its model in the caller\'s Region and, Region-less, only through the profile; a guardrail is applied by ARN', () => {
    const { stack, template } = synthesize({
      models: [
        { name: 'nova', provider: 'bedrock', model: 'global.amazon.nova-2-lite-v1:0', guardrail: { id: 'gr7abc', version: '2' } },
        { name: 'claude-eu', provider: 'bedrock', model: `eu.${sonnet}`, region: 'eu-west-1', guardrail: { id: 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/gr9xyz', version: 'DRAFT' } },
      ],
    });
    const novaProfile = 'arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/global.amazon.nova-2-lite-v1:0';
    const throughNova = ` if StringEquals bedrock:InferenceProfileArn=${novaProfile}`;
    const euProfile = `arn:\${Partition}:bedrock:eu-west-1:\${Account}:inference-profile/eu.${sonnet}`;
    const throughEu = ` if StringEquals bedrock:InferenceProfileArn=${euProfile}`;
    const euRegions = ['eu-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-2', 'eu-west-3'];
    const invocable = [
      novaProfile,
      model('${Region}', 'amazon.nova-2-lite-v1:0') + throughNova,
      `${model('', 'amazon.nova-2-lite-v1:0')}${throughNova}, aws:RequestedRegion=unspecified`,
      euProfile,
      ...euRegions.map((region) => model(region, sonnet) + throughEu),
    ].sort();

    const access = accessOf(stack, template, 'chat');

    expect(access['bedrock:InvokeModel']).toEqual(invocable);
    expect(access['bedrock:InvokeModelWithResponseStream']).toEqual(invocable);
    expect(access['bedrock:CountTokens']).toEqual([euProfile, model('eu-west-1', sonnet)]);
    expect(access['bedrock:ApplyGuardrail']).toEqual(['arn:${Partition}:bedrock:${Region}:${Account}:guardrail/gr7abc', 'arn:aws:bedrock:eu-west-1:111122223333:guardrail/gr9xyz']);
  });

  it('lets mcp hold budgets and write usage records only when an MCP tool has a price', () => {
    const priced = synthesize({
      models: [{ name: 'echo', provider: 'echo' }],
      mcp_servers: [{ name: 'search', url: 'https://example.com/mcp', tool_prices: { web_search: 0.01 } }],
    });

    expect(accessOf(priced.stack, priced.template, 'mcp')).toEqual({
      ...tracing,
      'dynamodb:GetItem': ['Budgets table', 'Keys table'],
      'dynamodb:UpdateItem': ['Budgets table'],
      'dynamodb:PutItem': ['Usage table'],
      managed,
    });
  });
});
