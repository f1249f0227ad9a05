import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { staticCredentials } from '../aws/credentials.js';
import { ensureTables } from '../stores/create-tables.js';
import { createDynamoDBClient, type DynamoDBDocumentClient } from '../stores/dynamodb-client.js';
import type { TableNames } from '../stores/table-definitions.js';

export interface LocalDynamoDB {
  client: DynamoDBDocumentClient;
  tableNames: TableNames;
  endpoint: string;
  close(): Promise<void>;
}

/** A client for a local DynamoDB (dynalite): any credentials do, one retry. */
export const localDynamoDBClient = (endpoint: string): DynamoDBDocumentClient =>
  createDynamoDBClient({ endpoint, region: 'local', credentials: staticCredentials({ accessKeyId: 'local', secretAccessKey: 'local' }), maxAttempts: 2 });

/** The stack's tables on the DynamoDB at `client`, created when missing. */
const ensureLocalTables = async (client: DynamoDBDocumentClient): Promise<TableNames> => {
  const names = await ensureTables(client, 'tollway-');
  return { keys: names.Keys, budgets: names.Budgets, usage: names.Usage };
};

/** A DynamoDB already running at `endpoint` (dynalite in another process, a test proxy), its tables created when missing; `close` leaves it running. */
export const connectLocalDynamoDB = async (endpoint: string): Promise<LocalDynamoDB> => {
  const client = localDynamoDBClient(endpoint);
  return { client, endpoint, tableNames: await ensureLocalTables(client), close: async () => undefined };
};

/**
 * dynalite (a DynamoDB-compatible server) in this process, with the stack's
 * table definitions; persisted under `dataDir`, or in memory for `:memory:`.
 */
export const startLocalDynamoDB = async (dataDir: string): Promise<LocalDynamoDB> => {
  const inMemory = dataDir === ':memory:';
  const path = inMemory ? undefined : join(dataDir, 'dynamodb');
  if (path) mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = localDynamoDBClient(endpoint);
  const tableNames = await ensureLocalTables(client);
  return {
    client,
    endpoint,
    tableNames,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
