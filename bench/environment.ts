/**
 * The processes of a bench run and the request targets over them: the
 * upstream, dynalite, the gateway with a real virtual key (budget and rate
 * limit on), and the direct and proxied versions of one chat request.
 *
 * Why separate processes: the load generator, the upstream and the gateway
 * each get their own event loop, so neither the client's bookkeeping nor the
 * upstream's work queues behind the gateway's (and the other way round), the
 * gateway's CPU time and RSS can be read on their own, and the gateway can be
 * pinned to one core for the throughput test.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { TargetClient, type Target } from './client.js';
import type { GatewayChildSettings } from './processes/gateway.js';
import { startChild, type Child } from './processes/spawn.js';
import type { TableNames } from '../functions/stores/table-definitions.js';
import type { BenchSettings } from './settings.js';
import { latencyHeaderName, type UpstreamSettings } from './upstream.js';

/** Where `BENCH_CPU_PROF=1` leaves the gateway's CPU profiles (ignored by git, like all of node_modules). */
export const profilesFolder = fileURLToPath(new URL('../node_modules/.cache/tollway-bench/profiles/', import.meta.url));

/**
 * The gateway child as one minified ESM bundle run by plain Node, as a Lambda
 * function runs: no TypeScript loader thread in its RSS or its profile.
 * dynalite stays external (only the in-process mode loads it).
 */
