/** The DynamoDB-calls and cost tables of the bench report. */
import type { CostModel } from './cost-model.js';
import type { CallsBeforeUpstream, DynamoCallsResult } from './scenarios/dynamo-calls.js';

const usd = (amount: number) => `$${amount.toFixed(2)}`;
const fixed = (value: number, digits = 2) => value.toFixed(digits);

/** Share of requests without a DynamoDB call before the upstream, and what a completion writes and reads. */
export const dynamoCallsMarkdown = (result: DynamoCallsResult): string[] => {
  const per = result.perCompletion;
  const describe = (calls: CallsBeforeUpstream) => {
    const histogram = Object.entries(calls.histogram)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([count, requests]) => `${count} calls: ${requests}`)
      .join(', ');
    const operations = Object.entries(calls.operations)
      .map(([operation, count]) => `${operation} × ${count}`)
      .join(', ');
    return `${fixed(calls.zeroCallSharePercent, 1)} % of ${calls.matched} (${histogram}; ${operations || 'no calls'})`;
  };
  const writes = Object.entries(result.writesByOperation)
    .map(([operation, items]) => `${operation}: ${fixed(items / Math.max(1, result.requests))}`)
    .join(', ');
  return [
    '| DynamoDB, counted at dynalite (concurrency 1, key with budget and rpm limit) | measured | target |',
    '|---|---|---|',
    `| requests with 0 calls before the upstream, ${result.spaced.pauseMs} ms between requests (the request's own calls) | ${describe(result.spaced)} | ≥ 95 % ${result.spaced.zeroCallSharePercent >= 95 ? '✅' : '❌'} |`,
    `| the same, back to back (upper bound: the previous request's after-response writes land in the window) | ${describe(result.backToBack)} | |`,
    `| writes per completion: calls / items | ${fixed(per.writeCalls)} / ${fixed(per.writeItems)} (${writes}) | |`,
    `| write request units per completion (base tables observed, ReturnConsumedCapacity: TOTAL; + index entries computed) | ${fixed(per.writeUnits)} (${fixed(per.baseWriteUnits)} + ${fixed(per.indexWriteUnits)}) | |`,
    `| reads per completion: calls / read units | ${fixed(per.readCalls)} / ${fixed(per.readUnits)} | |`,
    `| DynamoDB calls per completion, all | ${fixed(per.calls)} | |`,
    '',
  ];
};

/** Per million completions, by stream length. */
export const costMarkdown = (model: CostModel): string[] => [
  `| per million completions | Lambda on demand (${model.memoryMb} MB) | managed instances (c7g.large-class) | API Gateway REST | DynamoDB (${fixed(model.inputs.writeUnitsPerCompletion)} WRU + ${fixed(model.inputs.readUnitsPerCompletion)} RRU each) | total, on demand | total, managed instances |`,
  '|---|---|---|---|---|---|---|',
  ...model.rows.map(
    (row) =>
      `| ${row.streamSeconds} s streams | ${usd(row.lambdaOnDemandUsd)} | ${usd(row.managedInstancesUsd)} (${row.managedInstancesBound} bound) | ${usd(row.apiGatewayUsd)} | ${usd(row.dynamodbUsd)} | ${usd(row.totalOnDemandUsd)} | ${usd(row.totalManagedUsd)} |`,
  ),
  '',
  `Method: ${model.method} Prices: ${model.prices.source} (${model.prices.recordedOn}).`,
  '',
];
