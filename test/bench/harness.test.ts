import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetClient } from '../../bench/client.js';
import { startChild } from '../../bench/processes/spawn.js';
import { toMarkdown, type BenchResults } from '../../bench/report.js';
import { esbuildOptionsOf } from '../../bench/scenarios/cold-start.js';
import { measureOverhead } from '../../bench/scenarios/overhead.js';
import { measureStreaming } from '../../bench/scenarios/streaming.js';
import { percentile, summarize } from '../../bench/stats.js';
import { latencyHeaderName, startBenchUpstream, type BenchUpstream } from '../../bench/upstream.js';
import { parseConfig } from '../../functions/core/config/load.js';
import { gatewayBundling } from '../../lib/gateway-function.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { generateKey, startTestGateway } from '../support/gateway.js';

const chatBody = (model: string, stream = false) =>
  Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 64, ...(stream ? { stream: true } : {}) }));

describe('the bench harness', () => {
  let upstream: BenchUpstream;
  let gateway: LocalGateway;
  let virtualKey: string;
  const clients: TargetClient[] = [];
  const client = (origin: string, path: string, headers: Record<string, string>, body: Buffer) => {
    const created = new TargetClient({ origin, path, headers, body });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    upstream = await startBenchUpstream({ latencyMs: 0, streamChunks: 4, chunkIntervalMs: 2 });
    gateway = await startTestGateway(`
models:
  - name: bench
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: bench-model
    price: { input_per_mtok: 1, output_per_mtok: 2 }
`);
    virtualKey = await generateKey(gateway, { max_budget: 1000, rpm_limit: 100_000 });
  });

  afterAll(async () => {
    for (const opened of clients) opened.close();
    await gateway?.close();
    await upstream?.close();
  });

  it('serves completions and streams of N chunks from the bench upstream, and honours the latency header', async () => {
    const origin = new URL(upstream.baseUrl).origin;
    const plain = client(origin, '/v1/chat/completions', { [latencyHeaderName]: '30' }, chatBody('bench-model'));
    const streamed = client(origin, '/v1/chat/completions', {}, chatBody('bench-model', true));

    const timing = await plain.send();
    const stream = await streamed.stream();

    expect(timing.status).toBe(200);
    expect(timing.totalMs).toBeGreaterThanOrEqual(25);
    expect(stream).toMatchObject({ status: 200, tokens: 4 });
    expect(stream.gapsMs).toHaveLength(3);
    expect(stream.firstTokenMs).toBeGreaterThan(0);
  });

  it('measures a tiny interleaved round of added latency through the local gateway with budgets on', async () => {
    const origin = new URL(upstream.baseUrl).origin;

    const result = await measureOverhead({
      direct: client(origin, '/v1/chat/completions', {}, chatBody('bench-model')),
      gateway: client(gateway.url, '/v1/chat/completions', { authorization: `Bearer ${virtualKey}` }, chatBody('bench')),
      concurrency: 2,
      upstreamLatencyMs: 0,
      warmupRequests: 4,
      rounds: 2,
      requestsPerRound: 5,
    });

    expect(result.errors).toBe(0);
    expect(result.direct.count).toBe(10);
    expect(result.gateway.count).toBe(10);
    expect(result.reportedOverhead.count).toBe(10);
    expect(result.added.p50).toBeCloseTo(result.gateway.p50 - result.direct.p50);
  });

  it('measures added time to first token and chunk gaps through the gateway', async () => {
    const origin = new URL(upstream.baseUrl).origin;

    const result = await measureStreaming({
      direct: client(origin, '/v1/chat/completions', {}, chatBody('bench-model', true)),
      gateway: client(gateway.url, '/v1/chat/completions', { authorization: `Bearer ${virtualKey}` }, chatBody('bench', true)),
      concurrency: 1,
      chunks: 4,
      chunkIntervalMs: 2,
      rounds: 2,
      streamsPerRound: 2,
    });

    expect(result.errors).toBe(0);
    expect(result.gateway.firstToken.count).toBe(4);
    expect(result.gateway.gap.count).toBe(12);
  });

  it('runs a child process that reports ready, its memory and stops', async () => {
    const child = await startChild<{ baseUrl: string }>('upstream', { latencyMs: 0, streamChunks: 1, chunkIntervalMs: 1 });
    try {
      expect(child.ready.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect((await child.memory()).rss).toBeGreaterThan(0);
    } finally {
      await child.stop();
    }
  });

  it('bundles with the options the stack uses', () => {
    const options = esbuildOptionsOf(gatewayBundling(parseConfig('models: [{ name: echo, provider: echo }]')));

    expect(options).toMatchObject({ bundle: true, platform: 'node', format: 'esm', target: 'node22', minify: true, external: [] });
    expect(options.define?.['process.env.TOLLWAY_CONFIG_JSON']).toContain('models');
  });

  it('computes percentiles by nearest rank and prints the targets beside the numbers', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    const summary = summarize([1, 2, 3]);
    const results: BenchResults = {
      startedAt: '2026-01-01T00:00:00.000Z',
      durationSeconds: 1,
      machine: { cpus: 2, cpuModel: 'test', node: '22', platform: 'linux-x64' },
      settings: {},
      overhead: [
        {
          concurrency: 1,
          upstreamLatencyMs: 0,
          pauseMs: 0,
          direct: summary,
          gateway: summary,
          added: { p50: 0.5, p90: 1, p99: 6, mean: 1 },
          reportedOverhead: summary,
          errors: 0,
        },
      ],
    };

    const markdown = toMarkdown(results);

    expect(markdown).toContain('| concurrency 1, upstream 0 ms | 0.50 ms | 1.00 ms | 6.00 ms | p50 ≤ 1 ms ✅, p99 ≤ 5 ms ❌');
  });
});
