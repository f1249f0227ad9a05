import { readFileSync } from 'node:fs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { bedrockRetrieveStatement } from '../../lib/bedrock-access.js';
import type { GatewayFunction } from '../../lib/gateway-function.js';
import { TollwayStack } from '../../lib/tollway-stack.js';

const cdkContext = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

const config = configSchema.parse({
  models: [{ name: 'echo', provider: 'echo' }],
  knowledge_bases: [
    { name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' },
    { name: 'legal', provider: 'bedrock', knowledge_base_id: 'KLMNOPQRST', region: 'eu-west-1' },
    { name: 'docs', provider: 'local', path: './knowledge' },
  ],
});

const synthesize = (provisioned: ConstructorParameters<typeof TollwayStack>[2]['provisionedKnowledgeBases']) => {
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollwayStack(app, 'Tollway', { config, provisionedKnowledgeBases: provisioned });
  return { stack, template: Template.fromStack(stack) };
};

type Json = unknown;

/** An intrinsic as readable text: `Fn::Join` flattened, `Ref` as `${Name}`, `Fn::GetAtt` as `${Id.Attribute}`. */
const render = (value: Json): string => {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, Json>;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, Json[]];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
};

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json | Json[];
}

const logicalId = (stack: Stack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);

const statementsOfRole = (template: Template, roleId: string): Statement[] =>
  Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );

const resourcesAllowed = (statements: Statement[], action: string): string[] =>
  statements
    .filter((statement) => asList(statement.Action).includes(action))
    .flatMap((statement) => asList(statement.Resource).map(render))
    .sort();

const functionStatements = (stack: TollwayStack, template: Template, gatewayFunction: GatewayFunction): Statement[] => {
  const role = gatewayFunction.lambdaFunction.role;
  if (!role) throw new Error('function has no role');
  return statementsOfRole(template, logicalId(stack, role));
};

