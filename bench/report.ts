/** The bench results as markdown tables, with the targets of issue 8 beside the numbers. */
import type { ColdStartResult } from './scenarios/cold-start.js';
import type { CostModel } from './cost-model.js';
import { costMarkdown, dynamoCallsMarkdown } from './cost-report.js';
import type { DynamoCallsResult } from './scenarios/dynamo-calls.js';
import type { DynamoFloor } from './scenarios/floors.js';
import type { MemoryResult } from './scenarios/memory.js';
import type { OverheadResult } from './scenarios/overhead.js';
import type { StreamingResult } from './scenarios/streaming.js';
import type { ThroughputResult } from './scenarios/throughput.js';

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; node: string; platform: string };
  settings: Record<string, unknown>;
  overhead?: OverheadResult[];
  /** What any Node gateway pays here: a forwarding-only proxy, and one admission round against dynalite. */
  floors?: { bareProxy: OverheadResult; dynamo: DynamoFloor };
  dynamoCalls?: DynamoCallsResult;
  /** From the DynamoDB calls (and throughput, when run) and the list prices. */
  cost?: CostModel;
  streaming?: StreamingResult;
  throughput?: ThroughputResult;
  memory?: MemoryResult;
  coldStart?: ColdStartResult;
}

export const targets = {
  addedP50AtOneMs: 1,
  addedP99AtOneMs: 5,
  addedP99AtSixteenMs: 10,
  addedFirstTokenP50Ms: 2,
  // With the official AWS SDK clients (issue 13): under 1 MB minified.
  chatBundleBytes: 1024 * 1024,
  rssGrowthPercent: 10,
} as const;

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const verdict = (value: number, limit: number) => (value <= limit ? '✅' : '❌');

