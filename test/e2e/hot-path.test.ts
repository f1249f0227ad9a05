import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGatewayBehindDynamoProxy, type DynamoCall, type ProxiedGateway } from '../support/dynamo-fault-proxy.js';
import { completionBody, sendJson, startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, openaiClient } from '../support/gateway.js';

describe('the hot path before the upstream call', () => {
  let upstream: FakeUpstream;
  let gateway: ProxiedGateway;
  // Every DynamoDB call the gateway makes, timed where it meets DynamoDB: at a proxy in front of dynalite.
  let calls: DynamoCall[] = [];
  const upstreamArrivals: number[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream((_, response) => {
      upstreamArrivals.push(performance.now());
      sendJson(response, 200, completionBody({ content: 'ok' }, 'stop'));
    });
    gateway = await startTestGatewayBehindDynamoProxy(`
models:
  - name: upstream
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: m
    price: { input_per_mtok: 1, output_per_mtok: 2 }
`);
    calls = gateway.dynamoProxy.calls;
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('makes at most one parallel round of DynamoDB calls before the upstream, with budgets and rate limits on key and team', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'hot-team', max_budget: 10, rpm_limit: 1000, tpm_limit: 1_000_000 });
    const client = openaiClient(gateway, await generateKey(gateway, { team_id: 'hot-team', max_budget: 5, rpm_limit: 1000, tpm_limit: 1_000_000 }));
    await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'warm the key cache' }] });
    await gateway.settled();

    for (let round = 0; round < 3; round += 1) {
      calls.length = 0;
      upstreamArrivals.length = 0;
      await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: `round ${round}` }] });
      await gateway.settled();

      const before = calls.filter((call) => call.startedAt < upstreamArrivals[0]);
      const after = calls.filter((call) => call.startedAt >= upstreamArrivals[0]);
      // key budget, key rate window, team budget, team rate window: all issued together
      expect(before.map((call) => call.operation).sort()).toEqual(['UpdateItem', 'UpdateItem', 'UpdateItem', 'UpdateItem']);
      const lastStart = Math.max(...before.map((call) => call.startedAt));
      const firstEnd = Math.min(...before.map((call) => call.endedAt));
      expect(lastStart).toBeLessThan(firstEnd); // one round trip: every call started before any returned
      expect(before.every((call) => call.endedAt <= upstreamArrivals[0])).toBe(true);
      // settlement (key, team, and the team/key token corrections) and the usage record come after
      expect(after.map((call) => call.operation)).toContain('PutItem');
    }
  });

  it('makes no DynamoDB call before the upstream for a key without limits once cached', async () => {
    const client = openaiClient(gateway, await generateKey(gateway));
    await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'warm' }] });
    await gateway.settled();
    calls.length = 0;
    upstreamArrivals.length = 0;

    await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'again' }] });
    await gateway.settled();

    expect(calls.filter((call) => call.startedAt < upstreamArrivals[0])).toEqual([]);
    expect(calls.length).toBeGreaterThan(0);
  });
});
