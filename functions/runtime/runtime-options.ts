import type { TollwayConfig } from '../core/config/schema.js';
import type { GatewayLogger } from '../core/logger.js';
import type { GatewayMetrics } from '../core/metrics.js';
import type { FunctionName } from '../core/routes.js';
import type { TableNames } from '../stores/table-definitions.js';
import type { AwsSettings } from './aws/aws-settings.js';
import type { DynamoClients } from './aws/dynamodb-clients.js';

/** What a host gives the composition root. */
export interface RuntimeOptions {
  config: TollwayConfig;
  /** Serve only this Lambda function's routes; all routes when absent (local server). */
  functionName?: FunctionName;
  tableNames: TableNames;
  /** The DynamoDB clients the stores share (`createDynamoClients`). */
  dynamo: DynamoClients;
  /** Region and credentials for the Bedrock clients the runtime makes; the SDK's own resolution for the rest. */
  aws?: AwsSettings;
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
  /** The web console's build folder (served at `/ui`); without it `/ui` answers 503 console_not_built. */
  consoleFolder?: string;
  /** Where local knowledge-base indexes are saved (a writable folder). */
  knowledgeCacheDirectory?: string;
  /** The host names the MCP endpoints answer to (DNS rebinding protection for a server on a loopback address); unchecked when absent. */
  mcpHostnames?: readonly string[];
}
