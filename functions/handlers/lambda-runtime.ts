/**
 * The gateway as a Lambda function runs it: config compiled into the bundle,
 * the AWS SDK clients, table names from the environment.
 * Built on first use and kept for the life of the execution environment.
 */
import { join } from 'node:path';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { configSchema, type TollwayConfig } from '../core/config/schema.js';
import type { Gateway } from '../core/gateway-types.js';
import { describeError } from '../core/logger.js';
import type { FunctionName } from '../core/routes.js';
import { errorResponse } from '../http/responses.js';
import { createDynamoClients } from '../runtime/aws/dynamodb-clients.js';
import { secretsReader } from '../runtime/aws/secrets.js';
import type { RuntimeOptions } from '../runtime/runtime-options.js';
import { budgetsTable, keysTable, responsesTable, usageTable, type TableNames } from '../stores/table-definitions.js';
import { masterKeySecretArnVariable } from './environment.js';
import { lambdaRequestContext, toWebRequest, type BackgroundTasks } from './lambda-host.js';
import { gatewayLogger, gatewayMetrics, logger } from './observability.js';

/** The config compiled into the bundle by esbuild `define` (Lambda environment variables are capped at 4 KB). */
const bundledConfig = (): TollwayConfig => {
  // Must stay this exact expression: esbuild replaces it with the JSON text.
  const configJson = process.env.TOLLWAY_CONFIG_JSON;
  if (!configJson) throw new Error('TOLLWAY_CONFIG_JSON was not compiled into this bundle');
  return configSchema.parse(JSON.parse(configJson));
};

const requiredVariable = (environment: Record<string, string | undefined>, name: string): string => {
  const value = environment[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};

/** Table names as the stack sets them, under the variables the table definitions name. */
export const tableNamesFrom = (environment: Record<string, string | undefined>): TableNames => ({
  keys: requiredVariable(environment, keysTable.environmentVariable),
  budgets: requiredVariable(environment, budgetsTable.environmentVariable),
  usage: requiredVariable(environment, usageTable.environmentVariable),
  responses: requiredVariable(environment, responsesTable.environmentVariable),
});

/**
 * Everything `createGatewayRuntime` needs inside a Lambda function. The AWS
 * SDK clients take region, credentials and endpoints (`AWS_ENDPOINT_URL_*`)
 * from the environment Lambda sets, as the SDK always does; their calls are
 * traced by the Tracer's capture of node:http(s) (observability.ts).
 */
export const lambdaRuntimeOptions = (
  functionName: FunctionName,
  config: TollwayConfig,
  environment: Record<string, string | undefined>,
): RuntimeOptions => {
  const aws = { region: requiredVariable(environment, 'AWS_REGION') };
  const readSecret = secretsReader(aws);
  return {
    config,
    functionName,
    tableNames: tableNamesFrom(environment),
    dynamo: createDynamoClients({ ...aws, deadlineMs: config.settings.dynamodb_timeout_ms }),
    aws,
    masterKey: async () => {
      // Only the admin function is given (and allowed to read) the master key.
      const secretArn = requiredVariable(environment, masterKeySecretArnVariable);
      const masterKey = await readSecret(secretArn);
      if (!masterKey) throw new Error('the master key secret has no value');
      return masterKey;
    },
    resolveSecret: readSecret,
    environment,
    logger: gatewayLogger,
    metrics: gatewayMetrics,
    // Local knowledge bases are bundled beside the code; only /tmp is writable.
    baseDirectory: environment.LAMBDA_TASK_ROOT,
    // The console's build is copied beside the admin bundle (lib/gateway-function.ts).
    consoleFolder: functionName === 'admin' && environment.LAMBDA_TASK_ROOT ? join(environment.LAMBDA_TASK_ROOT, 'console') : undefined,
    knowledgeCacheDirectory: '/tmp/tollway-knowledge',
  };
};

/** Builds one function's gateway from its options: `createChatRuntime`, `createAdminRuntime`... */
export type ComposeGateway = (options: RuntimeOptions) => Gateway;

/** Runs API Gateway events through one function's gateway. */
export type ServeEvent = (event: APIGatewayProxyEvent, context: Context, tasks: BackgroundTasks) => Promise<Response>;

/**
 * One function's gateway, composed of only the parts its routes reach, built
 * on first use and kept for the life of the execution environment. The
 * returned function never throws: a failure outside the core (bad bundle,
 * missing variable) is logged and answered with the OpenAI error envelope.
 */
export const lambdaGateway = (functionName: FunctionName, compose: ComposeGateway): ServeEvent => {
  let gateway: Gateway | undefined;
  return async (event, context, tasks) => {
    try {
      gateway ??= compose(lambdaRuntimeOptions(functionName, bundledConfig(), process.env));
      const requestContext = lambdaRequestContext(context.awsRequestId, tasks, context.getRemainingTimeInMillis());
      // The request's signal too, so what reads `request.signal` (the MCP relay, the SDK's handler) stops at the deadline.
      return await gateway.handle(toWebRequest(event, requestContext.clientSignal), requestContext);
    } catch (error) {
      logger.error('request failed outside the gateway core', describeError(error));
      return errorResponse(error);
    }
  };
};

/** Waits for the request's background work (usage records) and logs what failed. */
export const settleBackgroundTasks = async (tasks: BackgroundTasks): Promise<void> => {
  const failures = await tasks.settle();
  for (const failure of failures) logger.error('background task failed', describeError(failure));
};
