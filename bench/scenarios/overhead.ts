/**
 * Added latency: the same chat request sent straight to the upstream and
 * through the gateway (and through other gateways, side by side), in
 * interleaved rounds after a warm-up, so drift in the machine's load (other
 * processes, CPU frequency) hits every path alike.
 */
import { runCount, type TargetClient, type Timing } from '../client.js';
import { summarize, type Summary } from '../stats.js';

/** Another gateway measured in the same rounds (Portkey). */
export interface ComparedGateway {
  name: string;
  gateway: Summary;
  added: { p50: number; p90: number; p99: number; mean: number };
  errors: number;
}

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
  /** Other gateways in the same interleaved rounds, against the same direct path. */
  comparisons?: ComparedGateway[];
}

export interface OverheadOptions {
  direct: TargetClient;
  gateway: TargetClient;
  concurrency: number;
  upstreamLatencyMs: number;
  /** Pause between a caller's requests, so after-response work (usage records, settlement) is done before the next one. */
  pauseMs?: number;
  keyLimits?: boolean;
  /** Other gateways to measure in the same rounds. */
  others?: Array<{ name: string; client: TargetClient }>;
  warmupRequests: number;
  rounds: number;
  requestsPerRound: number;
}

/** Runs the interleaved rounds and compares the two paths. */
export const measureOverhead = async (options: OverheadOptions): Promise<OverheadResult> => {
  const { direct, gateway, concurrency } = options;
  const pauseMs = options.pauseMs ?? 0;
  const others = options.others ?? [];
  const errorsByPath = new Map<TargetClient, number>();
  const sendAndPause = async (client: TargetClient) => {
    const timing = await client.send();
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return timing;
  };
  const collect = async (client: TargetClient, count: number, into?: Timing[]) => {
    for (const timing of await runCount(count, concurrency, () => sendAndPause(client))) {
      if (timing.status !== 200) errorsByPath.set(client, (errorsByPath.get(client) ?? 0) + 1);
      into?.push(timing);
    }
  };
  const paths: Array<{ client: TargetClient; timings: Timing[] }> = [direct, gateway, ...others.map((other) => other.client)].map((client) => ({ client, timings: [] }));
  for (const path of paths) await collect(path.client, options.warmupRequests);
  for (let round = 0; round < options.rounds; round += 1) {
    // Rotate which path goes first, so none always follows another's after-response work.
    for (let step = 0; step < paths.length; step += 1) {
      const path = paths[(round + step) % paths.length];
      await collect(path.client, options.requestsPerRound, path.timings);
    }
  }
  const [directPath, gatewayPath, ...otherPaths] = paths;
  const directSummary = summarize(directPath.timings.map((timing) => timing.totalMs));
  const addedOver = (summary: Summary) => ({
    p50: summary.p50 - directSummary.p50,
    p90: summary.p90 - directSummary.p90,
    p99: summary.p99 - directSummary.p99,
    mean: summary.mean - directSummary.mean,
  });
  const gatewaySummary = summarize(gatewayPath.timings.map((timing) => timing.totalMs));
  return {
    concurrency,
    upstreamLatencyMs: options.upstreamLatencyMs,
    pauseMs,
    keyLimits: options.keyLimits ?? true,
    direct: directSummary,
    gateway: gatewaySummary,
    added: addedOver(gatewaySummary),
    reportedOverhead: summarize(gatewayPath.timings.flatMap((timing) => (timing.reportedOverheadMs === undefined ? [] : [timing.reportedOverheadMs]))),
    errors: (errorsByPath.get(direct) ?? 0) + (errorsByPath.get(gateway) ?? 0),
    ...(others.length > 0
      ? {
          comparisons: others.map((other, index) => {
            const summary = summarize(otherPaths[index].timings.map((timing) => timing.totalMs));
            return { name: other.name, gateway: summary, added: addedOver(summary), errors: errorsByPath.get(other.client) ?? 0 };
          }),
        }
      : {}),
  };
};