/** The tables `npm run bench` prints. */
export const toMarkdown = (results: BenchResults): string => {
  const lines: string[] = [];
  const { machine } = results;
  lines.push(`Tollway bench, ${results.startedAt}: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${results.durationSeconds.toFixed(0)} s`, '');

  if (results.overhead?.length || results.streaming) {
    lines.push('| added latency (gateway − direct) | p50 | p90 | p99 | target | direct p50 / p99 | requests |', '|---|---|---|---|---|---|---|');
    for (const row of results.overhead ?? []) {
      const spaced = row.pauseMs > 0;
      const target = row.keyLimits === false
        ? '(what the gateway adds besides DynamoDB)'
        : spaced
        ? '(the critical path alone)'
        : row.concurrency === 1
          ? `p50 ≤ ${targets.addedP50AtOneMs} ms ${verdict(row.added.p50, targets.addedP50AtOneMs)}, p99 ≤ ${targets.addedP99AtOneMs} ms ${verdict(row.added.p99, targets.addedP99AtOneMs)}`
          : `p99 ≤ ${targets.addedP99AtSixteenMs} ms ${verdict(row.added.p99, targets.addedP99AtSixteenMs)}`;
      const withoutLimits = row.keyLimits === false;
      lines.push(
        `| concurrency ${row.concurrency}, upstream ${row.upstreamLatencyMs} ms${spaced ? `, ${row.pauseMs} ms between requests` : ''}${withoutLimits ? ', key without budget or rate limit (no DynamoDB call before the upstream)' : ''} | ${ms(row.added.p50)} | ${ms(row.added.p90)} | ${ms(row.added.p99)} | ${target} | ${ms(row.direct.p50)} / ${ms(row.direct.p99)} | ${row.gateway.count} + ${row.direct.count}${row.errors ? `, ${row.errors} errors` : ''} |`,
      );
    }
    const stream = results.streaming;
    if (stream) {
      lines.push(
        `| time to first token (${stream.chunks} chunks every ${stream.chunkIntervalMs} ms) | ${ms(stream.added.firstTokenP50)} | | ${ms(stream.added.firstTokenP99)} | p50 ≤ ${targets.addedFirstTokenP50Ms} ms ${verdict(stream.added.firstTokenP50, targets.addedFirstTokenP50Ms)} | ${ms(stream.direct.firstToken.p50)} / ${ms(stream.direct.firstToken.p99)} | ${stream.gateway.firstToken.count} + ${stream.direct.firstToken.count} streams${stream.errors ? `, ${stream.errors} errors` : ''} |`,
        `| gap between chunks | ${ms(stream.added.gapP50)} | | ${ms(stream.added.gapP99)} | | ${ms(stream.direct.gap.p50)} / ${ms(stream.direct.gap.p99)} | ${stream.gateway.gap.count} + ${stream.direct.gap.count} gaps |`,
      );
    }
    const floors = results.floors;
    if (floors) {
      lines.push(
        `| floor: forwarding-only Node proxy, concurrency 1 | ${ms(floors.bareProxy.added.p50)} | ${ms(floors.bareProxy.added.p90)} | ${ms(floors.bareProxy.added.p99)} | | ${ms(floors.bareProxy.direct.p50)} / ${ms(floors.bareProxy.direct.p99)} | ${floors.bareProxy.gateway.count} + ${floors.bareProxy.direct.count} |`,
        `| floor: one admission round (2 UpdateItems in parallel, gateway's AWS client → dynalite) | ${ms(floors.dynamo.admissionRound.p50)} | ${ms(floors.dynamo.admissionRound.p90)} | ${ms(floors.dynamo.admissionRound.p99)} | | | ${floors.dynamo.admissionRound.count} rounds |`,
        `| floor: a single UpdateItem (gateway's AWS client → dynalite) | ${ms(floors.dynamo.singleUpdate.p50)} | ${ms(floors.dynamo.singleUpdate.p90)} | ${ms(floors.dynamo.singleUpdate.p99)} | | | ${floors.dynamo.singleUpdate.count} calls |`,
      );
    }
    for (const row of results.overhead ?? []) {
      for (const other of row.comparisons ?? []) {
        const ratio = other.added.p50 > 0 ? (row.added.p50 / other.added.p50).toFixed(2) : 'n/a';
        lines.push(
          `| ${other.name}, same rounds: concurrency ${row.concurrency}${row.pauseMs > 0 ? `, ${row.pauseMs} ms between requests` : ''} | ${ms(other.added.p50)} | ${ms(other.added.p90)} | ${ms(other.added.p99)} | Tollway p50 / ${other.name} p50 = ${ratio} | ${ms(row.direct.p50)} / ${ms(row.direct.p99)} | ${other.gateway.count}${other.errors ? `, ${other.errors} errors` : ''} |`,
        );
      }
    }
    const reported = results.overhead?.find((row) => row.concurrency === 1 && row.pauseMs === 0)?.reportedOverhead;
    if (reported) lines.push('', `The gateway's own \`x-tollway-overhead-ms\` at concurrency 1: p50 ${ms(reported.p50)}, p99 ${ms(reported.p99)}.`);
    lines.push('');
  }

  if (results.dynamoCalls) lines.push(...dynamoCallsMarkdown(results.dynamoCalls));
  if (results.cost) lines.push(...costMarkdown(results.cost));

  if (results.throughput) {
    const row = results.throughput;
    lines.push(
      '| throughput | requests/s | latency p50 / p99 | gateway CPU | how |',
      '|---|---|---|---|---|',
      `| saturation, concurrency ${row.concurrency}, ${row.seconds.toFixed(0)} s | ${row.requestsPerSecond.toFixed(0)} | ${ms(row.latency.p50)} / ${ms(row.latency.p99)} | ${row.gatewayCpu === undefined ? 'n/a' : `${(row.gatewayCpu * 100).toFixed(0)} % of a core`} | ${row.pinning}${row.errors ? `; ${row.errors} errors` : ''} |`,
      '',
    );
  }

  if (results.memory) {
    const row = results.memory;
    lines.push(
      '| memory (gateway RSS, after a full GC) | end of warm-up | end of soak | growth | target | heap used | peak RSS (no GC) |',
      '|---|---|---|---|---|---|---|',
      `| ${row.soakSeconds} s soak after ${row.warmupSeconds} s warm-up, concurrency ${row.concurrency}, ${row.requests} requests${row.errors ? `, ${row.errors} errors` : ''} | ${row.rssStartMb.toFixed(1)} MB | ${row.rssEndMb.toFixed(1)} MB | ${row.rssGrowthPercent.toFixed(1)} % | < ${targets.rssGrowthPercent} % ${verdict(row.rssGrowthPercent, targets.rssGrowthPercent)} | ${row.heapStartMb.toFixed(1)} → ${row.heapEndMb.toFixed(1)} MB | ${row.rssPeakMb.toFixed(1)} MB |`,
      '',
    );
  }

  if (results.coldStart) {
    lines.push('| bundle | minified | gzip | import (fresh process) | import − empty | largest parts |', '|---|---|---|---|---|---|');
    for (const bundle of results.coldStart.bundles) {
      const target = bundle.name === 'chat' ? ` (target ≤ ${kb(targets.chatBundleBytes)} ${verdict(bundle.bytes, targets.chatBundleBytes)})` : '';
      const largest = bundle.largest
        .slice(0, 4)
        .map((part) => `${part.input} ${kb(part.bytes)}`)
        .join(', ');
      lines.push(`| ${bundle.name} | ${kb(bundle.bytes)}${target} | ${kb(bundle.gzipBytes)} | ${ms(bundle.importMs)} | ${bundle.name === 'empty' ? '' : ms(bundle.addedImportMs)} | ${largest} |`);
    }
    lines.push('', `Import times: median of ${results.coldStart.runs} fresh processes with NODE_OPTIONS=${results.coldStart.nodeOptions}.`, '');
  }
  return lines.join('\n');
};
