import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalGateway } from '../../../functions/local/local-gateway.js';

/** A DynamoDB call as the fault injector sees it. */
export interface DynamoCall {
  /** `GetItemCommand`, `UpdateItemCommand`, `PutItemCommand`... */
  command: string;
  table: string;
  /** The item key, marshalled (`{ pk: { S: '...' } }`). */
  key?: Record<string, { S?: string }>;
  /** 1 for the first attempt of a call, 2 for the SDK's retry... */
  attempt: number;
}

/** Decides whether a call fails, and how. */
export type FaultRule = (call: DynamoCall) => Error | undefined;

export const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });

export const connectionReset = () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });

/**
 * Fault injection into the gateway's own DynamoDB client, inside the SDK's
 * retry loop (the finalize step, after the retry middleware): a rule that
 * fails only the first attempt shows whether retries hide it; a rule that
 * fails every attempt shows what the client gets when DynamoDB is down.
 */
export const injectDynamoFaults = (gateway: LocalGateway) => {
  let rule: FaultRule = () => undefined;
  const injected: DynamoCall[] = [];
  const attempts = new WeakMap<object, number>();
  gateway.dynamoClient.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; Key?: Record<string, { S?: string }> };
      const attempt = (attempts.get(input) ?? 0) + 1;
      attempts.set(input, attempt);
      const call: DynamoCall = { command: context.commandName ?? 'unknown', table: input.TableName ?? '', key: input.Key, attempt };
      const fault = rule(call);
      if (fault) {
        injected.push(call);
        throw fault;
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'hardeningFaults', priority: 'low' },
  );
  return {
    set(next: FaultRule) {
      rule = next;
    },
    clear() {
      rule = () => undefined;
    },
    injected,
  };
};

/** A document client of its own on the gateway's dynalite, untouched by injected faults. */
export const inspector = (gateway: LocalGateway) => {
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: gateway.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
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
