/**
 * Throughput: completed requests per second at saturation, with the gateway
 * pinned to one core and everything else (load generator, upstream, dynalite)
 * kept off it, so the number is what one core of gateway serves.
 */
import { availableParallelism } from 'node:os';
import { runFor, type TargetClient } from '../client.js';
import { allCpus, canPin, pin, type Child } from '../processes/spawn.js';
import { summarize, type Summary } from '../stats.js';

export interface ThroughputResult {
  requestsPerSecond: number;
  concurrency: number;
  seconds: number;
  latency: Summary;
  /** How the gateway was confined: `cpu 0` or why it was not. */
  pinning: string;
  /** Gateway CPU time over wall time during the run (1 = one core busy). */
  gatewayCpu?: number;
  errors: number;
}

export interface ThroughputOptions {
  gateway: TargetClient;
  gatewayProcess: Child<unknown>;
  helpers: Child<unknown>[];
  concurrency: number;
  seconds: number;
}

/** Saturates the pinned gateway for `seconds` after a short warm-up. */
export const measureThroughput = async (options: ThroughputOptions): Promise<ThroughputResult> => {
  const cpus = availableParallelism();
  const pinned = canPin() && pin(options.gatewayProcess.pid, '0');
  let pinning = 'not pinned: taskset is not available';
  if (pinned) {
    pinning = cpus > 1 ? 'gateway on cpu 0; load generator, upstream and dynalite on the other cpus' : 'gateway on cpu 0 (a single-cpu machine: shared with the rest)';
    if (cpus > 1) for (const pid of [process.pid, ...options.helpers.map((child) => child.pid)]) pin(pid, `1-${cpus - 1}`);
  }
  try {
    await runFor(2_000, options.concurrency, () => options.gateway.send());
    const cpuBefore = options.gatewayProcess.cpuTimeMs();
    const startedAt = performance.now();
    const timings = await runFor(options.seconds * 1000, options.concurrency, () => options.gateway.send());
    const elapsedMs = performance.now() - startedAt;
    const cpuAfter = options.gatewayProcess.cpuTimeMs();
    return {
      requestsPerSecond: (timings.length * 1000) / elapsedMs,
      concurrency: options.concurrency,
      seconds: elapsedMs / 1000,
      latency: summarize(timings.map((timing) => timing.totalMs)),
      pinning,
      gatewayCpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / elapsedMs,
      errors: timings.filter((timing) => timing.status !== 200).length,
    };
  } finally {
    if (pinned) for (const pid of [options.gatewayProcess.pid, process.pid, ...options.helpers.map((child) => child.pid)]) pin(pid, allCpus(cpus));
  }
};
