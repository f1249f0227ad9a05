/**
 * Streaming: time to the first content token and the gap between content
 * tokens, direct vs through the gateway, in interleaved rounds.
 */
import { runCount, type StreamTiming, type TargetClient } from '../client.js';
import { summarize, type Summary } from '../stats.js';

export interface StreamingResult {
  concurrency: number;
  chunks: number;
  chunkIntervalMs: number;
  direct: { firstToken: Summary; gap: Summary };
  gateway: { firstToken: Summary; gap: Summary };
  added: { firstTokenP50: number; firstTokenP99: number; gapP50: number; gapP99: number; gapMean: number };
  /** Streams that did not deliver every token with status 200. */
  errors: number;
}

export interface StreamingOptions {
  direct: TargetClient;
  gateway: TargetClient;
  concurrency: number;
  chunks: number;
  chunkIntervalMs: number;
  rounds: number;
  streamsPerRound: number;
}

/** Runs the interleaved streaming rounds. */
export const measureStreaming = async (options: StreamingOptions): Promise<StreamingResult> => {
  const { direct, gateway, concurrency } = options;
  let errors = 0;
  const collect = async (client: TargetClient, count: number, into?: StreamTiming[]) => {
    for (const timing of await runCount(count, concurrency, () => client.stream())) {
      if (timing.status !== 200 || timing.tokens !== options.chunks) errors += 1;
      into?.push(timing);
    }
  };
  const warmup = Math.max(5, Math.round(options.streamsPerRound / 2));
  await collect(direct, warmup);
  await collect(gateway, warmup);
  const directTimings: StreamTiming[] = [];
  const gatewayTimings: StreamTiming[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const order: Array<[TargetClient, StreamTiming[]]> = round % 2 === 0 ? [[direct, directTimings], [gateway, gatewayTimings]] : [[gateway, gatewayTimings], [direct, directTimings]];
    for (const [client, into] of order) await collect(client, options.streamsPerRound, into);
  }
  const describe = (timings: StreamTiming[]) => ({
    firstToken: summarize(timings.flatMap((timing) => (timing.firstTokenMs === undefined ? [] : [timing.firstTokenMs]))),
    gap: summarize(timings.flatMap((timing) => timing.gapsMs)),
  });
  const directSummary = describe(directTimings);
  const gatewaySummary = describe(gatewayTimings);
  return {
    concurrency,
    chunks: options.chunks,
    chunkIntervalMs: options.chunkIntervalMs,
    direct: directSummary,
    gateway: gatewaySummary,
    added: {
      firstTokenP50: gatewaySummary.firstToken.p50 - directSummary.firstToken.p50,
      firstTokenP99: gatewaySummary.firstToken.p99 - directSummary.firstToken.p99,
      gapP50: gatewaySummary.gap.p50 - directSummary.gap.p50,
      gapP99: gatewaySummary.gap.p99 - directSummary.gap.p99,
      gapMean: gatewaySummary.gap.mean - directSummary.gap.mean,
    },
    errors,
  };
};
