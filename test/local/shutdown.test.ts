/**
 * `npm start` processes over one shared DynamoDB (`TOLLWAY_DYNAMODB_ENDPOINT`),
 * stopped with streams in flight: SIGTERM settles every hold and writes
 * every usage record before the process exits; after SIGKILL, the holds it
 * left are reclaimed by another instance once they expire. Both with one hold
 * per request and with budget leases (where one lease holds for them all).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import { parseConfig } from '../../functions/core/config/load.js';
import { silentLogger } from '../../functions/core/logger.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { startLocalGateway } from '../../functions/local/local-gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { endSse, sendChunk, sendUsageChunk, startFakeUpstream, startSse, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { masterKey } from '../support/gateway.js';
import { exitOf, startGatewayProcess } from '../support/gateway-process.js';

describe.each([
  { mode: 'a hold per request', leases: false, strandedHolds: 3 },
  { mode: 'budget leases', leases: true, strandedHolds: 1 },
])('stopping a gateway with streams in flight ($mode)', ({ leases, strandedHolds }) => {
  let dynamo: LocalDynamoDB;
  let upstream: FakeUpstream;
  let folder: string;
  let configFile: string;
  let tables: ReturnType<typeof inspector>;
  const configYaml = (upstreamUrl: string) => `
models:
  - name: relay
    provider: openai-compatible
    base_url: ${upstreamUrl}
    model: relay-model
    price: { input_per_mtok: 100, output_per_mtok: 200 }
settings:
  hold_ttl_seconds: 2
  budget_leases: { enabled: ${leases} }
`;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:');
    // A slow stream: a chunk every 100 ms for 5 s.
    upstream = await startFakeUpstream(async (_request, response) => {
      startSse(response);
      sendChunk(response, { role: 'assistant', content: '' });
      for (let index = 0; index < 50 && !response.destroyed; index += 1) {
        sendChunk(response, { content: `part ${index} ` });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      sendChunk(response, {}, 'stop');
      sendUsageChunk(response, { prompt_tokens: 10, completion_tokens: 50 });
      endSse(response);
    });
    folder = mkdtempSync(join(tmpdir(), 'tollway-shutdown-'));
    configFile = join(folder, 'tollway.config.yaml');
    writeFileSync(configFile, configYaml(upstream.baseUrl));
    tables = inspector({ dynamoEndpoint: dynamo.endpoint, tableNames: dynamo.tableNames } as Parameters<typeof inspector>[0]);
  });

  afterAll(async () => {
    tables?.close();
    await upstream?.close();
    await dynamo?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const environment = () => ({ TOLLWAY_METRICS: 'off', TOLLWAY_CONFIG: configFile, TOLLWAY_DATA_DIR: join(folder, 'data'), TOLLWAY_MASTER_KEY: masterKey, TOLLWAY_DYNAMODB_ENDPOINT: dynamo.endpoint });

  const newKey = async (url: string) => {
    const response = await fetch(`${url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${masterKey}` }, body: JSON.stringify({ max_budget: 100 }) });
    return ((await response.json()) as { key: string }).key;
  };

  /** Starts `count` streams and resolves once each has its first content chunk; their bodies keep being read. */
  const openStreams = async (url: string, key: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'relay', stream: true, max_tokens: 100, messages: [{ role: 'user', content: `stream ${index}` }] }),
        });
        const reader = response.body!.getReader();
        await reader.read();
        void (async () => {
          try {
            while (!(await reader.read()).done);
          } catch {
            // cut off by the shutdown
          }
        })();
      }),
    );

  const ledgerOf = async (key: string) => {
    const keyId = hashKey(key);
    const counters = (await tables.budgetCounters()).filter((item) => String(item.pk).startsWith(`budget#key#${keyId}#`));
    return {
      records: (await tables.usageRecords()).filter((item) => item.key_id === keyId),
      holds: counters.flatMap((item) => Object.keys(item).filter((name) => name.startsWith('holds.'))),
      spend: counters.reduce((sum, item) => sum + Number(item.spend ?? 0), 0),
      committed: counters.reduce((sum, item) => sum + Number(item.committed ?? 0), 0),
    };
  };

  it('SIGTERM: settles every hold and writes every usage record before the process exits', async () => {
    // Prepare
    const gateway = await startGatewayProcess({ ...environment(), TOLLWAY_SHUTDOWN_GRACE_MS: '300' });
    const key = await newKey(gateway.url);
    await openStreams(gateway.url, key, 4);

    // Act
    gateway.child.kill('SIGTERM');
    const code = await exitOf(gateway.child);

    // Assess
    const ledger = await ledgerOf(key);
    expect(code).toBe(0);
    expect(ledger.records).toHaveLength(4);
    expect(ledger.records.map((record) => record.outcome)).toEqual(['client_disconnected', 'client_disconnected', 'client_disconnected', 'client_disconnected']);
    expect(ledger.holds).toEqual([]);
    expect(ledger.spend).toBeGreaterThan(0);
    expect(ledger.committed).toBeCloseTo(ledger.spend, 9);
    expect(ledger.spend).toBeCloseTo(ledger.records.reduce((sum, record) => sum + Number(record.cost_usd), 0), 9);
  }, 60_000);

  it('SIGKILL: another instance reclaims the holds the killed one left, once they expire', async () => {
    // Prepare: streams in flight on one process, killed without a chance to settle.
    const killed = await startGatewayProcess(environment());
    const key = await newKey(killed.url);
    await openStreams(killed.url, key, 3);
    killed.child.kill('SIGKILL');
    await exitOf(killed.child);
    const stranded = await ledgerOf(key);

    // Act: after hold_ttl_seconds, one request through another instance on the same ledger.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const other = await startLocalGateway({
      config: parseConfig(configYaml(upstream.baseUrl), 'other instance'),
      dataDir: ':memory:',
      dynamoEndpoint: dynamo.endpoint,
      port: 0,
      masterKey,
      environment: {},
      logger: silentLogger,
    });
    try {
      upstream.setHandler((_request, response) => {
        startSse(response);
        sendChunk(response, { role: 'assistant', content: 'quick' });
        sendChunk(response, {}, 'stop');
        sendUsageChunk(response, { prompt_tokens: 10, completion_tokens: 5 });
        endSse(response);
      });
      const response = await fetch(`${other.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'relay', stream: true, max_tokens: 100, messages: [{ role: 'user', content: 'after the crash' }] }),
      });
      await response.text();
      await other.settled();
    } finally {
      // Stopped, the other instance gives back what it leased itself.
      await other.close();
    }

    // Assess
    const ledger = await ledgerOf(key);
    expect(stranded.holds).toHaveLength(strandedHolds);
    expect(stranded.committed).toBeGreaterThan(0);
    expect(ledger.holds).toEqual([]);
    expect(ledger.committed).toBeCloseTo(ledger.spend, 9);
    expect(ledger.records).toHaveLength(1);
  }, 60_000);
});
