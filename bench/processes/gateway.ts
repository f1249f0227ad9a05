/**
 * Child process: the gateway under test.
 *
 * With `dynamoEndpoint` (the default of `npm run bench`) it talks to a dynalite
 * running in another process, the way a Lambda function talks to DynamoDB over
 * the network: the gateway process then holds exactly the gateway (core,
 * providers, stores, the SDK client and the node:http host of local mode), so
 * its CPU time and RSS are the gateway's and not the database's (dynalite keeps
 * every usage record in memory, which would read as a leak in the soak).
 *
 * Without it, the child runs `startLocalGateway` as `npm start` does, dynalite
 * in-process (`BENCH_DYNALITE=in-process`).
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { startLocalGateway } from '../../functions/local/local-gateway.js';
import { createNodeHost } from '../../functions/local/node-host.js';
import { createGatewayRuntime } from '../../functions/runtime/create-gateway.js';
import { ensureTables } from '../../functions/stores/create-tables.js';
import { childSettings, serveParent } from './child.js';

export interface GatewayChildSettings {
  configYaml: string;
  masterKey: string;
  /** dynalite in another process; in-process (`startLocalGateway`) when absent. */
  dynamoEndpoint?: string;
}

const settings = childSettings<GatewayChildSettings>();
const config = parseConfig(settings.configYaml, 'bench config');

/** The local server's host loop (functions/local/local-gateway.ts) over an external DynamoDB endpoint. */
const startOverExternalDynamo = async (endpoint: string) => {
  // As local mode builds it (functions/local/local-dynamodb.ts).
  const dynamoClient = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
  const names = await ensureTables(dynamoClient, 'tollway-');
  const gateway = createGatewayRuntime({
    config,
    tableNames: { keys: names.Keys, budgets: names.Budgets, usage: names.Usage },
    dynamoClient,
    masterKey: async () => settings.masterKey,
    resolveSecret: async () => undefined,
    environment: {},
    logger: silentLogger,
  });
  const { server, settled } = createNodeHost(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dynamoEndpoint: endpoint,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await settled();
      dynamoClient.destroy();
    },
  };
};

const gateway = settings.dynamoEndpoint
  ? await startOverExternalDynamo(settings.dynamoEndpoint)
  : await startLocalGateway({ config, dataDir: ':memory:', port: 0, masterKey: settings.masterKey, logger: silentLogger, environment: {} });
serveParent({ url: gateway.url, dynamoEndpoint: gateway.dynamoEndpoint }, gateway.close);
