/**
 * DynamoDB table definitions, shared by the CDK stack and the local server so
 * both create exactly the same tables.
 */

export interface AttributeDefinition {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: AttributeDefinition;
  sortKey?: AttributeDefinition;
}

export interface TableDefinition {
  /** Logical id in the stack and suffix of the local table name. */
  id: 'Keys' | 'Budgets' | 'Usage' | 'Responses';
  /** Environment variable through which functions learn the table name. */
  environmentVariable: string;
  partitionKey: AttributeDefinition;
  sortKey?: AttributeDefinition;
  globalSecondaryIndexes: IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  timeToLiveAttribute?: string;
}

/** Virtual keys (`KEY#<sha256>`) and teams (`TEAM#<id>`). */
export const keysTable: TableDefinition = {
  id: 'Keys',
  environmentVariable: 'TOLLWAY_KEYS_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  globalSecondaryIndexes: [],
};

/** Spend counters per key and team per budget period, and per-minute rate-limit windows. */
export const budgetsTable: TableDefinition = {
  id: 'Budgets',
  environmentVariable: 'TOLLWAY_BUDGETS_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expires_at',
};

/** One item per request. */
export const usageTable: TableDefinition = {
  id: 'Usage',
  environmentVariable: 'TOLLWAY_USAGE_TABLE',
  partitionKey: { name: 'request_id', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'by-key', partitionKey: { name: 'key_id', type: 'S' }, sortKey: { name: 'created_at', type: 'S' } },
    { indexName: 'by-team', partitionKey: { name: 'team_id', type: 'S' }, sortKey: { name: 'created_at', type: 'S' } },
    { indexName: 'by-day', partitionKey: { name: 'day', type: 'S' }, sortKey: { name: 'created_at', type: 'S' } },
  ],
  timeToLiveAttribute: 'expires_at',
};

/**
 * Stored responses (`/v1/responses`), one partition per response
 * (`RESP#<keyId>#<id>`), split over `PART#0000`, `PART#0001`... items.
 */
export const responsesTable: TableDefinition = {
  id: 'Responses',
  environmentVariable: 'TOLLWAY_RESPONSES_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expires_at',
};

export const tableDefinitions: readonly TableDefinition[] = [keysTable, budgetsTable, usageTable, responsesTable];

/** Table names from the environment, as the stack sets them. */
export interface TableNames {
  keys: string;
  budgets: string;
  usage: string;
  responses: string;
}