const bundleGatewayChild = async (): Promise<string> => {
  const outfile = fileURLToPath(new URL('../node_modules/.cache/tollway-bench/gateway/index.mjs', import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('./processes/gateway.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    minify: true,
    external: ['dynalite'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
};

/** The model names the bench gateway serves: one answering at once, one after the paced latency. */
export const benchModels = { immediate: 'bench', paced: 'bench-paced' } as const;

const messages = [
  { role: 'system', content: 'You are a concise assistant for an engineering team. Answer in plain English.' },
  {
    role: 'user',
    content:
      'Our service calls a language model through a gateway. Summarise in three sentences what a gateway adds on the request path: authentication, budgets and rate limits, routing and fallbacks, and usage records.',
  },
];

const requestBody = (model: string, stream: boolean) =>
  Buffer.from(
    JSON.stringify({
      model,
      messages,
      max_tokens: 256,
      temperature: 0.2,
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  );

export interface BenchEnvironment {
  upstream: Child<{ baseUrl: string }>;
  dynalite?: Child<{ endpoint: string }>;
  gateway: Child<{ url: string; dynamoEndpoint: string; tableNames: TableNames }>;
  /** A forwarding-only node:http proxy: the floor under any Node gateway here. */
  bareProxy: Child<{ url: string }>;
  /** The Portkey AI gateway, for the side-by-side comparison (absent with `BENCH_PORTKEY=off`). */
  portkey?: Child<{ url: string }>;
  virtualKey: string;
  /** Clients for the direct, gateway and bare-proxy path of one request shape; the gateway's key without budget or rate limit with `keyLimits: false`. */
  clients(options: { paced: boolean; stream: boolean; keyLimits?: boolean }): { direct: TargetClient; gateway: TargetClient; bareProxy: TargetClient; portkey?: TargetClient };
  /** Every child but the load generator, for pinning. */
  helpers(): Child<unknown>[];
  close(): Promise<void>;
}

const benchConfig = (upstreamBaseUrl: string, pacedLatencyMs: number, leases: boolean) => `
settings:
  # Budget leases: most requests are admitted in memory, with no DynamoDB call before the upstream (BENCH_LEASES=off: one hold each).
  budget_leases: { enabled: ${leases} }
models:
  - name: ${benchModels.immediate}
    provider: openai-compatible
    base_url: ${upstreamBaseUrl}
    model: bench-model
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
  - name: ${benchModels.paced}
    provider: openai-compatible
    base_url: ${upstreamBaseUrl}
    model: bench-model
    headers: { ${latencyHeaderName}: "${pacedLatencyMs}" }
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
`;

/** Starts the upstream, dynalite and the gateway, and generates the virtual key. */
export const startBenchEnvironment = async (settings: BenchSettings): Promise<BenchEnvironment> => {
  const upstreamSettings: UpstreamSettings = { latencyMs: 0, streamChunks: settings.streaming.chunks, chunkIntervalMs: settings.streaming.chunkIntervalMs };
  const upstream = await startChild<{ baseUrl: string }>('upstream', upstreamSettings);
  const dynalite = settings.dynalite === 'process' ? await startChild<{ endpoint: string }>('dynalite', {}) : undefined;
  const masterKey = `sk-bench-master-${randomBytes(12).toString('hex')}`;
  const gatewaySettings: GatewayChildSettings = {
    configYaml: benchConfig(upstream.ready.baseUrl, settings.overhead.pacedLatencyMs, settings.leases),
    masterKey,
    dynamoEndpoint: dynalite?.ready.endpoint,
  };
  if (settings.cpuProfile) mkdirSync(profilesFolder, { recursive: true });
  const gateway = await startChild<{ url: string; dynamoEndpoint: string; tableNames: TableNames }>('gateway', gatewaySettings, {
    // Profiled runs keep the sources (through tsx), so every frame names its package and file.
    script: settings.cpuProfile ? undefined : await bundleGatewayChild(),
    // --expose-gc lets the memory soak compare what is retained after a full collection, not what V8 has yet to collect.
    nodeArgs: ['--expose-gc', ...(settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profilesFolder}`] : [])],
  });

  const bareProxy = await startChild<{ url: string }>('bare-proxy', { upstreamBaseUrl: upstream.ready.baseUrl });
  const portkey = settings.portkey ? await startChild<{ url: string }>('portkey', {}) : undefined;

  const generateKey = async (settings: Record<string, unknown>) => {
    const generated = await fetch(`${gateway.ready.url}/key/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    if (!generated.ok) throw new Error(`key/generate failed: ${generated.status} ${await generated.text()}`);
    return ((await generated.json()) as { key: string }).key;
  };
  // Budgets and usage on: every completion reserves against the budget and counts in the rate window first.
  const virtualKey = await generateKey({ key_alias: 'bench', max_budget: 1_000_000, budget_duration: '30d', rpm_limit: 100_000_000 });
  // For comparison: a key with no limit, so nothing but the (cached) key lookup happens before the upstream; usage is still recorded.
  const keyWithoutLimits = await generateKey({ key_alias: 'bench-no-limits' });
  // The direct path carries an authorization header of the same length, so both requests are the same size.
  const directKey = `sk-${'x'.repeat(Math.max(0, virtualKey.length - 3))}`;

  const openClients: TargetClient[] = [];
  const client = (target: Target) => {
    const created = new TargetClient(target);
    openClients.push(created);
    return created;
  };

  return {
    upstream,
    dynalite,
    gateway,
    bareProxy,
    portkey,
    virtualKey,
    clients({ paced, stream, keyLimits = true }) {
      const latencyHeaders: Record<string, string> = paced ? { [latencyHeaderName]: String(settings.overhead.pacedLatencyMs) } : {};
      const upstreamUrl = new URL(upstream.ready.baseUrl);
      return {
        direct: client({
          origin: upstreamUrl.origin,
          path: `${upstreamUrl.pathname}/chat/completions`,
          headers: { authorization: `Bearer ${directKey}`, ...latencyHeaders },
          body: requestBody('bench-model', stream),
        }),
        gateway: client({
          origin: gateway.ready.url,
          path: '/v1/chat/completions',
          headers: { authorization: `Bearer ${keyLimits ? virtualKey : keyWithoutLimits}` },
          body: requestBody(paced ? benchModels.paced : benchModels.immediate, stream),
        }),
        bareProxy: client({
          origin: bareProxy.ready.url,
          path: '/v1/chat/completions',
          headers: { authorization: `Bearer ${directKey}`, ...latencyHeaders },
          body: requestBody('bench-model', stream),
        }),
        // Portkey routes by headers: the OpenAI provider at the upstream's URL, the key passed through.
        portkey: portkey
          ? client({
              origin: portkey.ready.url,
              path: '/v1/chat/completions',
              headers: {
                authorization: `Bearer ${directKey}`,
                'x-portkey-provider': 'openai',
                'x-portkey-custom-host': upstream.ready.baseUrl,
                ...(paced ? { 'x-portkey-forward-headers': latencyHeaderName, ...latencyHeaders } : {}),
              },
              body: requestBody('bench-model', stream),
            })
          : undefined,
      };
    },
    helpers: () => [upstream, bareProxy, ...(portkey ? [portkey] : []), ...(dynalite ? [dynalite] : [])] as Child<unknown>[],
    async close() {
      for (const opened of openClients) opened.close();
      await gateway.stop();
      await bareProxy.stop();
      await portkey?.stop();
      await dynalite?.stop();
      await upstream.stop();
    },
  };
};
