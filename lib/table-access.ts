import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { TollwayConfig } from '../functions/core/config/schema.js';
import type { FunctionName } from '../functions/core/routes.js';
import type { TableDefinition } from '../functions/stores/table-definitions.js';

/** The DynamoDB actions one function sends to one table, and the indexes it queries (none: the table itself). */
export interface TableAccess {
  actions: string[];
  indexes?: string[];
}

type TableId = TableDefinition['id'];

/** Key and team lookups on every authenticated request: `DynamoDBRecordStore.get`. */
const lookUpKeys: TableAccess = { actions: ['dynamodb:GetItem'] };

/**
 * The budget ledger (`DynamoDBCounterStore`): holds and rate windows are
 * conditional UpdateItems; a refused hold, a reclaim of expired holds and
 * the spend of /key/info read the counter with GetItem.
 */
const keepLedger: TableAccess = { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] };

/** Counting a request in its rpm windows only: one conditional UpdateItem (`RequestLimiter.admit` with `requestsOnly`). */
const countRequests: TableAccess = { actions: ['dynamodb:UpdateItem'] };

/** One usage record per request: `DynamoDBUsageStore.record`. */
const recordUsage: TableAccess = { actions: ['dynamodb:PutItem'] };

/** Whether any MCP tool has a price: only then do MCP calls hold budgets and write usage records (`meteredMcpAccess`). */
const mcpToolsArePriced = (config: TollwayConfig): boolean =>
  config.mcp_servers.some((server) => (server.default_tool_price ?? 0) > 0 || Object.values(server.tool_prices ?? {}).some((price) => price > 0));

/**
 * What each function's composition (`functions/runtime/*-runtime.ts`) sends
 * to each table through the stores in `functions/stores`, and nothing more;
 * a table a function never touches is absent.
 */
export const tableAccessOf = (functionName: FunctionName, config: TollwayConfig): Partial<Record<TableId, TableAccess>> => {
  switch (functionName) {
    case 'chat':
      return {
        Keys: lookUpKeys,
        Budgets: keepLedger,
        Usage: recordUsage,
        // Stored responses: BatchWriteItem puts and deletes a response's parts, Query reads its partition.
        Responses: { actions: ['dynamodb:BatchWriteItem', 'dynamodb:Query'] },
      };
    case 'mcp':
      // Every MCP call counts in the rpm windows; a priced tool call also holds, settles and records its price.
      return mcpToolsArePriced(config) ? { Keys: lookUpKeys, Budgets: keepLedger, Usage: recordUsage } : { Keys: lookUpKeys, Budgets: countRequests };
    case 'retrieve':
      return { Keys: lookUpKeys, Budgets: countRequests };
    case 'admin':
      return {
        // Create and replace are conditional PutItems, list a Scan over the type.
        Keys: { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'] },
        // Spend status and reconcile read counters; a changed max_budget is written onto the current one.
        Budgets: keepLedger,
        // /spend/logs and /spend/reconcile query by key, by team, or day by day, never the table itself.
        Usage: { actions: ['dynamodb:Query'], indexes: ['by-key', 'by-team', 'by-day'] },
      };
  }
};

/**
 * Grants exactly `access` on `table`: the table's own ARN, or only the named
 * indexes. Unlike `table.grant`, which adds every index (`/index/*`) to
 * whatever it grants.
 */
export const grantTableAccess = (grantee: IGrantable, table: ITable, access: TableAccess): void => {
  const resources = access.indexes ? access.indexes.map((index) => `${table.tableArn}/index/${index}`) : [table.tableArn];
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: access.actions, resources }));
};
