/**
 * Child process: dynalite, in memory, standing in for DynamoDB. Every call is
 * recorded as it arrives (its time, operation, table and the items it writes),
 * and asked for `ReturnConsumedCapacity: TOTAL`, so the bench counts the calls
 * each completion makes and the write units dynalite computes for them (the
 * gateway ignores the extra `ConsumedCapacity` in the answers). No extra hop:
 * the recording runs in dynalite's own request handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import dynalite from 'dynalite';
import { serveParent } from './child.js';

/** One DynamoDB call as dynalite saw it. */
export interface RecordedDynamoCall {
  /** Arrival, in epoch milliseconds (`performance.timeOrigin` based, comparable with the client's and the upstream's). */
  at: number;
  operation: string;
  tables: string[];
  /** Items written: 1 for PutItem, UpdateItem, DeleteItem; the put and delete requests of a BatchWriteItem. */
  writeItems: number;
  /** Attribute names of each item put (PutItem, BatchWriteItem), so index writes can be counted. */
  putAttributes: string[][];
  /** Capacity units dynalite reports (base tables only), filled in when the answer leaves. */
  capacityUnits?: number;
}

const writeOperations = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const maxCalls = 200_000;
let calls: RecordedDynamoCall[] = [];

const describe = (operation: string, body: Record<string, unknown>): Omit<RecordedDynamoCall, 'at'> => {
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const requests = (body.RequestItems ?? {}) as Record<string, Array<{ PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: unknown }>>;
    const tables = Object.keys(requests);
    const writes = operation === 'BatchWriteItem' ? tables.flatMap((table) => requests[table]) : [];
    return { operation, tables, writeItems: writes.length, putAttributes: writes.flatMap((write) => (write.PutRequest ? [Object.keys(write.PutRequest.Item)] : [])) };
  }
  const item = operation === 'PutItem' ? (body.Item as Record<string, unknown> | undefined) : undefined;
  return { operation, tables: typeof body.TableName === 'string' ? [body.TableName] : [], writeItems: writeOperations.has(operation) ? 1 : 0, putAttributes: item ? [Object.keys(item)] : [] };
};

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const handle = server.listeners('request')[0] as (incoming: IncomingMessage, outgoing: ServerResponse) => void;
server.removeAllListeners('request');
server.on('request', (incoming: IncomingMessage, outgoing: ServerResponse) => {
  const at = performance.timeOrigin + performance.now();
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    let body = Buffer.concat(chunks);
    const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1];
    if (operation) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        const call: RecordedDynamoCall = { at, ...describe(operation, parsed) };
        calls.push(call);
        if (calls.length > maxCalls) calls = calls.slice(-maxCalls / 2);
        if (parsed.ReturnConsumedCapacity === undefined || parsed.ReturnConsumedCapacity === 'NONE') {
          body = Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' }));
          const end = outgoing.end.bind(outgoing) as (data?: unknown) => ServerResponse;
          outgoing.end = ((data?: unknown) => {
            try {
              const answer = JSON.parse(String(data)) as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> };
              const consumed = answer.ConsumedCapacity;
              call.capacityUnits = Array.isArray(consumed) ? consumed.reduce((sum, table) => sum + (table.CapacityUnits ?? 0), 0) : consumed?.CapacityUnits;
            } catch {
              // not JSON (an error page): nothing consumed
            }
            return end(data);
          }) as typeof outgoing.end;
        }
      } catch {
        // not JSON: dynalite answers it as it would
      }
    }
    // dynalite reads its body from the request stream: give it the (maybe amended) body in a stream with the request's fields.
    const replay = Object.assign(new PassThrough(), { headers: incoming.headers, method: incoming.method, url: incoming.url });
    handle(replay as unknown as IncomingMessage, outgoing);
    replay.end(body);
  });
});
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
serveParent(
  { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
  () => new Promise<void>((resolve) => server.close(() => resolve())),
  (reset) => {
    const recorded = calls;
    if (reset) calls = [];
    return recorded;
  },
);
