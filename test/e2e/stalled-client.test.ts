import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { admin, generateKey, startTestGateway } from '../support/gateway.js';

describe('a client that stops reading a stream', () => {
  let gateway: LocalGateway;
  let tables: ReturnType<typeof inspector>;

  beforeAll(async () => {
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
settings:
  router: { default_stream_idle_timeout_ms: 500 }
`);
    tables = inspector(gateway);
  });
  afterAll(async () => {
    tables?.close();
    await gateway?.close();
  });

  it('is cut off after the stream idle timeout: the stream ends, its hold is settled and its usage recorded', async () => {
    // Prepare: an answer far larger than the socket buffers, so the gateway has to wait for the reader.
    const key = await generateKey(gateway, { max_budget: 100 });
    const body = JSON.stringify({ model: 'echo', stream: true, max_tokens: 1_000_000, messages: [{ role: 'user', content: 'word '.repeat(400_000) }] });

    // Act: read the headers, then nothing (a paused socket does not even see the gateway hang up).
    const startedAt = performance.now();
    const outgoing = request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    outgoing.once('response', (incoming) => incoming.pause());
    outgoing.once('error', () => undefined);
    outgoing.end(body);
    const keyId = hashKey(key);
    let records: Record<string, any>[] = [];
    while (records.length === 0 && performance.now() - startedAt < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      records = (await tables.usageRecords()).filter((item) => item.key_id === keyId);
    }
    const cutAfterMs = performance.now() - startedAt;
    outgoing.destroy();
    await gateway.settled();

    // Assess
    const [record] = records;
    const info = (await admin(gateway, 'GET', `/key/info?key=${keyId}`)).body.info;
    expect(cutAfterMs).toBeLessThan(30_000);
    expect(record).toMatchObject({ outcome: 'client_disconnected', stream: true });
    expect(info.reserved_spend).toBe(0);
    expect(info.spend).toBeGreaterThan(0);
  }, 60_000);
});
