import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, relayConfig, startTestGateway } from '../support/gateway.js';

describe('a non-streamed request the client abandons', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let tables: ReturnType<typeof inspector>;

  beforeAll(async () => {
    upstream = await startFakeUpstream(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      if (!response.destroyed) sendJson(response, 200, completionBody({ role: 'assistant', content: 'late' }, 'stop'));
    });
    gateway = await startTestGateway(relayConfig(upstream.baseUrl, { input: 1000, output: 2000 }));
    tables = inspector(gateway);
  });
  afterAll(async () => {
    tables?.close();
    await gateway?.close();
    await upstream?.close();
  });

  it('is billed for the prompt the upstream already read, and its hold is settled', async () => {
    // Prepare
    const key = await generateKey(gateway, { max_budget: 10 });

    // Act: the client leaves while the upstream is still working.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'relay', max_tokens: 50, messages: [{ role: 'user', content: 'a question the upstream has already read '.repeat(20) }] }),
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await gateway.settled();

    // Assess
    const keyId = hashKey(key);
    const [record] = (await tables.usageRecords()).filter((item) => item.key_id === keyId);
    const info = (await admin(gateway, 'GET', `/key/info?key=${keyId}`)).body.info;
    expect(record).toMatchObject({ outcome: 'client_disconnected', stream: false, output_tokens: 0 });
    expect(record.input_tokens).toBeGreaterThan(100);
    expect(record.cost_usd).toBeCloseTo((record.input_tokens * 1000) / 1e6, 9);
    expect(info.spend).toBeCloseTo(record.cost_usd, 9);
    expect(info.reserved_spend).toBe(0);
  });
});
