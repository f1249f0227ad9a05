/**
 * Added latency: the same chat request sent straight to the upstream and
 * through the gateway, in interleaved rounds after a warm-up, so drift in the
 * machine's load (other processes, CPU frequency) hits both paths alike.
 */
import { runCount, type TargetClient, type Timing } from '../client.js';
import { summarize, type Summary } from '../stats.js';

export interface OverheadResult {
  concurrency: number;
  upstreamLatencyMs: number;
  /** Pause each caller takes between its requests (0: back to back). */
  pauseMs: number;
  /** Whether the gateway's key carries a budget and a rate limit (false: no DynamoDB call before the upstream). */
  keyLimits?: boolean;
  direct: Summary;
  gateway: Summary;
  /** Gateway percentile minus direct percentile. */
  added: { p50: number; p90: number; p99: number; mean: number };
  /** The gateway's own `x-tollway-overhead-ms` header. */
  reportedOverhead: Summary;
  errors: number;
}

export interface OverheadOptions {
  direct: TargetClient;
  gateway: TargetClient;
  concurrency: number;
  upstreamLatencyMs: number;
  /** Pause between a caller's requests, so after-response work (usage records, settlement) is done before the next one. */
  pauseMs?: number;
  keyLimits?: boolean;
  warmupRequests: number;
  rounds: number;
  requestsPerRound: number;
}

/** Runs the interleaved rounds and compares the two paths. */
export const measureOverhead = async (options: OverheadOptions): Promise<OverheadResult> => {
  const { direct, gateway, concurrency } = options;
  const pauseMs = options.pauseMs ?? 0;
  let errors = 0;
  const sendAndPause = async (client: TargetClient) => {
    const timing = await client.send();
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return timing;
  };
  const collect = async (client: TargetClient, count: number, into?: Timing[]) => {
    for (const timing of await runCount(count, concurrency, () => sendAndPause(client))) {
      if (timing.status !== 200) errors += 1;
      into?.push(timing);
    }
  };
  await collect(direct, options.warmupRequests);
  await collect(gateway, options.warmupRequests);
  const directTimings: Timing[] = [];
  const gatewayTimings: Timing[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    // Alternate which path goes first, so neither always follows the other's after-response work.
    const order: Array<[TargetClient, Timing[]]> = round % 2 === 0 ? [[direct, directTimings], [gateway, gatewayTimings]] : [[gateway, gatewayTimings], [direct, directTimings]];
    for (const [client, into] of order) await collect(client, options.requestsPerRound, into);
  }
  const directSummary = summarize(directTimings.map((timing) => timing.totalMs));
  const gatewaySummary = summarize(gatewayTimings.map((timing) => timing.totalMs));
  return {
    concurrency,
    upstreamLatencyMs: options.upstreamLatencyMs,
    pauseMs,
    keyLimits: options.keyLimits ?? true,
    direct: directSummary,
    gateway: gatewaySummary,
    added: {
      p50: gatewaySummary.p50 - directSummary.p50,
      p90: gatewaySummary.p90 - directSummary.p90,
      p99: gatewaySummary.p99 - directSummary.p99,
      mean: gatewaySummary.mean - directSummary.mean,
    },
    reportedOverhead: summarize(gatewayTimings.flatMap((timing) => (timing.reportedOverheadMs === undefined ? [] : [timing.reportedOverheadMs]))),
    errors,
  };
};
