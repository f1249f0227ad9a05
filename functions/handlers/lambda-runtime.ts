/**
 * The gateway as a Lambda function runs it: config compiled into the bundle,
 * DynamoDB and Secrets Manager clients, table names from the environment.
 * Built on first use and kept for the life of the execution environment.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import * as z from 'zod';
import { AwsClient, callJsonOperation } from '../aws/aws-client.js';
import { defaultCredentials } from '../aws/credentials.js';
import { configSchema, type TollwayConfig } from '../core/config/schema.js';
import type { Gateway } from '../core/gateway-types.js';
import { describeError } from '../core/logger.js';
import type { FunctionName } from '../core/routes.js';
import { errorResponse } from '../http/responses.js';
import type { RuntimeOptions } from '../runtime/runtime-options.js';
import { createDynamoDBClient, type DynamoDBDocumentClient } from '../stores/dynamodb-client.js';
import { budgetsTable, keysTable, usageTable, type TableNames } from '../stores/table-definitions.js';
import { masterKeySecretArnVariable } from './environment.js';
import { lambdaRequestContext, toWebRequest, type BackgroundTasks } from './lambda-host.js';
import { gatewayLogger, gatewayMetrics, logger } from './observability.js';

/** How long a secret value is trusted before it is read again, so rotations reach warm functions. */
const secretTtlMs = 5 * 60 * 1000;

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
});

/**
 * Memoises `load` per id for `ttlMs`. A failed load is forgotten at once, so
 * the next request tries again.
 */
export const cachedLoader = <T>(load: (id: string) => Promise<T>, ttlMs: number, now: () => number = Date.now) => {
  const entries = new Map<string, { expiresAt: number; value: Promise<T> }>();
  return (id: string): Promise<T> => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt > now()) return entry.value;
    const value = load(id);
    entries.set(id, { expiresAt: now() + ttlMs, value });
    value.catch(() => {
      if (entries.get(id)?.value === value) entries.delete(id);
    });
    return value;
  };
};

const getSecretValueOutputSchema = z.object({ SecretString: z.string().optional() });

/** Reads a secret's string by name or ARN; `undefined` when there is no such secret. */
const secretReader = (client: AwsClient) =>
  cachedLoader(async (secretId: string): Promise<string | undefined> => {
    try {
      const output = await callJsonOperation(client, 'secretsmanager.GetSecretValue', { SecretId: secretId }, { version: '1.1' });
      return getSecretValueOutputSchema.parse(output).SecretString;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }, secretTtlMs);

/**
 * The AWS clients of a function: region and credentials from the environment
 * Lambda sets; endpoints overridable with the AWS SDK's variables
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL`).
 * No per-client X-Ray wrapper: their calls are meant to be traced by the
 * Tracer's capture of node:http(s) (observability.ts).
 */
const awsClientsFrom = (environment: Record<string, string | undefined>): { dynamo: DynamoDBDocumentClient; secretsManager: AwsClient } => {
  const region = requiredVariable(environment, 'AWS_REGION');
  const credentials = defaultCredentials(environment);
  return {
    dynamo: createDynamoDBClient({ region, credentials, endpoint: environment.AWS_ENDPOINT_URL_DYNAMODB ?? environment.AWS_ENDPOINT_URL, maxAttempts: 3 }),
    secretsManager: new AwsClient({
      service: 'secretsmanager',
      region,
      credentials,
      endpoint: environment.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? environment.AWS_ENDPOINT_URL,
      maxAttempts: 3,
    }),
  };
};

/** Everything `createGatewayRuntime` needs inside a Lambda function. */
export const lambdaRuntimeOptions = (
  functionName: FunctionName,
  config: TollwayConfig,
  environment: Record<string, string | undefined>,
): RuntimeOptions => {
  const clients = awsClientsFrom(environment);
  const readSecret = secretReader(clients.secretsManager);
  return {
    config,
    functionName,
    tableNames: tableNamesFrom(environment),
    dynamoClient: clients.dynamo,
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
      return await gateway.handle(toWebRequest(event), lambdaRequestContext(context.awsRequestId, tasks));
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
