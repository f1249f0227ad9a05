/**
 * Memory: the gateway's RSS through a soak of steady load (three plain
 * completions to one stream). Growth compares what the process holds after a
 * full garbage collection at the end of the warm-up and at the end of the
 * soak, so it shows what is retained (a leak), not garbage V8 has yet to
 * collect; RSS is also sampled every second without collecting, for the peak.
 */
import { runFor, type TargetClient } from '../client.js';
import type { Child, MemorySample } from '../processes/spawn.js';

export interface MemoryResult {
  soakSeconds: number;
  warmupSeconds: number;
  concurrency: number;
  requests: number;
  /** RSS after a full collection at the end of the warm-up and of the soak, MB. */
  rssStartMb: number;
  rssEndMb: number;
  /** (end - start) / start, in percent. */
  rssGrowthPercent: number;
  /** Heap in use after the same collections, MB. */
  heapStartMb: number;
  heapEndMb: number;
  /** Highest RSS sampled during the soak (without collecting), MB. */
  rssPeakMb: number;
  samples: Array<{ second: number; rssMb: number; heapUsedMb: number }>;
  errors: number;
}

export interface MemoryOptions {
  plain: TargetClient;
  streamed: TargetClient;
  gatewayProcess: Child<unknown>;
  concurrency: number;
  soakSeconds: number;
  warmupSeconds: number;
}

const megabytes = (bytes: number) => bytes / (1024 * 1024);

/** Runs the warm-up and the soak under the same load and reports RSS growth between them. */
export const measureMemory = async (options: MemoryOptions): Promise<MemoryResult> => {
  let sent = 0;
  let errors = 0;
  const load = (seconds: number) =>
    runFor(seconds * 1000, options.concurrency, async () => {
      sent += 1;
      const timing = sent % 4 === 0 ? await options.streamed.stream() : await options.plain.send();
      if (timing.status !== 200) errors += 1;
      return timing;
    });

  await load(options.warmupSeconds);
  // Requests in flight have finished (runFor awaits them), and so has their after-response work by the time the collection runs.
  const start: MemorySample = await options.gatewayProcess.memory({ collect: true });
  const samples: Array<MemorySample & { second: number }> = [];
  const startedAt = performance.now();
  const sampler = setInterval(() => {
    const second = (performance.now() - startedAt) / 1000;
    void options.gatewayProcess.memory().then((sample) => samples.push({ ...sample, second }));
  }, 1000);
  sent = 0;
  try {
    await load(options.soakSeconds);
  } finally {
    clearInterval(sampler);
  }
  const end: MemorySample = await options.gatewayProcess.memory({ collect: true });
  return {
    soakSeconds: options.soakSeconds,
    warmupSeconds: options.warmupSeconds,
    concurrency: options.concurrency,
    requests: sent,
    rssStartMb: megabytes(start.rss),
    rssEndMb: megabytes(end.rss),
    rssGrowthPercent: ((end.rss - start.rss) / start.rss) * 100,
    heapStartMb: megabytes(start.heapUsed),
    heapEndMb: megabytes(end.heapUsed),
    rssPeakMb: megabytes(Math.max(start.rss, ...samples.map((sample) => sample.rss))),
    samples: samples.map((sample) => ({ second: Math.round(sample.second), rssMb: megabytes(sample.rss), heapUsedMb: megabytes(sample.heapUsed) })),
    errors,
  };
};
