/** Everything a bench run can be tuned with, from `BENCH_*` environment variables. */

const numberFrom = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

export const scenarioNames = ['cold-start', 'overhead', 'dynamo-calls', 'streaming', 'throughput', 'memory'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

const selectedScenarios = (): ScenarioName[] => {
  const raw = process.env.BENCH_ONLY;
  if (!raw) return [...scenarioNames];
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(scenarioNames as readonly string[]).includes(name)) throw new Error(`BENCH_ONLY: unknown scenario "${name}" (one of ${scenarioNames.join(', ')})`);
  }
  return names as ScenarioName[];
};

export interface BenchSettings {
  scenarios: ScenarioName[];
  /** `process` (default): dynalite in its own process; `in-process`: the local gateway exactly as `npm start` runs it. */
  dynalite: 'process' | 'in-process';
  /** Budget leases in the gateway's config (`BENCH_LEASES=off`: every request holds its own worst case, one DynamoDB round before the upstream). */
  leases: boolean;
  /** Measure the Portkey gateway in the same rounds as Tollway (`BENCH_PORTKEY=off` leaves it out). */
  portkey: boolean;
  /** Write a V8 CPU profile of the gateway process into bench/results/profiles. */
  cpuProfile: boolean;
  overhead: {
    warmupRequests: number;
    rounds: number;
    /** Requests per path per round at concurrency 1. */
    requestsPerRound: number;
    /** Pause between requests in the spaced concurrency-1 row. */
    spacedPauseMs: number;
    /** Upstream latency at concurrency 16 (an LLM answers in hundreds of ms): 16 requests in flight, not a saturation test. */
    pacedLatencyMs: number;
    sixteenRounds: number;
    /** Requests per path per round at concurrency 16. */
    sixteenRequestsPerRound: number;
  };
  /** Requests (after a warm-up) whose DynamoDB calls are counted. */
  dynamoCalls: { warmupRequests: number; requests: number };
  streaming: { streamsPerRound: number; rounds: number; chunks: number; chunkIntervalMs: number; concurrency: number };
  throughput: { seconds: number; concurrency: number };
  memory: { soakSeconds: number; warmupSeconds: number; concurrency: number };
  coldStart: { runs: number };
}

/** The settings of this run. */
export const benchSettings = (): BenchSettings => ({
  scenarios: selectedScenarios(),
  dynalite: process.env.BENCH_DYNALITE === 'in-process' ? 'in-process' : 'process',
  leases: process.env.BENCH_LEASES !== 'off',
  portkey: process.env.BENCH_PORTKEY !== 'off',
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
  overhead: {
    warmupRequests: numberFrom('BENCH_WARMUP_REQUESTS', 500),
    rounds: numberFrom('BENCH_ROUNDS', 10),
    requestsPerRound: numberFrom('BENCH_ROUND_REQUESTS', 200),
    spacedPauseMs: numberFrom('BENCH_SPACED_PAUSE_MS', 10),
    pacedLatencyMs: numberFrom('BENCH_PACED_LATENCY_MS', 200),
    sixteenRounds: numberFrom('BENCH_SIXTEEN_ROUNDS', 4),
    sixteenRequestsPerRound: numberFrom('BENCH_SIXTEEN_ROUND_REQUESTS', 160),
  },
  dynamoCalls: { warmupRequests: numberFrom('BENCH_DYNAMO_WARMUP_REQUESTS', 100), requests: numberFrom('BENCH_DYNAMO_REQUESTS', 400) },
  streaming: {
    streamsPerRound: numberFrom('BENCH_STREAMS_PER_ROUND', 15),
    rounds: numberFrom('BENCH_STREAM_ROUNDS', 8),
    chunks: numberFrom('BENCH_STREAM_CHUNKS', 20),
    chunkIntervalMs: numberFrom('BENCH_CHUNK_INTERVAL_MS', 5),
    concurrency: numberFrom('BENCH_STREAM_CONCURRENCY', 1),
  },
  throughput: { seconds: numberFrom('BENCH_THROUGHPUT_SECONDS', 10), concurrency: numberFrom('BENCH_THROUGHPUT_CONCURRENCY', 32) },
  memory: {
    soakSeconds: numberFrom('BENCH_SOAK_SECONDS', 105),
    warmupSeconds: numberFrom('BENCH_SOAK_WARMUP_SECONDS', 15),
    concurrency: numberFrom('BENCH_SOAK_CONCURRENCY', 4),
  },
  coldStart: { runs: numberFrom('BENCH_COLD_RUNS', 5) },
});
