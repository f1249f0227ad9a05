import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ensureTables } from '../stores/create-tables.js';
import type { TableNames } from '../stores/table-definitions.js';

export interface LocalDynamoDB {
  client: DynamoDBClient;
  tableNames: TableNames;
  endpoint: string;
  close(): Promise<void>;
}

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
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const names = await ensureTables(client, 'tollway-');
  return {
    client,
    endpoint,
    tableNames: { keys: names.Keys, budgets: names.Budgets, usage: names.Usage },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
