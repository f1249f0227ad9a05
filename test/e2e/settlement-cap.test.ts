import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { completionBody, endSse, sendChunk, sendJson, sendUsageChunk, startFakeUpstream, startSse, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, recordingMetrics, relayConfig, startTestGateway } from '../support/gateway.js';

/** An upstream that reports three times the output tokens the request allowed. */
const overReporting = { prompt_tokens: 10, completion_tokens: 3 * 100 };

describe('settlement never exceeds the hold', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let tables: ReturnType<typeof inspector>;
  const metrics = recordingMetrics();

  beforeAll(async () => {
    upstream = await startFakeUpstream((request, response) => {
      if (!request.body.stream) return sendJson(response, 200, completionBody({ role: 'assistant', content: 'long answer' }, 'stop', overReporting));
      startSse(response);
      sendChunk(response, { role: 'assistant', content: 'long answer' });
      sendChunk(response, {}, 'stop');
      sendUsageChunk(response, overReporting);
      endSse(response);
    });
    // $0.01 per output token: a request with max_tokens 100 may cost at most about $1 of output.
    gateway = await startTestGateway(relayConfig(upstream.baseUrl, { input: 100, output: 10_000 }), {}, { metrics: metrics.metrics });
    tables = inspector(gateway);
  });

  afterAll(async () => {
    tables?.close();
    await gateway?.close();
    await upstream?.close();
  });

  const chat = (key: string, stream: boolean) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'relay', stream, max_tokens: 100, messages: [{ role: 'user', content: 'Tell me everything.' }] }),
    });

  it('charges the hold, not the over-reported cost: spend stays within max_budget, and the overage is recorded', async () => {
    // Prepare: a budget for about four worst cases.
    const key = await generateKey(gateway, { max_budget: 4.5 });

    // Act: more requests than fit if each were charged its reported $3.
    const statuses: number[] = [];
    for (const stream of [false, true, false, true, false, true]) {
      const response = await chat(key, stream);
      statuses.push(response.status);
      await response.text();
    }
    await gateway.settled();

    // Assess
    const keyId = hashKey(key);
    const info = (await admin(gateway, 'GET', `/key/info?key=${keyId}`)).body.info;
    const records = (await tables.usageRecords()).filter((item) => item.key_id === keyId);
    const accepted = statuses.filter((status) => status === 200).length;
    expect(accepted).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((status) => status !== 200).every((status) => status === 429)).toBe(true);
    expect(info.spend).toBeLessThanOrEqual(4.5);
    expect(info.reserved_spend).toBe(0);
    expect(records).toHaveLength(accepted);
    for (const record of records) {
      expect(record.cost_usd).toBeCloseTo((10 * 100 + 300 * 10_000) / 1e6, 9);
      expect(record.overage_usd).toBeGreaterThan(0);
      expect(record.cost_usd - record.overage_usd).toBeLessThan(record.cost_usd);
    }
    // The counter holds exactly what was charged: the reported cost less the overage.
    const charged = records.reduce((sum, record) => sum + record.cost_usd - record.overage_usd, 0);
    expect(info.spend).toBeCloseTo(charged, 9);
    expect(metrics.total('SettlementOverage', { model: 'relay' })).toBe(accepted);
  });

  it('charges an honest report in full, with no overage', async () => {
    upstream.setHandler((_request, response) => sendJson(response, 200, completionBody({ role: 'assistant', content: 'short' }, 'stop', { prompt_tokens: 10, completion_tokens: 20 })));
    const key = await generateKey(gateway, { max_budget: 4.5 });

    const response = await chat(key, false);
    await response.text();
    await gateway.settled();

    const [record] = (await tables.usageRecords()).filter((item) => item.key_id === hashKey(key));
    expect(record.cost_usd).toBeCloseTo((10 * 100 + 20 * 10_000) / 1e6, 9);
    expect(record.overage_usd).toBeUndefined();
    expect((await admin(gateway, 'GET', `/key/info?key=${hashKey(key)}`)).body.info.spend).toBeCloseTo(record.cost_usd, 9);
  });
});
