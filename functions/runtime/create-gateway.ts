import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TollwayConfig } from '../core/config/schema.js';
import { environmentResolver, resolveReferences } from '../core/config/references.js';
import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import { consoleLogger, type GatewayLogger } from '../core/logger.js';
import type { FunctionName } from '../core/routes.js';
import { noMetrics, type GatewayMetrics } from '../core/metrics.js';
import { knowledgeSearchTool } from '../core/knowledge/knowledge-search-tool.js';
import { createKnowledgeService } from '../knowledge/index.js';
import { createMcpService } from '../mcp/index.js';
import { createModelCatalog } from '../providers/model-catalog.js';
import { createDocumentClient } from '../stores/document-client.js';
import { keyItems, teamItems } from '../stores/access-items.js';
import { DynamoDBCounterStore } from '../stores/dynamodb-counter-store.js';
import { DynamoDBRecordStore } from '../stores/dynamodb-record-store.js';
import { DynamoDBUsageStore } from '../stores/dynamodb-usage-store.js';
import type { TableNames } from '../stores/table-definitions.js';

export interface RuntimeOptions {
  config: TollwayConfig;
  /** Serve only this Lambda function's routes; all routes when absent (local server). */
  functionName?: FunctionName;
  tableNames: TableNames;
  dynamoClient: DynamoDBClient;
  /** The master key, fetched lazily (Secrets Manager in AWS, env or file locally). */
  masterKey: () => Promise<string>;
  /** Looks up `secret:NAME` references (Secrets Manager in AWS). */
  resolveSecret: (name: string) => Promise<string | undefined>;
  /** For `env:NAME` references and AWS_REGION. */
  environment: Record<string, string | undefined>;
  logger?: GatewayLogger;
  metrics?: GatewayMetrics;
  fetch?: typeof fetch;
  /** Where relative paths in the config (local knowledge bases) start; the working directory by default. */
  baseDirectory?: string;
  /** Where local knowledge-base indexes are saved (a writable folder). */
  knowledgeCacheDirectory?: string;
}

/** The composition root: wires providers and DynamoDB stores into the gateway core. Both hosts call it. */
export const createGatewayRuntime = (options: RuntimeOptions): Gateway => {
  const documentClient = createDocumentClient(options.dynamoClient);
  const resolver = environmentResolver(options.environment, options.resolveSecret);
  const resolveSecret = (value: string, field: string) => resolveReferences(value, resolver, field);
  const logger = options.logger ?? consoleLogger;
  const metrics = options.metrics ?? noMetrics;
  const knowledge = createKnowledgeService({
    config: options.config,
    logger,
    metrics,
    baseDirectory: options.baseDirectory ?? process.cwd(),
    cacheDirectory: options.knowledgeCacheDirectory,
  });
  const catalog = createModelCatalog(options.config, { resolveSecret, fetch: options.fetch });
  return createGateway({
    config: options.config,
    catalog,
    keyStore: new DynamoDBRecordStore(documentClient, options.tableNames.keys, keyItems),
    teamStore: new DynamoDBRecordStore(documentClient, options.tableNames.keys, teamItems),
    counterStore: new DynamoDBCounterStore(documentClient, options.tableNames.budgets),
    usageStore: new DynamoDBUsageStore(documentClient, options.tableNames.usage, options.config.settings.usage_retention_days),
    mcp: createMcpService({
      config: options.config,
      resolveSecret,
      logger,
      metrics,
      fetch: options.fetch,
      builtInTools: options.config.knowledge_bases.length > 0 ? [knowledgeSearchTool(knowledge)] : [],
    }),
    knowledge,
    masterKey: options.masterKey,
    logger,
    metrics,
    functionName: options.functionName,
  });
};