describe('provisioned knowledge bases', () => {
  let stack: TollwayStack;
  let template: Template;
  let ids: { index: string; vectorBucket: string; knowledgeBase: string; bucket: string; role: string };

  beforeAll(() => {
    ({ stack, template } = synthesize([{ name: 'docs', description: 'Tollway documentation' }]));
    const provisioned = stack.knowledgeBases?.knowledgeBases[0];
    if (!provisioned) throw new Error('no knowledge base provisioned');
    ids = {
      index: stack.getLogicalId(provisioned.vectorIndex),
      vectorBucket: stack.getLogicalId(provisioned.vectorBucket),
      knowledgeBase: stack.getLogicalId(provisioned.knowledgeBase),
      bucket: logicalId(stack, provisioned.documents),
      role: logicalId(stack, provisioned.serviceRole),
    };
  });

  it('creates an S3 Vectors index for Titan v2 embeddings: 1024 float32 dimensions, cosine, Bedrock text not filterable', () => {
    template.resourceCountIs('AWS::S3Vectors::VectorBucket', 1);
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      VectorBucketArn: { 'Fn::GetAtt': [ids.vectorBucket, 'VectorBucketArn'] },
      IndexName: 'tollway-docs',
      DataType: 'float32',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT'] },
    });
  });

  it('creates a vector knowledge base stored in that S3 Vectors index, embedding with Titan Text Embeddings v2', () => {
    const knowledgeBases = template.findResources('AWS::Bedrock::KnowledgeBase');
    expect(Object.keys(knowledgeBases)).toEqual([ids.knowledgeBase]);
    const properties = (knowledgeBases[ids.knowledgeBase] as { Properties: Record<string, Json> }).Properties;

    expect(properties).toMatchObject({
      Name: 'Tollway-docs',
      Description: 'Tollway documentation',
      RoleArn: { 'Fn::GetAtt': [ids.role, 'Arn'] },
      KnowledgeBaseConfiguration: {
        Type: 'VECTOR',
        VectorKnowledgeBaseConfiguration: {
          EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' } },
        },
      },
      StorageConfiguration: { Type: 'S3_VECTORS', S3VectorsConfiguration: { IndexArn: { 'Fn::GetAtt': [ids.index, 'IndexArn'] } } },
    });
    const embeddingModelArn = (properties.KnowledgeBaseConfiguration as { VectorKnowledgeBaseConfiguration: { EmbeddingModelArn: Json } })
      .VectorKnowledgeBaseConfiguration.EmbeddingModelArn;
    expect(render(embeddingModelArn)).toBe('arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/amazon.titan-embed-text-v2:0');
  });

  it('connects the documents bucket as the S3 data source of the knowledge base', () => {
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      KnowledgeBaseId: { 'Fn::GetAtt': [ids.knowledgeBase, 'KnowledgeBaseId'] },
      DataSourceConfiguration: { Type: 'S3', S3Configuration: { BucketArn: { 'Fn::GetAtt': [ids.bucket, 'Arn'] } } },
    });
  });

  it('keeps the documents in an encrypted, private, versioned, SSL-only bucket that outlives the stack', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('gives the knowledge base a role only Bedrock in this account can assume', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'bedrock.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ],
      },
    });
  });

  it('lets that role read only its bucket, embed only with its model and write only its index', () => {
    const statements = statementsOfRole(template, ids.role);

    expect(statements.flatMap((statement) => asList(statement.Action)).sort()).toEqual(
      ['bedrock:InvokeModel', 's3:GetObject', 's3:ListBucket', 's3vectors:DeleteVectors', 's3vectors:GetIndex', 's3vectors:GetVectors', 's3vectors:PutVectors', 's3vectors:QueryVectors'].sort(),
    );
    expect(resourcesAllowed(statements, 's3:ListBucket')).toEqual([`\${${ids.bucket}.Arn}`]);
    expect(resourcesAllowed(statements, 's3:GetObject')).toEqual([`\${${ids.bucket}.Arn}/*`]);
    expect(resourcesAllowed(statements, 'bedrock:InvokeModel')).toEqual(['arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/amazon.titan-embed-text-v2:0']);
    expect(resourcesAllowed(statements, 's3vectors:PutVectors')).toEqual([`\${${ids.index}.IndexArn}`]);
  });

  it('lets the searching functions call Retrieve on the configured and provisioned knowledge bases only, and tells them the new id', () => {
    const configured = [
      'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:knowledge-base/ABCDEFGHIJ',
      'arn:${AWS::Partition}:bedrock:eu-west-1:${AWS::AccountId}:knowledge-base/KLMNOPQRST',
    ];
    const provisioned = `\${${ids.knowledgeBase}.KnowledgeBaseArn}`;

    expect(resourcesAllowed(functionStatements(stack, template, stack.functions.retrieve), 'bedrock:Retrieve')).toEqual([...configured, provisioned].sort());
    expect(resourcesAllowed(functionStatements(stack, template, stack.functions.chat), 'bedrock:Retrieve')).toEqual([...configured, provisioned].sort());
    expect(resourcesAllowed(functionStatements(stack, template, stack.functions.mcp), 'bedrock:Retrieve')).toEqual([...configured, provisioned].sort());
    expect(resourcesAllowed(functionStatements(stack, template, stack.functions.admin), 'bedrock:Retrieve')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Tollway retrieve routes',
      Environment: { Variables: Match.objectLike({ TOLLWAY_KNOWLEDGE_BASE_ID_DOCS: { 'Fn::GetAtt': [ids.knowledgeBase, 'KnowledgeBaseId'] } }) },
    });
  });

  it('outputs the knowledge base id, data source id and bucket under names the ingestion script reads', () => {
    template.hasOutput('KnowledgeBaseDocsId', { Value: { 'Fn::GetAtt': [ids.knowledgeBase, 'KnowledgeBaseId'] } });
    template.hasOutput('KnowledgeBaseDocsDataSourceId', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'DataSourceId'] } });
    template.hasOutput('KnowledgeBaseDocsBucket', { Value: { Ref: ids.bucket } });
  });

  it('creates nothing when no knowledge base is marked for provisioning', () => {
    const { stack: plain, template: plainTemplate } = synthesize(undefined);

    expect(plain.knowledgeBases).toBeUndefined();
    plainTemplate.resourceCountIs('AWS::Bedrock::KnowledgeBase', 0);
    plainTemplate.resourceCountIs('AWS::S3Vectors::Index', 0);
    plainTemplate.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('takes the embedding model, dimensions, prefixes and chunking from the props', () => {
    const { template: custom } = synthesize([
      { name: 'legal-v2', embeddingModelId: 'cohere.embed-multilingual-v3', dimensions: 512, inclusionPrefixes: ['contracts/'], chunking: { maxTokens: 300, overlapPercentage: 20 } },
    ]);

    custom.hasResourceProperties('AWS::S3Vectors::Index', { IndexName: 'tollway-legal-v2', Dimension: 512 });
    custom.hasResourceProperties('AWS::Bedrock::DataSource', {
      DataSourceConfiguration: { S3Configuration: { InclusionPrefixes: ['contracts/'] } },
      VectorIngestionConfiguration: { ChunkingConfiguration: { ChunkingStrategy: 'FIXED_SIZE', FixedSizeChunkingConfiguration: { MaxTokens: 300, OverlapPercentage: 20 } } },
    });
    custom.hasOutput('KnowledgeBaseLegalV2Id', {});
  });
});

