import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { startLocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { startLocalGateway, type LocalGateway, type LocalGatewayOptions } from '../../functions/local/local-gateway.js';
import { masterKey } from './gateway.js';

/** A DynamoDB call as the proxy sees it. */
export interface DynamoCall {
  /** `GetItem`, `UpdateItem`, `PutItem`... (the operation of its X-Amz-Target). */
  operation: string;
  table: string;
  /** The item key, marshalled (`{ pk: { S: '...' } }`). */
  key?: Record<string, { S?: string }>;
  /** An UpdateItem's expression (`ADD #committed :committed ...`). */
  updateExpression?: string;
  /** 1 for the first attempt of a call, 2 for the client's retry... */
  attempt: number;
  /** `performance.now()` when the request arrived at the proxy. */
  startedAt: number;
  /** `performance.now()` when its answer was sent (or its connection dropped); Infinity until then. */
  endedAt: number;
}

export type Fault = 'throttled' | 'connection-reset' | 'applied-then-dropped' | 'hang';

/** Decides whether a call fails, and how. */
export type FaultRule = (call: DynamoCall) => Fault | undefined;

/** DynamoDB's 400 ProvisionedThroughputExceededException, which the client retries. */
export const throttled = (): Fault => 'throttled';

/** The connection dropped after the request was sent, before any answer (ECONNRESET at the client). */
export const connectionReset = (): Fault => 'connection-reset';

/** DynamoDB applied the call, then its answer was lost: the connection drops instead. */
export const appliedThenDropped = (): Fault => 'applied-then-dropped';

/** The call is never answered: the proxy holds the connection open. */
export const hang = (): Fault => 'hang';

const throttledAnswer = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

const hopByHopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const endToEndHeaders = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHopHeaders.has(name)));

type CallInput = { TableName?: string; Key?: Record<string, { S?: string }>; UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string> };

const parseCall = (body: string): CallInput => {
  try {
    return JSON.parse(body) as CallInput;
  } catch {
    return {};
  }
};

export type DynamoProxy = Awaited<ReturnType<typeof startDynamoProxy>>;

/**
 * A fault-injecting HTTP proxy in front of a DynamoDB endpoint: each call is
 * recorded with its timing, then forwarded, answered with throttling, or cut
 * off. A body seen again after a fault is the client's retry (attempt 2, 3...);
 * once a body went through, the same body again is a new call.
 */
export const startDynamoProxy = async (target: string) => {
  const targetUrl = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let rule: FaultRule = () => undefined;
  const calls: DynamoCall[] = [];
  const injected: DynamoCall[] = [];
  const faultsInARow = new Map<string, number>();
  const held = new Set<Socket>();

  const server = createServer(async (incoming, outgoing) => {
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
    } catch {
      return; // the client gave up on the call
    }
    const body = Buffer.concat(chunks);
    const text = body.toString('utf8');
    const input = parseCall(text);
    const attempt = (faultsInARow.get(text) ?? 0) + 1;
    const operation = String(incoming.headers['x-amz-target'] ?? 'unknown').split('.').at(-1) ?? 'unknown';
    // With the attribute names the expression stands for: `ADD committed :committed, spend :spend`.
    const updateExpression = input.UpdateExpression?.replace(/#\w+/g, (name) => input.ExpressionAttributeNames?.[name] ?? name);
    const call: DynamoCall = { operation, table: input.TableName ?? '', key: input.Key, updateExpression, attempt, startedAt, endedAt: Number.POSITIVE_INFINITY };
    calls.push(call);
    outgoing.once('close', () => (call.endedAt = performance.now()));

    const fault = rule(call);
    if (fault) {
      injected.push(call);
      faultsInARow.set(text, attempt);
    } else {
      faultsInARow.delete(text);
    }
    if (fault === 'connection-reset') {
      incoming.socket.destroy();
    } else if (fault === 'hang') {
      held.add(incoming.socket);
    } else if (fault === 'throttled') {
      outgoing.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(throttledAnswer);
    } else {
      const forwarded = httpRequest({ hostname: targetUrl.hostname, port: targetUrl.port, method: incoming.method, path: incoming.url, headers: endToEndHeaders(incoming.headers), agent });
      forwarded.once('response', (answer) => {
        if (fault === 'applied-then-dropped') {
          // dynalite has applied it; read its answer to the end, then hang up on the client.
          answer.resume();
          answer.once('end', () => incoming.socket.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
        answer.pipe(outgoing);
      });
      forwarded.once('error', () => incoming.socket.destroy());
      forwarded.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Every call so far, faulted or not (clear with `calls.length = 0`). */
    calls,
    /** The calls that were failed. */
    injected,
    set(next: FaultRule) {
      rule = next;
    },
    clear() {
      rule = () => undefined;
      for (const socket of held) socket.destroy();
      held.clear();
    },
    async close() {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
};

/** A local gateway whose DynamoDB calls all pass through a fault-injecting proxy to its own dynalite. */
export interface ProxiedGateway extends LocalGateway {
  dynamoProxy: DynamoProxy;
  /** dynalite itself, behind the proxy. */
  dynaliteEndpoint: string;
}

/** Starts dynalite, the proxy in front of it, and the local gateway on the proxy. */
export const startGatewayBehindDynamoProxy = async (options: Omit<LocalGatewayOptions, 'dataDir' | 'dynamoEndpoint'>): Promise<ProxiedGateway> => {
  const dynalite = await startLocalDynamoDB(':memory:');
  const dynamoProxy = await startDynamoProxy(dynalite.endpoint);
  const gateway = await startLocalGateway({ ...options, dataDir: ':memory:', dynamoEndpoint: dynamoProxy.endpoint });
  return {
    ...gateway,
    dynamoProxy,
    dynaliteEndpoint: dynalite.endpoint,
    async close() {
      await gateway.close();
      await dynamoProxy.close();
      await dynalite.close();
    },
  };
};

/** `startTestGateway` (test/support/gateway.ts) behind the proxy. */
export const startTestGatewayBehindDynamoProxy = (configYaml: string, options: Pick<LocalGatewayOptions, 'logger' | 'metrics' | 'environment'> = {}) =>
  startGatewayBehindDynamoProxy({
    config: parseConfig(configYaml, 'test config'),
    port: 0,
    masterKey,
    environment: options.environment ?? {},
    logger: options.logger ?? silentLogger,
    metrics: options.metrics,
  });

/** The fault controls of a gateway behind the proxy. */
export const injectDynamoFaults = (gateway: ProxiedGateway) => gateway.dynamoProxy;

/** A document client of its own (the AWS SDK's) on the gateway's dynalite, past any proxy and its faults. */
export const inspector = (gateway: LocalGateway | ProxiedGateway) => {
  const endpoint = 'dynaliteEndpoint' in gateway ? gateway.dynaliteEndpoint : gateway.dynamoEndpoint;
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const scan = async (table: string) => {
    const items: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };
  return {
    scan,
    usageRecords: () => scan(gateway.tableNames.usage),
    /** Budget counters (`budget#key#<id>#...`, `budget#team#<id>#...`). */
    budgetCounters: async () => (await scan(gateway.tableNames.budgets)).filter((item) => String(item.pk).startsWith('budget#')),
    close: () => documents.destroy(),
  };
};
