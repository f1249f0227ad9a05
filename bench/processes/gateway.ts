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
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { toWebRequest, writeWebResponse } from '../../functions/http/node-adapter.js';
import { errorResponse } from '../../functions/http/responses.js';
import { startLocalGateway } from '../../functions/local/local-gateway.js';
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
  const pending = new Set<Promise<unknown>>();
  const server = createServer(async (incoming, outgoing) => {
    const clientGone = new AbortController();
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) clientGone.abort(new Error('client disconnected'));
    });
    const context = {
      requestId: randomUUID(),
      clientSignal: clientGone.signal,
      waitUntil(task: Promise<unknown>) {
        const tracked = task.catch(() => undefined).finally(() => pending.delete(tracked));
        pending.add(tracked);
      },
    };
    let response: Response;
    try {
      response = await gateway.handle(toWebRequest(incoming, clientGone.signal), context);
    } catch (error) {
      response = errorResponse(error);
    }
    await writeWebResponse(response, outgoing);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dynamoEndpoint: endpoint,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      while (pending.size > 0) await Promise.all([...pending]);
      dynamoClient.destroy();
    },
  };
};

const gateway = settings.dynamoEndpoint
  ? await startOverExternalDynamo(settings.dynamoEndpoint)
  : await startLocalGateway({ config, dataDir: ':memory:', port: 0, masterKey: settings.masterKey, logger: silentLogger, environment: {} });
serveParent({ url: gateway.url, dynamoEndpoint: gateway.dynamoEndpoint }, gateway.close);
