/**
 * DynamoDB calls per completion, counted rather than assumed: requests at
 * concurrency 1 through the gateway with the key that has a budget and an rpm
 * limit, while dynalite records every call as it arrives and the upstream
 * records when each request reached it. A call that arrived between the
 * client sending request i and the upstream receiving it counts as made
 * before the upstream (at concurrency 1 the i-th arrival is request i).
 * Back to back, that count is an upper bound: the previous request's
 * after-response writes (settlement, usage record) leave the SDK a few
 * milliseconds after its response, so they land in the next request's window.
 * Spaced by `pauseMs`, that work is done before the next request is sent, so
 * what lands in a window is the request's own. After the requests, the bench
 * waits past the lease idle return, so lease returns and batched settlements
 * are in the write counts, spread over the completions.
 */
import { runCount, type TargetClient, type Timing } from '../client.js';
import type { RecordedDynamoCall } from '../processes/dynalite.js';
import type { Child } from '../processes/spawn.js';
import { usageTable, type TableNames } from '../../functions/stores/table-definitions.js';

/** Calls that arrived between a request's send and its arrival at the upstream. */
export interface CallsBeforeUpstream {
  pauseMs: number;
  /** Requests whose arrival at the upstream could be matched (all of them at concurrency 1). */
  matched: number;
  /** Share of matched requests with no DynamoDB call before the upstream, percent. */
  zeroCallSharePercent: number;
  /** How many requests made 0, 1, 2... calls before the upstream. */
  histogram: Record<string, number>;
  /** The operations of those calls, by `Operation table`. */
  operations: Record<string, number>;
}

export interface DynamoCallsResult {
  requests: number;
  errors: number;
  /** Requests spaced by `pauseMs`: each window holds the request's own calls. */
  spaced: CallsBeforeUpstream;
  /** Back to back: an upper bound, the previous request's after-response writes included. */
  backToBack: CallsBeforeUpstream;
  /** Everything the requests wrote and read, over the completions. */
  perCompletion: {
    calls: number;
    writeCalls: number;
    /** Items written (PutItem, UpdateItem, DeleteItem, each put or delete of a BatchWriteItem). */
    writeItems: number;
    /** Write request units on the base tables, as dynalite computes them (ReturnConsumedCapacity: TOTAL). */
    baseWriteUnits: number;
    /** Write units for global secondary index entries: each usage item put lands in every index whose keys it has, at the base item's units (projection ALL). */
    indexWriteUnits: number;
    writeUnits: number;
    readCalls: number;
    readUnits: number;
  };
  /** Writes by `Operation table`, all calls. */
  writesByOperation: Record<string, number>;
}

export interface DynamoCallsOptions {
  gateway: TargetClient;
  upstream: Child<unknown>;
  dynalite: Child<unknown>;
  tableNames: TableNames;
  warmupRequests: number;
  requests: number;
  /** How long to wait after the last request for after-response work and lease returns. */
  settleMs: number;
  /** Pause between spaced requests: the after-response work is done by then (well inside the lease idle return). */
  pauseMs: number;
}

const writeOperations = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const readOperations = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

const increment = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

const label = (tableOf: Map<string, string>, call: RecordedDynamoCall) => `${call.operation} ${call.tables.map((table) => tableOf.get(table) ?? table).join('+')}`;

const windows = (timings: Timing[], arrivals: number[], calls: RecordedDynamoCall[], tableOf: Map<string, string>, pauseMs: number): CallsBeforeUpstream => {
  const histogram: Record<string, number> = {};
  const operations: Record<string, number> = {};
  let zero = 0;
  const matched = arrivals.length === timings.length ? timings.length : 0;
  for (let index = 0; index < matched; index += 1) {
    const inWindow = calls.filter((call) => call.at >= timings[index].sentAt && call.at < arrivals[index]);
    if (inWindow.length === 0) zero += 1;
    increment(histogram, String(inWindow.length));
    for (const call of inWindow) increment(operations, label(tableOf, call));
  }
  return { pauseMs, matched, zeroCallSharePercent: matched > 0 ? (zero / matched) * 100 : 0, histogram, operations };
};

/** Counts the DynamoDB calls before the upstream of each request, and the writes and reads per completion. */
export const measureDynamoCalls = async (options: DynamoCallsOptions): Promise<DynamoCallsResult> => {
  const tableOf = new Map(Object.entries(options.tableNames).map(([role, name]) => [name, role]));
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  await runCount(options.warmupRequests, 1, () => options.gateway.send());
  await options.upstream.report({ reset: true });
  await options.dynalite.report({ reset: true });
  const backToBackTimings = await runCount(Math.round(options.requests / 2), 1, () => options.gateway.send());
  await pause();
  const backToBack = windows(backToBackTimings, await options.upstream.report<number[]>({ reset: true }), await options.dynalite.report<RecordedDynamoCall[]>({ reset: true }), tableOf, 0);

  // The spaced requests: their windows, and everything they wrote and read.
  const timings = await runCount(options.requests, 1, async () => {
    const timing = await options.gateway.send();
    await pause();
    return timing;
  });
  await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  const arrivals = await options.upstream.report<number[]>({ reset: true });
  const calls = await options.dynalite.report<RecordedDynamoCall[]>({ reset: true });
  const spaced = windows(timings, arrivals, calls, tableOf, options.pauseMs);

  const usageIndexes = usageTable.globalSecondaryIndexes;
  const writesByOperation: Record<string, number> = {};
  const totals = { calls: calls.length, writeCalls: 0, writeItems: 0, baseWriteUnits: 0, indexWriteUnits: 0, readCalls: 0, readUnits: 0 };
  for (const call of calls) {
    if (writeOperations.has(call.operation)) {
      totals.writeCalls += 1;
      totals.writeItems += call.writeItems;
      totals.baseWriteUnits += call.capacityUnits ?? 0;
      increment(writesByOperation, label(tableOf, call), call.writeItems);
      if (call.tables.includes(options.tableNames.usage)) {
        const unitsPerItem = (call.capacityUnits ?? 0) / Math.max(1, call.writeItems);
        for (const attributes of call.putAttributes) {
          totals.indexWriteUnits += unitsPerItem * usageIndexes.filter((index) => attributes.includes(index.partitionKey.name)).length;
        }
      }
    } else if (readOperations.has(call.operation)) {
      totals.readCalls += 1;
      totals.readUnits += call.capacityUnits ?? 0;
    }
  }
  const per = (value: number) => value / Math.max(1, timings.length);
  return {
    requests: timings.length,
    errors: [...backToBackTimings, ...timings].filter((timing) => timing.status !== 200).length,
    spaced,
    backToBack,
    perCompletion: {
      calls: per(totals.calls),
      writeCalls: per(totals.writeCalls),
      writeItems: per(totals.writeItems),
      baseWriteUnits: per(totals.baseWriteUnits),
      indexWriteUnits: per(totals.indexWriteUnits),
      writeUnits: per(totals.baseWriteUnits + totals.indexWriteUnits),
      readCalls: per(totals.readCalls),
      readUnits: per(totals.readUnits),
    },
    writesByOperation,
  };
};