describe('provisioning from the config', () => {
  it('creates the knowledge bases marked `provision` and validates the entry', () => {
    const provisioning = configSchema.parse({
      models: [{ name: 'echo', provider: 'echo' }],
      knowledge_bases: [
        { name: 'wiki', provider: 'bedrock', provision: true },
        { name: 'contracts', provider: 'bedrock', provision: { dimensions: 512, chunking: { max_tokens: 300, overlap_percentage: 20 } } },
        { name: 'handbook', provider: 'bedrock', knowledge_base_id: 'ABCDEFGHIJ' },
      ],
    });
    const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new TollwayStack(app, 'Tollway', { config: provisioning }));

    template.resourceCountIs('AWS::Bedrock::KnowledgeBase', 2);
    template.hasResourceProperties('AWS::S3Vectors::Index', { IndexName: 'tollway-contracts', Dimension: 512 });
    template.hasOutput('KnowledgeBaseWikiId', {});
    expect(asList((new Stack().resolve(bedrockRetrieveStatement(provisioning)?.toStatementJson()) as Statement).Resource)).toHaveLength(1);

    const neither = configSchema.safeParse({ models: [{ name: 'echo', provider: 'echo' }], knowledge_bases: [{ name: 'x', provider: 'bedrock' }] });
    expect(neither.success).toBe(false);
    expect(neither.error?.issues[0].path).toEqual(['knowledge_bases', 0, 'knowledge_base_id']);
  });
});

describe('bedrockRetrieveStatement', () => {
  it('allows Retrieve on exactly the configured Bedrock knowledge bases, in their regions', () => {
    const statement = bedrockRetrieveStatement(config);
    const resolved = new Stack().resolve(statement?.toStatementJson()) as Statement;

    expect(resolved.Action).toBe('bedrock:Retrieve');
    expect(asList(resolved.Resource).map(render)).toEqual([
      'arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:knowledge-base/ABCDEFGHIJ',
      'arn:${AWS::Partition}:bedrock:eu-west-1:${AWS::AccountId}:knowledge-base/KLMNOPQRST',
    ]);
  });

  it('grants nothing when every knowledge base is local', () => {
    const localOnly = configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }], knowledge_bases: [{ name: 'docs', provider: 'local', path: '.' }] });

    expect(bedrockRetrieveStatement(localOnly)).toBeUndefined();
  });
});
