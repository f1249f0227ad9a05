/**
 * `npm run bench`: gateway overhead, streaming, throughput, memory and cold
 * start, as markdown on stdout and JSON in bench/results/latest.json.
 * See bench/README.md for what each number means and the BENCH_* settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { profilesFolder, startBenchEnvironment } from './environment.js';
import { costModel } from './cost-model.js';
import { toMarkdown, type BenchResults } from './report.js';
import { measureColdStart } from './scenarios/cold-start.js';
import { measureDynamoCalls } from './scenarios/dynamo-calls.js';
import { measureDynamoFloor } from './scenarios/floors.js';
import { measureMemory } from './scenarios/memory.js';
import { measureOverhead } from './scenarios/overhead.js';
import { measureStreaming } from './scenarios/streaming.js';
import { measureThroughput } from './scenarios/throughput.js';
import { benchSettings, type BenchSettings } from './settings.js';

const resultsFolder = fileURLToPath(new URL('./results/', import.meta.url));

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Runs the selected scenarios and returns their results. */
export const runBench = async (settings: BenchSettings): Promise<BenchResults> => {
  const startedAt = new Date();
  const began = performance.now();
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationSeconds: 0,
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? 'unknown', node: process.versions.node, platform: `${process.platform}-${process.arch}` },
    settings: { ...settings },
  };
  const wants = (name: BenchSettings['scenarios'][number]) => settings.scenarios.includes(name);

  // First, before any load: esbuild and the import probes want the machine quiet.
  if (wants('cold-start')) {
    progress('cold start: bundling the functions and timing imports');
    results.coldStart = await measureColdStart(settings.coldStart.runs);
  }

  if (wants('overhead') || wants('dynamo-calls') || wants('streaming') || wants('throughput') || wants('memory')) {
    progress(`starting upstream, dynalite (${settings.dynalite}) and gateway`);
    const environment = await startBenchEnvironment(settings);
    try {
      if (wants('overhead')) {
        const { overhead } = settings;
        const rows = [
          // Back to back: each request also meets the previous one's after-response work (settlement, usage record).
          { label: 'back to back', concurrency: 1, paced: false, pauseMs: 0, withPortkey: true, rounds: overhead.rounds, requestsPerRound: overhead.requestsPerRound, warmup: overhead.warmupRequests },
          // Spaced: the critical path alone, as a Lambda function sees it (one request per environment).
          { label: 'spaced', concurrency: 1, paced: false, pauseMs: overhead.spacedPauseMs, withPortkey: true, rounds: Math.max(2, Math.round(overhead.rounds / 3)), requestsPerRound: Math.round(overhead.requestsPerRound / 2), warmup: 50 },
          { label: 'paced upstream', concurrency: 16, paced: true, pauseMs: 0, rounds: overhead.sixteenRounds, requestsPerRound: overhead.sixteenRequestsPerRound, warmup: overhead.sixteenRequestsPerRound },
          // The same gateway and request with a key that has no limits: what the gateway adds besides the admission round.
          { label: 'key without limits', concurrency: 1, paced: false, pauseMs: 0, keyLimits: false, rounds: Math.max(2, Math.round(overhead.rounds / 2)), requestsPerRound: overhead.requestsPerRound, warmup: 100 },
        ];
        results.overhead = [];
        for (const row of rows) {
          progress(`overhead at concurrency ${row.concurrency}, ${row.label}`);
          const clients = environment.clients({ paced: row.paced, stream: false, keyLimits: row.keyLimits ?? true });
          results.overhead.push(
            await measureOverhead({
              direct: clients.direct,
              gateway: clients.gateway,
              // Portkey in the same interleaved rounds: the ratio of the two added latencies is the comparison.
              others: row.withPortkey && clients.portkey ? [{ name: 'Portkey', client: clients.portkey }] : undefined,
              keyLimits: row.keyLimits ?? true,
              concurrency: row.concurrency,
              upstreamLatencyMs: row.paced ? overhead.pacedLatencyMs : 0,
              pauseMs: row.pauseMs,
              warmupRequests: row.warmup,
              rounds: row.rounds,
              requestsPerRound: row.requestsPerRound,
            }),
          );
        }
        progress('floors: a forwarding-only proxy and one admission round against dynalite');
        results.floors = {
          bareProxy: await measureOverhead({
            direct: environment.clients({ paced: false, stream: false }).direct,
            gateway: environment.clients({ paced: false, stream: false }).bareProxy,
            concurrency: 1,
            upstreamLatencyMs: 0,
            warmupRequests: Math.round(overhead.warmupRequests / 2),
            rounds: Math.max(2, Math.round(overhead.rounds / 3)),
            requestsPerRound: overhead.requestsPerRound,
          }),
          dynamo: await measureDynamoFloor(environment.gateway.ready.dynamoEndpoint, Math.round((overhead.rounds * overhead.requestsPerRound) / 4)),
        };
      }
      if (wants('dynamo-calls') && environment.dynalite) {
        progress('DynamoDB calls per completion');
        results.dynamoCalls = await measureDynamoCalls({
          gateway: environment.clients({ paced: false, stream: false }).gateway,
          upstream: environment.upstream,
          dynalite: environment.dynalite,
          tableNames: environment.gateway.ready.tableNames,
          ...settings.dynamoCalls,
          // Past the lease idle return (250 ms), so returned leases are counted too.
          settleMs: 1500,
          pauseMs: 20,
        });
      }
      if (wants('streaming')) {
        progress('streaming');
        const { streaming } = settings;
        results.streaming = await measureStreaming({ ...environment.clients({ paced: false, stream: true }), ...streaming });
      }
      if (wants('memory')) {
        progress(`memory soak: ${settings.memory.warmupSeconds} s warm-up + ${settings.memory.soakSeconds} s`);
        results.memory = await measureMemory({
          plain: environment.clients({ paced: false, stream: false }).gateway,
          streamed: environment.clients({ paced: false, stream: true }).gateway,
          gatewayProcess: environment.gateway,
          ...settings.memory,
        });
      }
      // Last: it pins processes to cores, and saturation leaves the heap at its largest.
      if (wants('throughput')) {
        progress('throughput');
        results.throughput = await measureThroughput({
          gateway: environment.clients({ paced: false, stream: false }).gateway,
          gatewayProcess: environment.gateway,
          helpers: environment.helpers(),
          ...settings.throughput,
        });
      }
    } finally {
      await environment.close();
    }
  }
  if (results.dynamoCalls) {
    const { perCompletion } = results.dynamoCalls;
    const throughput = results.throughput;
    results.cost = costModel({
      writeUnitsPerCompletion: perCompletion.writeUnits,
      readUnitsPerCompletion: perCompletion.readUnits,
      cpuMsPerCompletion: throughput?.gatewayCpu === undefined ? undefined : (throughput.gatewayCpu * 1000) / throughput.requestsPerSecond,
      addedMs: Math.max(0, results.overhead?.[0]?.added.p50 ?? 0),
    });
  }
  results.durationSeconds = (performance.now() - began) / 1000;
  return results;
};

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const results = await runBench(benchSettings());
  mkdirSync(resultsFolder, { recursive: true });
  writeFileSync(`${resultsFolder}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${toMarkdown(results)}\n`);
  progress('results written to bench/results/latest.json');
  if (results.settings.cpuProfile) progress(`gateway CPU profiles in ${profilesFolder} (summarise with: npx tsx bench/profile-summary.ts <file>)`);
}
