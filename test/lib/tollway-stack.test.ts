import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type TollwayConfig } from '../../functions/core/config/schema.js';
import { routes } from '../../functions/core/routes.js';
import { responsesTable, tableDefinitions, usageTable } from '../../functions/stores/table-definitions.js';
import type { GatewayFunction } from '../../lib/gateway-function.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

/** The feature flags `cdk synth` runs with, so the tests see the same template. */
const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

const synthesize = (rawConfig: unknown) => {
  const config: TollwayConfig = configSchema.parse(rawConfig);
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollwayStack(app, 'Tollway', { config });
  return { stack, template: Template.fromStack(stack) };
};

const fullConfig = {
  models: [
    { name: 'echo', provider: 'echo' },
    { name: 'claude-sonnet', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    { name: 'claude-sonnet', provider: 'bedrock', model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', region: 'eu-west-1' },
    { name: 'nova', provider: 'bedrock', model: 'global.amazon.nova-2-lite-v1:0' },
    { name: 'titan-embed', provider: 'bedrock', model: 'amazon.titan-embed-text-v2:0', mode: 'embedding' },
    { name: 'gpt-4o', provider: 'openai', model: 'gpt-4o', api_key: 'secret:openai-key' },
    { name: 'gpt-4o-local', provider: 'openai', model: 'gpt-4o', api_key: 'env:OPENAI_API_KEY' },
  ],
  mcp_servers: [{ name: 'github', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer secret:github-token' } }],
  knowledge_bases: [{ name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' }],
};

const minimalConfig = {
  models: [
    { name: 'echo', provider: 'echo' },
    { name: 'claude-sonnet', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
  ],
};

type Json = unknown;

/** The logical id of an L2 construct's CloudFormation resource. */
const logicalId = (stack: TollwayStack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** An intrinsic ARN as readable text: `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ...]]}` → `arn:${AWS::Partition}...`. */
const render = (value: Json): string => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, Json>;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, Json[]];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json | Json[];
  Condition?: Record<string, Record<string, Json>>;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The statements of the inline policies attached to one function's role. */
const statementsOf = (stack: TollwayStack, template: Template, gatewayFunction: GatewayFunction): Statement[] => {
  const role = gatewayFunction.lambdaFunction.role;
  if (!role) throw new Error('function has no role');
  const roleId = logicalId(stack, role);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
};

/** Rendered resources of the statements that allow any of `actions`. */
const resourcesFor = (statements: Statement[], actions: string[]): string[] =>
  statements
    .filter((statement) => asList(statement.Action).some((action) => actions.includes(action)))
    .flatMap((statement) => asList(statement.Resource).map(render))
    .sort();

/** The logical id of the API Gateway resource at `path`. */
const resourceIdFor = (template: Template, path: string): string => {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const parentOf = new Map<string, { parent: Json; part: string }>(
    Object.entries(resources).map(([id, resource]) => {
      const properties = (resource as { Properties: { ParentId: Json; PathPart: string } }).Properties;
      return [id, { parent: properties.ParentId, part: properties.PathPart }];
    }),
  );
  const pathOf = (id: string): string => {
    const entry = parentOf.get(id);
    if (!entry) return '';
    const parent = entry.parent as { Ref?: string };
    return `${parent.Ref ? pathOf(parent.Ref) : ''}/${entry.part}`;
  };
  const found = [...parentOf.keys()].find((id) => pathOf(id) === path);
  if (!found) throw new Error(`no API resource for ${path}`);
  return found;
};

const methodFor = (template: Template, httpMethod: string, path: string) => {
  const methods = template.findResources('AWS::ApiGateway::Method', {
    Properties: { HttpMethod: httpMethod, ResourceId: { Ref: resourceIdFor(template, path) } },
  });
  const found = Object.values(methods);
  expect(found, `${httpMethod} ${path}`).toHaveLength(1);
  return found[0] as { Properties: { Integration: Record<string, Json>; AuthorizationType: string } };
};

describe('TollwayStack', () => {
  let stack: TollwayStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = synthesize(fullConfig));
  });

  describe('API', () => {
    it('streams POST /v1/chat/completions through response-streaming-invocations with the 15-minute timeout', () => {
      const integration = methodFor(template, 'POST', '/v1/chat/completions').Properties.Integration;

      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.ResponseTransferMode).toBe('STREAM');
      expect(integration.TimeoutInMillis).toBe(900_000);
      const uri = render(integration.Uri);
      expect(uri).toMatch(/:lambda:path\/2021-11-15\/functions\/.*\/response-streaming-invocations$/);
      expect(uri).toContain(logicalId(stack, stack.functions.chat.lambdaFunction));
    });

    it('streams the MCP routes (POST /mcp, POST/GET/DELETE /mcp/{server}) through response-streaming-invocations of the mcp function', () => {
      const mcpRoutes = [
        ['POST', '/mcp'],
        ['POST', '/mcp/{server}'],
        ['GET', '/mcp/{server}'],
        ['DELETE', '/mcp/{server}'],
      ] as const;
      for (const [httpMethod, path] of mcpRoutes) {
        const integration = methodFor(template, httpMethod, path).Properties.Integration;

        expect(integration.ResponseTransferMode, `${httpMethod} ${path}`).toBe('STREAM');
        expect(integration.TimeoutInMillis, `${httpMethod} ${path}`).toBe(900_000);
        const uri = render(integration.Uri);
        expect(uri, `${httpMethod} ${path}`).toMatch(/:lambda:path\/2021-11-15\/functions\/.*\/response-streaming-invocations$/);
        expect(uri, `${httpMethod} ${path}`).toContain(logicalId(stack, stack.functions.mcp.lambdaFunction));
      }
      // The REST tool routes stay buffered.
      expect(methodFor(template, 'POST', '/v1/mcp/tools/call').Properties.Integration.ResponseTransferMode).toBeUndefined();
    });

    it('buffers GET /v1/models through the plain invocations path', () => {
      const integration = methodFor(template, 'GET', '/v1/models').Properties.Integration;

      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.ResponseTransferMode).toBeUndefined();
      expect(render(integration.Uri)).toMatch(/:lambda:path\/2015-03-31\/functions\/.*\/invocations$/);
    });

    it('has one method per route of the route table, on the function the table names, without API-level auth', () => {
      for (const route of routes) {
        const method = methodFor(template, route.method, route.path).Properties;
        const functionId = logicalId(stack, stack.functions[route.function].lambdaFunction);

        expect(method.AuthorizationType, `${route.method} ${route.path}`).toBe('NONE');
        expect(render(method.Integration.Uri), `${route.method} ${route.path}`).toContain(functionId);
      }
      template.resourceCountIs('AWS::ApiGateway::Method', routes.length);
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    });

    it('deploys a throttled, traced prod stage that logs without request data', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'prod',
        TracingEnabled: true,
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: 100,
            ThrottlingBurstLimit: 200,
            MetricsEnabled: true,
            LoggingLevel: 'INFO',
            DataTraceEnabled: false,
          }),
        ],
      });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    });

    it("answers API Gateway's own errors in the OpenAI envelope", () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
        StatusCode: '404',
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"type":"not_found_error"') },
      });
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'THROTTLED',
        StatusCode: '429',
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"rate_limit_exceeded"') },
      });
    });

    it('adds no preflight methods unless CORS origins are configured', () => {
      template.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 0);

      const withCors = synthesize({ ...minimalConfig, settings: { cors_origins: ['https://app.example.com'] } }).template;
      withCors.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'OPTIONS',
        ResourceId: { Ref: resourceIdFor(withCors, '/v1/chat/completions') },
      });
    });
  });

  describe('tables', () => {
    it('builds every defined table on demand, with point-in-time recovery and managed encryption, retained on delete', () => {
      const tables = template.findResources('AWS::DynamoDB::Table');
      expect(Object.keys(tables)).toHaveLength(tableDefinitions.length);
      for (const table of Object.values(tables)) {
        expect(table).toMatchObject({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true },
          },
        });
      }
    });

    it('gives the keys table its partition key and no expiry', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: Match.absent(),
        GlobalSecondaryIndexes: Match.absent(),
      });
    });

    it('gives the usage table its indexes and TTL attribute from the table definition', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'request_id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        GlobalSecondaryIndexes: usageTable.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey?.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      });
    });

    it('gives the responses table its partition and sort keys, no indexes, and the TTL attribute from the table definition', () => {
      const table = template.findResources('AWS::DynamoDB::Table')[logicalId(stack, stack.tables.responses)];

      expect(table).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          KeySchema: [
            { AttributeName: responsesTable.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: responsesTable.sortKey?.name, KeyType: 'RANGE' },
          ],
          TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          BillingMode: 'PAY_PER_REQUEST',
        },
      });
      expect(table?.Properties).not.toHaveProperty('GlobalSecondaryIndexes');
    });

    it('tells every function every table name under the variable its definition names', () => {
      const tablesById = { Keys: stack.tables.keys, Budgets: stack.tables.budgets, Usage: stack.tables.usage, Responses: stack.tables.responses };
      for (const definition of tableDefinitions) {
        const tableId = logicalId(stack, tablesById[definition.id]);
        template.resourcePropertiesCountIs(
          'AWS::Lambda::Function',
          { Environment: { Variables: Match.objectLike({ [definition.environmentVariable]: { Ref: tableId } }) } },
          4,
        );
      }
    });
  });

  describe('functions', () => {
    it('runs every function on Node.js 22, arm64, traced, with Powertools settings and source maps', () => {
      template.resourcePropertiesCountIs(
        'AWS::Lambda::Function',
        {
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Environment: {
            Variables: Match.objectLike({
              POWERTOOLS_SERVICE_NAME: 'tollway',
              POWERTOOLS_METRICS_NAMESPACE: 'Tollway',
              NODE_OPTIONS: '--enable-source-maps',
            }),
          },
        },
        4,
      );
    });

    it('gives chat 15 minutes and 512 MB (sized from the bench RSS), mcp (streamed) 15 minutes and 512 MB, admin 30 seconds and 512 MB', () => {
      template.hasResourceProperties('AWS::Lambda::Function', { Description: 'Tollway chat routes', Timeout: 900, MemorySize: 512 });
      template.hasResourceProperties('AWS::Lambda::Function', { Description: 'Tollway mcp routes', Timeout: 900, MemorySize: 512 });
      template.hasResourceProperties('AWS::Lambda::Function', { Description: 'Tollway admin routes', Timeout: 30, MemorySize: 512 });
    });

    it('tells only the admin function where the master key is', () => {
      const secretId = logicalId(stack, stack.masterKey.secret);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'Tollway admin routes',
        Environment: { Variables: Match.objectLike({ TOLLWAY_MASTER_KEY_SECRET_ARN: { Ref: secretId } }) },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'Tollway chat routes',
        Environment: { Variables: Match.objectLike({ TOLLWAY_MASTER_KEY_SECRET_ARN: Match.absent() }) },
      });
    });

    it('keeps logs for a month', () => {
      template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 4);
    });
  });

  describe('IAM', () => {
    it('lets chat invoke exactly the configured Bedrock models, a profile\'s foundation model only through that profile and never in every Region', () => {
      const statements = statementsOf(stack, template, stack.functions.chat).filter((statement) => asList(statement.Action).includes('bedrock:InvokeModel'));
      const profiles = resourcesFor(statements, ['bedrock:InvokeModel']).filter((resource) => resource.includes(':inference-profile/'));

      expect(profiles).toEqual(
        [
          'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
          'arn:${AWS::Partition}:bedrock:eu-west-1:${AWS::AccountId}:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
          'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/global.amazon.nova-2-lite-v1:0',
        ].sort(),
      );
      for (const statement of statements) {
        const resources = asList(statement.Resource).map(render);
        for (const resource of resources) expect(resource).not.toContain(':bedrock:*:');
        const profileCondition = render(statement.Condition?.StringEquals?.['bedrock:InferenceProfileArn']);
        // A foundation model of a profiled entry is granted only under the profile's condition; Titan is configured by model id.
        for (const resource of resources.filter((candidate) => candidate.includes('foundation-model/') && !candidate.includes('titan'))) {
          expect(profiles, resource).toContain(profileCondition);
        }
      }
      // Embeddings are never streamed.
      expect(resourcesFor(statementsOf(stack, template, stack.functions.chat), ['bedrock:InvokeModelWithResponseStream'])).toEqual(
        resourcesFor(statements, ['bedrock:InvokeModel']).filter((resource) => !resource.includes('titan')),
      );
    });

    it('never grants a Bedrock action on "*"', () => {
      for (const { template: each } of [{ template }, synthesize(minimalConfig)]) {
        const policies = Object.values(each.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
        const bedrockStatements = policies
          .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
          .filter((statement) => asList(statement.Action).some((action) => action.startsWith('bedrock:')));
        expect(bedrockStatements.length).toBeGreaterThan(0);
        for (const statement of bedrockStatements) {
          expect(asList(statement.Action)).not.toContain('bedrock:*');
          expect(asList(statement.Resource).map(render)).not.toContain('*');
        }
      }
    });

    it('gives admin no Bedrock access', () => {
      expect(resourcesFor(statementsOf(stack, template, stack.functions.admin), ['bedrock:InvokeModel', 'bedrock:Retrieve'])).toEqual([]);
    });

    it('lets chat retrieve from exactly the configured Bedrock knowledge bases', () => {
      expect(resourcesFor(statementsOf(stack, template, stack.functions.chat), ['bedrock:Retrieve'])).toEqual([
        'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:knowledge-base/ABCDEFGHIJ',
      ]);
    });

    it('lets each function read only the config secrets its routes can reach, and only admin the master key', () => {
      const secretArn = (name: string) => `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}-??????`;
      const readable = (gatewayFunction: GatewayFunction) => resourcesFor(statementsOf(stack, template, gatewayFunction), ['secretsmanager:GetSecretValue']);
      const masterKeyRef = `\${${logicalId(stack, stack.masterKey.secret)}}`;

      // Chat calls the models and, for {"type": "mcp"} tools, the MCP servers.
      expect(readable(stack.functions.chat)).toEqual([secretArn('github-token'), secretArn('openai-key')]);
      expect(readable(stack.functions.mcp)).toEqual([secretArn('github-token')]);
      expect(readable(stack.functions.retrieve)).toEqual([]);
      expect(readable(stack.functions.admin)).toEqual([masterKeyRef]);
    });

    it('grants no config secrets when the config names none', () => {
      const minimal = synthesize(minimalConfig);
      const readable = (gatewayFunction: GatewayFunction) =>
        resourcesFor(statementsOf(minimal.stack, minimal.template, gatewayFunction), ['secretsmanager:GetSecretValue']);
      const masterKeyRef = `\${${logicalId(minimal.stack, minimal.stack.masterKey.secret)}}`;

      for (const name of ['chat', 'mcp', 'retrieve'] as const) expect(readable(minimal.stack.functions[name]), name).toEqual([]);
      expect(readable(minimal.stack.functions.admin)).toEqual([masterKeyRef]);
    });

    it('lets chat write budgets and usage but only read keys; admin write keys and budget ceilings and only query the usage indexes', () => {
      const tableArn = (table: IConstruct) => JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, table), 'Arn'] });
      const chat = statementsOf(stack, template, stack.functions.chat);
      const admin = statementsOf(stack, template, stack.functions.admin);
      const writers = (statements: Statement[]) => resourcesFor(statements, ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
      const readers = (statements: Statement[]) => resourcesFor(statements, ['dynamodb:GetItem', 'dynamodb:Query']);

      // No index of the usage table: chat only puts records.
      expect(writers(chat)).toEqual([tableArn(stack.tables.budgets), tableArn(stack.tables.usage)].sort());
      expect(readers(chat)).toEqual(expect.arrayContaining([tableArn(stack.tables.keys)]));
      // A changed max_budget is written onto the current budget counter.
      expect(writers(admin)).toEqual([tableArn(stack.tables.budgets), tableArn(stack.tables.keys)].sort());
      expect(readers(admin)).toEqual(
        [tableArn(stack.tables.budgets), tableArn(stack.tables.keys), ...usageTable.globalSecondaryIndexes.map((index) => `${tableArn(stack.tables.usage)}/index/${index.indexName}`)].sort(),
      );
    });

    it('lets only chat use the responses table, with exactly the writes and reads the response store makes', () => {
      const responsesArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, stack.tables.responses), 'Arn'] });
      const actionsOnResponses = (gatewayFunction: GatewayFunction) =>
        statementsOf(stack, template, gatewayFunction)
          .filter((statement) => asList(statement.Resource).map(render).some((resource) => resource === responsesArn || resource.startsWith(`${responsesArn}/`)))
          .flatMap((statement) => asList(statement.Action))
          .sort();

      expect(actionsOnResponses(stack.functions.chat)).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:Query']);
      for (const name of ['mcp', 'retrieve', 'admin'] as const) expect(actionsOnResponses(stack.functions[name]), name).toEqual([]);
    });
  });

  it('outputs the stage URL and the master-key secret ARN', () => {
    const apiId = logicalId(stack, stack.api.api);
    const outputs = template.findOutputs('*');

    expect(render(outputs.ApiUrl?.Value)).toMatch(new RegExp(`^https://\\$\\{${apiId}\\}\\.execute-api\\.\\$\\{AWS::Region\\}\\.\\$\\{AWS::URLSuffix\\}/\\$\\{.*\\}/$`));
    expect(outputs.MasterKeySecretArn?.Value).toEqual({ Ref: logicalId(stack, stack.masterKey.secret) });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    });
  });
});
