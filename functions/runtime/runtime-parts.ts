/**
 * The pieces every composition of the gateway is built from. Each Lambda
 * function composes only the parts its routes reach (see the `*-runtime.ts`
 * files beside this one), so its bundle carries, and its cold start
 * evaluates, nothing more; the local server composes them all
 * (`createGatewayRuntime`).
 */
import type { GatewayDependencies } from '../core/gateway.js';
import { environmentResolver, resolveReferences } from '../core/config/references.js';
import { knowledgeSearchTool } from '../core/knowledge/knowledge-search-tool.js';
import type { KnowledgeService } from '../core/knowledge/knowledge-service.js';
import { consoleLogger, type GatewayLogger } from '../core/logger.js';
import { noMetrics, type GatewayMetrics } from '../core/metrics.js';
import type { FunctionName } from '../core/routes.js';
import { consoleFilesIn } from '../console/console-files.js';
import type { McpServiceOptions } from '../mcp/mcp-tools.js';
import { keyItems, teamItems } from '../stores/access-items.js';
import { DynamoDBCounterStore } from '../stores/dynamodb-counter-store.js';
import { DynamoDBRecordStore } from '../stores/dynamodb-record-store.js';
import { DynamoDBResponseStore } from '../stores/dynamodb-response-store.js';
import { DynamoDBUsageStore } from '../stores/dynamodb-usage-store.js';
import type { RuntimeOptions } from './runtime-options.js';

/** What every function shares: logging, metrics, secret references. */
export interface RuntimeParts {
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  /** Resolves `env:`/`secret:` references inside a config value; `field` names it in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
}

/** Logging, metrics and the secret resolver of a runtime. */
export const runtimePartsOf = (options: RuntimeOptions): RuntimeParts => {
  const resolver = environmentResolver(options.environment, options.resolveSecret);
  return {
    logger: options.logger ?? consoleLogger,
    metrics: options.metrics ?? noMetrics,
    resolveSecret: (value, field) => resolveReferences(value, resolver, field),
  };
};

/** The core's dependencies apart from the catalog, MCP and knowledge: the DynamoDB stores, the master key, logging. */
export const coreDependenciesOf = (
  options: RuntimeOptions,
  parts: RuntimeParts,
  functionName: FunctionName | undefined,
): Omit<GatewayDependencies, 'catalog' | 'mcp' | 'knowledge'> => {
  const { documents, counters, deadlineMs } = options.dynamo;
  return {
    config: options.config,
    keyStore: new DynamoDBRecordStore(documents, options.tableNames.keys, keyItems, deadlineMs),
    teamStore: new DynamoDBRecordStore(documents, options.tableNames.keys, teamItems, deadlineMs),
    counterStore: new DynamoDBCounterStore(counters, options.tableNames.budgets, deadlineMs),
    usageStore: new DynamoDBUsageStore(documents, options.tableNames.usage, options.config.settings.usage_retention_days, deadlineMs),
    responseStore: new DynamoDBResponseStore(documents, options.tableNames.responses, options.config.settings.response_retention_days, deadlineMs),
    masterKey: options.masterKey,
    consoleAssets: options.consoleFolder ? consoleFilesIn(options.consoleFolder) : undefined,
    logger: parts.logger,
    metrics: parts.metrics,
    functionName,
  };
};

/** What `createMcpService` and `createMcpToolsService` are built with: the built-in knowledge-base search tool when knowledge bases exist. */
export const mcpServiceOptionsOf = (options: RuntimeOptions, parts: RuntimeParts, knowledge: KnowledgeService): McpServiceOptions => ({
  config: options.config,
  resolveSecret: parts.resolveSecret,
  logger: parts.logger,
  metrics: parts.metrics,
  fetch: options.fetch,
  builtInTools: options.config.knowledge_bases.length > 0 ? [knowledgeSearchTool(knowledge)] : [],
  hostCheck: options.mcpHostnames && { hostnames: options.mcpHostnames, origins: options.config.settings.cors_origins },
});

/**
 * A part a function does not serve: its routes never reach it (the core
 * routes only the function's own), so any use is a wiring bug and says so.
 */
export const notServed = <Part extends object>(part: string, functionName: FunctionName): Part =>
  new Proxy({} as Part, {
    get: (_, property) => {
      // Not a thenable: awaiting the part must not call into it.
      if (property === 'then') return undefined;
      return () => {
        throw new Error(`the ${functionName} function does not serve ${part} (${String(property)})`);
      };
    },
  });
