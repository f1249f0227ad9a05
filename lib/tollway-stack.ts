import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import { DataTables } from './data-tables.js';
import { GatewayApi } from './gateway-api.js';
import { GatewayFunctions } from './gateway-functions.js';
import { KnowledgeBases, type ProvisionedKnowledgeBaseProps } from './knowledge-bases.js';
import { MasterKey } from './master-key.js';
import { acknowledgeNagFindings } from './nag-suppressions.js';
import { Observability } from './observability.js';

export interface TollwayStackProps extends StackProps {
  /** The validated `tollway.config.yaml`. */
  config: TollwayConfig;
  /** Bedrock knowledge bases to create; by default those with `provision` in the config. */
  provisionedKnowledgeBases?: readonly ProvisionedKnowledgeBaseProps[];
}

/** The knowledge bases the config asks the stack to create. */
export const provisionedKnowledgeBasesOf = (config: TollwayConfig): ProvisionedKnowledgeBaseProps[] =>
  config.knowledge_bases.flatMap((base) => {
    if (base.provider !== 'bedrock' || !base.provision) return [];
    const options = base.provision === true ? {} : base.provision;
    return [
      {
        name: base.name,
        description: base.description,
        embeddingModelId: options.embedding_model,
        dimensions: options.dimensions,
        inclusionPrefixes: options.inclusion_prefixes,
        chunking: options.chunking && { maxTokens: options.chunking.max_tokens, overlapPercentage: options.chunking.overlap_percentage },
      },
    ];
  });

/** The whole gateway: tables, master key, functions and the API in front of them. */
export class TollwayStack extends Stack {
  public readonly tables: DataTables;
  public readonly masterKey: MasterKey;
  public readonly functions: GatewayFunctions;
  public readonly api: GatewayApi;
  /** Dashboard, alarms and saved log queries. */
  public readonly observability: Observability;
  /** Present when the stack provisions knowledge bases. */
  public readonly knowledgeBases?: KnowledgeBases;

  constructor(scope: Construct, id: string, props: TollwayStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.tables = new DataTables(this, 'Tables');
    this.masterKey = new MasterKey(this, 'MasterKey');
    this.functions = new GatewayFunctions(this, 'Functions', { config, tables: this.tables, masterKey: this.masterKey.secret });
    const provisioned = props.provisionedKnowledgeBases ?? provisionedKnowledgeBasesOf(config);
    if (provisioned.length) {
      const knowledgeBases = new KnowledgeBases(this, 'KnowledgeBases', { knowledgeBases: provisioned });
      // Every function that searches: the vector-store routes, file_search in chat, the MCP search tool.
      for (const searcher of [this.functions.retrieve, this.functions.chat, this.functions.mcp]) {
        knowledgeBases.grantRetrieve(searcher.lambdaFunction);
        for (const [name, value] of Object.entries(knowledgeBases.environment)) searcher.lambdaFunction.addEnvironment(name, value);
      }
      this.knowledgeBases = knowledgeBases;
    }
    this.api = new GatewayApi(this, 'Gateway', { functions: this.functions.byName, corsOrigins: config.settings.cors_origins });
    this.observability = new Observability(this, 'Observability', { functions: this.functions, api: this.api, config });
    acknowledgeNagFindings({ masterKey: this.masterKey, functions: this.functions, api: this.api, knowledgeBases: this.knowledgeBases, managedInstances: this.functions.managedInstances });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL; OpenAI SDKs take `<ApiUrl>v1` as baseURL',
      value: this.api.url,
    });
    new CfnOutput(this, 'MasterKeySecretArn', {
      description: 'Secrets Manager secret holding the master key for the admin routes',
      value: this.masterKey.secret.secretArn,
    });
  }
}
