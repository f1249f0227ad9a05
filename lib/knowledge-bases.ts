import { Aws, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnDataSource, CfnKnowledgeBase } from 'aws-cdk-lib/aws-bedrock';
import { PolicyStatement, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { CfnIndex, CfnVectorBucket } from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';
import { knowledgeBaseIdVariable } from '../functions/knowledge/knowledge-base-environment.js';

/** Titan Text Embeddings v2: 1024-dimension float vectors, the size the vector index is made for. */
export const defaultEmbeddingModelId = 'amazon.titan-embed-text-v2:0';
export const defaultEmbeddingDimensions = 1024;

/** Metadata key under which Bedrock stores each chunk's text in S3 Vectors; too large to be filterable. */
const bedrockTextMetadataKey = 'AMAZON_BEDROCK_TEXT';

export interface ProvisionedKnowledgeBaseProps {
  /** The knowledge base name, as in `tollway.config.yaml`. */
  name: string;
  description?: string;
  /** Bedrock embedding model id; Titan Text Embeddings v2 by default. */
  embeddingModelId?: string;
  /** Vector size the embedding model produces; 1024 by default (Titan v2). */
  dimensions?: number;
  /** Only objects under these key prefixes are ingested; the whole bucket by default. */
  inclusionPrefixes?: string[];
  /** Fixed-size chunking; Bedrock's default chunking when absent. */
  chunking?: { maxTokens: number; overlapPercentage: number };
  /** What happens to the documents bucket when the stack is deleted; retained by default. */
  removalPolicy?: RemovalPolicy;
}

/** `handbook-v2` → `HandbookV2`, for construct ids and output names. */
const pascalCase = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

/**
 * One Bedrock knowledge base with everything it needs: an S3 bucket for the
 * documents, an S3 Vectors bucket and index for the embeddings, the knowledge
 * base, its S3 data source, and a service role that can read only that
 * bucket, embed only with that model and write only to that index.
 */
export class ProvisionedKnowledgeBase extends Construct {
  public readonly name: string;
  public readonly documents: Bucket;
  public readonly vectorBucket: CfnVectorBucket;
  public readonly vectorIndex: CfnIndex;
  public readonly serviceRole: Role;
  public readonly knowledgeBase: CfnKnowledgeBase;
  public readonly dataSource: CfnDataSource;

  constructor(scope: Construct, id: string, props: ProvisionedKnowledgeBaseProps) {
    super(scope, id);
    this.name = props.name;
    const embeddingModelArn = `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}::foundation-model/${props.embeddingModelId ?? defaultEmbeddingModelId}`;

    this.documents = new Bucket(this, 'Documents', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.vectorBucket = new CfnVectorBucket(this, 'VectorBucket', { encryptionConfiguration: { sseType: 'AES256' } });
    this.vectorIndex = new CfnIndex(this, 'VectorIndex', {
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      indexName: `tollway-${props.name.toLowerCase()}`,
      dataType: 'float32',
      dimension: props.dimensions ?? defaultEmbeddingDimensions,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: [bedrockTextMetadataKey] },
    });

    this.serviceRole = new Role(this, 'ServiceRole', {
      description: `Bedrock knowledge base ${props.name}: reads its documents bucket, embeds, writes its vector index`,
      assumedBy: new ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:knowledge-base/*` },
        },
      }),
    });
    const policyDependables = [
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.documents.bucketArn] }),
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.documents.arnForObjects('*')] }),
      new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [embeddingModelArn] }),
      new PolicyStatement({
        actions: ['s3vectors:GetIndex', 's3vectors:QueryVectors', 's3vectors:PutVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors'],
        resources: [this.vectorIndex.attrIndexArn],
      }),
    ].map((statement) => this.serviceRole.addToPrincipalPolicy(statement).policyDependable);

    this.knowledgeBase = new CfnKnowledgeBase(this, 'KnowledgeBase', {
      name: `${Stack.of(this).stackName}-${props.name}`,
      description: props.description,
      roleArn: this.serviceRole.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn,
          embeddingModelConfiguration: {
            bedrockEmbeddingModelConfiguration: { dimensions: props.dimensions ?? defaultEmbeddingDimensions, embeddingDataType: 'FLOAT32' },
          },
        },
      },
      storageConfiguration: { type: 'S3_VECTORS', s3VectorsConfiguration: { indexArn: this.vectorIndex.attrIndexArn } },
    });
    // Bedrock checks the role's permissions when it creates the knowledge base: its policy must exist first
    // (the role itself is ordered by the RoleArn reference).
    for (const policy of new Set(policyDependables)) if (policy) this.knowledgeBase.node.addDependency(policy);

    this.dataSource = new CfnDataSource(this, 'DataSource', {
      knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
      name: `${props.name}-documents`,
      description: `Documents uploaded to the ${props.name} bucket`,
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: { bucketArn: this.documents.bucketArn, ...(props.inclusionPrefixes ? { inclusionPrefixes: props.inclusionPrefixes } : {}) },
      },
      ...(props.chunking
        ? {
            vectorIngestionConfiguration: {
              chunkingConfiguration: { chunkingStrategy: 'FIXED_SIZE', fixedSizeChunkingConfiguration: props.chunking },
            },
          }
        : {}),
    });
  }

  get knowledgeBaseId(): string {
    return this.knowledgeBase.attrKnowledgeBaseId;
  }

  get knowledgeBaseArn(): string {
    return this.knowledgeBase.attrKnowledgeBaseArn;
  }
}

export interface KnowledgeBasesProps {
  /** The knowledge bases to create; the config decides which (provisioning is opt-in per knowledge base). */
  knowledgeBases: readonly ProvisionedKnowledgeBaseProps[];
}

/**
 * The knowledge bases the stack provisions, with stack outputs per knowledge
 * base (`KnowledgeBase<Name>Id`, `...DataSourceId`, `...Bucket`: what
 * `scripts/ingest.ts` reads) and what the functions need to search them.
 */
export class KnowledgeBases extends Construct {
  public readonly knowledgeBases: readonly ProvisionedKnowledgeBase[];

  constructor(scope: Construct, id: string, props: KnowledgeBasesProps) {
    super(scope, id);
    this.knowledgeBases = props.knowledgeBases.map((knowledgeBaseProps) => {
      const knowledgeBase = new ProvisionedKnowledgeBase(this, pascalCase(knowledgeBaseProps.name), knowledgeBaseProps);
      const prefix = `KnowledgeBase${pascalCase(knowledgeBaseProps.name)}`;
      const outputs: Array<[string, string, string]> = [
        ['Id', knowledgeBase.knowledgeBaseId, `Bedrock knowledge base id of "${knowledgeBase.name}"`],
        ['DataSourceId', knowledgeBase.dataSource.attrDataSourceId, `Data source to ingest after uploading documents to "${knowledgeBase.name}"`],
        ['Bucket', knowledgeBase.documents.bucketName, `Bucket for the documents of "${knowledgeBase.name}"`],
      ];
      for (const [suffix, value, description] of outputs) {
        new CfnOutput(this, `${prefix}${suffix}`, { value, description }).overrideLogicalId(`${prefix}${suffix}`);
      }
      return knowledgeBase;
    });
  }

  /** Environment variables carrying each knowledge base's id to the functions (see `knowledgeBaseIdVariable`). */
  get environment(): Record<string, string> {
    return Object.fromEntries(this.knowledgeBases.map((knowledgeBase) => [knowledgeBaseIdVariable(knowledgeBase.name), knowledgeBase.knowledgeBaseId]));
  }

  /** Lets `grantee` call Retrieve on these knowledge bases and no others. */
  grantRetrieve(grantee: IGrantable): void {
    if (this.knowledgeBases.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['bedrock:Retrieve'], resources: this.knowledgeBases.map((knowledgeBase) => knowledgeBase.knowledgeBaseArn) }),
    );
  }
}
