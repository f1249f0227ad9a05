import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createDynamoClients, type DynamoClients } from '../runtime/aws/dynamodb-clients.js';
import { ensureTables } from '../stores/create-tables.js';
import type { TableNames } from '../stores/table-definitions.js';

export interface LocalDynamoDB {
  clients: DynamoClients;
  tableNames: TableNames;
  endpoint: string;
  close(): Promise<void>;
}

/** Any credentials do for a local DynamoDB (dynalite). */
const localSettings = (endpoint: string) => ({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** The stores' clients for a local DynamoDB at `endpoint`. */
export const localDynamoClients = (endpoint: string, deadlineMs?: number): DynamoClients => createDynamoClients({ ...localSettings(endpoint), deadlineMs });

/** The stack's tables on the DynamoDB at `endpoint`, created when missing. */
const ensureLocalTables = async (endpoint: string): Promise<TableNames> => {
  const client = new DynamoDBClient(localSettings(endpoint));
  try {
    const names = await ensureTables(client, 'tollway-');
    return { keys: names.Keys, budgets: names.Budgets, usage: names.Usage, responses: names.Responses };
  } finally {
    client.destroy();
  }
};

/** A DynamoDB already running at `endpoint` (dynalite in another process, a test proxy), its tables created when missing; `close` leaves it running. */
export const connectLocalDynamoDB = async (endpoint: string, deadlineMs?: number): Promise<LocalDynamoDB> => {
  const tableNames = await ensureLocalTables(endpoint);
  const clients = localDynamoClients(endpoint, deadlineMs);
  return { clients, endpoint, tableNames, close: async () => clients.destroy() };
};

/**
 * dynalite (a DynamoDB-compatible server) in this process, with the stack's
 * table definitions; persisted under `dataDir`, or in memory for `:memory:`.
 */
export const startLocalDynamoDB = async (dataDir: string, deadlineMs?: number): Promise<LocalDynamoDB> => {
  const inMemory = dataDir === ':memory:';
  const path = inMemory ? undefined : join(dataDir, 'dynamodb');
  if (path) mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connected = await connectLocalDynamoDB(endpoint, deadlineMs);
  return {
    ...connected,
    async close() {
      connected.clients.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
