import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import {
  completionBody,
  endSse,
  sendChunk,
  sendJson,
  sendUsageChunk,
  startFakeUpstream,
  startSse,
  type FakeUpstream,
  type ReceivedRequest,
} from '../support/fake-openai-upstream.js';
import { admin, generateKey } from '../support/gateway.js';
import {
  appliedThenDropped,
  connectionReset,
  hang,
  injectDynamoFaults,
  inspector,
  startTestGatewayBehindDynamoProxy,
  throttled,
  type DynamoCall,
  type ProxiedGateway,
} from '../support/dynamo-fault-proxy.js';
import { isErrorEnvelope, probe, reportFigures } from './support/probe.js';

const timeoutMs = 1_000;
const idleTimeoutMs = 700;

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

const answerWell: Handler = (request, response) => {
  if (request.body.stream) {
    startSse(response);
    sendChunk(response, { role: 'assistant', content: '' });
    sendChunk(response, { content: 'all good' });
    sendChunk(response, {}, 'stop');
    sendUsageChunk(response);
    endSse(response);
  } else {
    sendJson(response, 200, completionBody({ content: 'all good' }, 'stop'));
  }
};

const partialStream = (response: ServerResponse) => {
  startSse(response);
  sendChunk(response, { role: 'assistant', content: '' });
  sendChunk(response, { content: 'the first words of a longer answer' });
};

/** Upstream misbehaviour, each tried on a plain and a streamed request. */
const upstreamFaults: Array<{ name: string; handler: Handler; plain: number; stream: number | 'error-event' }> = [
  { name: 'connection reset before answering', handler: (_, response) => response.socket?.destroy(), plain: 502, stream: 502 },
  { name: 'stall before the headers', handler: () => undefined, plain: 504, stream: 504 },
  {
    name: 'garbage JSON body',
    handler: (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id": "chatcmpl-1", "choices": [{{{ not json');
    },
    plain: 502,
    stream: 502,
  },
  {
    name: 'HTML page with status 200',
    handler: (_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Welcome to nginx!</body></html>');
    },
    plain: 502,
    stream: 502,
  },
  { name: 'JSON of the wrong shape', handler: (_, response) => sendJson(response, 200, { status: 'ok' }), plain: 502, stream: 502 },
  {
    name: 'JSON completion to a stream request',
    handler: (_, response) => sendJson(response, 200, completionBody({ content: 'not streamed' }, 'stop')),
    plain: 200,
    stream: 502,
  },
  {
    name: 'empty 200',
    handler: (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end();
    },
    plain: 502,
    stream: 502,
  },
  {
    name: 'body shorter than its content-length, then reset',
    handler: (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      response.write('{"id":"chatcmpl-1","object":"chat.completion","choices":[');
      setTimeout(() => response.socket?.destroy(), 20);
    },
    plain: 502,
    stream: 502,
  },
  {
    name: 'HTML 500',
    handler: (_, response) => {
      response.writeHead(500, { 'content-type': 'text/html' });
      response.end('<html>Internal Server Error</html>');
    },
    plain: 502,
    stream: 502,
  },
  {
    name: 'reset mid-stream',
    handler: (request, response) => {
      if (!request.body.stream) return response.socket?.destroy();
      partialStream(response);
      setTimeout(() => response.socket?.destroy(), 20);
    },
    plain: 502,
    stream: 'error-event',
  },
  {
    name: 'stall mid-stream',
    handler: (request, response) => {
      if (!request.body.stream) return undefined;
      partialStream(response);
    },
    plain: 504,
    stream: 'error-event',
  },
  {
    name: 'garbage SSE event mid-stream',
    handler: (request, response) => {
      if (!request.body.stream) return sendJson(response, 200, completionBody({ content: 'fine' }, 'stop'));
      partialStream(response);
      response.end('data: {"choices": [nope\n\n');
    },
    plain: 200,
    stream: 'error-event',
  },
  {
    name: 'stream cut without finish or [DONE]',
    handler: (request, response) => {
      if (!request.body.stream) return sendJson(response, 200, completionBody({ content: 'fine' }, 'stop'));
      partialStream(response);
      response.end();
    },
    plain: 200,
    stream: 'error-event',
  },
  {
    name: 'error event mid-stream',
    handler: (request, response) => {
      if (!request.body.stream) return sendJson(response, 503, { error: { message: 'overloaded' } });
      partialStream(response);
      response.end('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n');
    },
    plain: 502,
    stream: 'error-event',
  },
];

/** The `data:` payloads of an SSE body. */
const sseEvents = (text: string) =>
  text
    .split('\n\n')
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));

describe('faults: upstreams that misbehave and a DynamoDB that fails', () => {
  let upstream: FakeUpstream;
  let gateway: ProxiedGateway;
  let tables: ReturnType<typeof inspector>;
  let faults: ReturnType<typeof injectDynamoFaults>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  /** Request ids that reached a model, so must each have a usage record. */
  const metered = new Map<string, string>();
  const figures = { upstreamFaultsInjected: 0, dynamoFaultsInjected: 0, survived: 0, usageRecordsExpected: 0, usageRecordsLost: 0, reservationsLeft: 0 };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    upstream = await startFakeUpstream(answerWell);
    gateway = await startTestGatewayBehindDynamoProxy(`
models:
  - name: relay
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: relay-model
    timeout_ms: ${timeoutMs}
    stream_idle_timeout_ms: ${idleTimeoutMs}
    price: { input_per_mtok: 100, output_per_mtok: 200 }
settings:
  key_cache_ttl_seconds: 0
  router: { num_retries: 0, allowed_fails: 1000, cooldown_seconds: 1 }
`);
    faults = injectDynamoFaults(gateway);
    tables = inspector(gateway);
  });

  afterEach(() => {
    faults.clear();
    upstream.setHandler(answerWell);
    expect(unhandled).toEqual([]);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    tables?.close();
    await gateway?.close();
    await upstream?.close();
    figures.dynamoFaultsInjected = faults?.injected.length ?? 0;
    figures.usageRecordsExpected = metered.size;
    reportFigures('faults', { ...figures, unhandledRejections: unhandled.length });
  });

  const chat = async (key: string, stream: boolean, label: string) => {
    const answer = await probe(
      `${gateway.url}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'relay', stream, max_tokens: 50, messages: [{ role: 'user', content: `please answer (${label})` }] }),
      },
      10_000,
    );
    return { ...answer, requestId: answer.headers.get('x-request-id') ?? '' };
  };

  /** After settlement: every metered request has its record, and the key holds no reservation; spend equals the recorded costs. */
  const expectBooksBalanced = async (key: string) => {
    await gateway.settled();
    const keyId = hashKey(key);
    const records = (await tables.usageRecords()).filter((item) => item.key_id === keyId);
    const recorded = new Set(records.map((item) => item.request_id));
    const expected = [...metered].filter(([, owner]) => owner === key).map(([requestId]) => requestId);
    const lost = expected.filter((requestId) => !recorded.has(requestId));
    figures.usageRecordsLost += lost.length;
    expect(lost, 'metered requests without a usage record').toEqual([]);
    expect(records).toHaveLength(expected.length);
    const counters = (await tables.budgetCounters()).filter((item) => String(item.pk).startsWith(`budget#key#${keyId}#`));
    const spend = counters.reduce((sum, item) => sum + Number(item.spend ?? 0), 0);
    const committed = counters.reduce((sum, item) => sum + Number(item.committed ?? 0), 0);
    const recordedCost = records.reduce((sum, item) => sum + Number(item.cost_usd), 0);
    if (Math.abs(committed - spend) > 1e-9) figures.reservationsLeft += 1;
    expect(committed - spend).toBeCloseTo(0, 9);
    expect(spend).toBeCloseTo(recordedCost, 9);
    const info = (await admin(gateway, 'GET', `/key/info?key=${keyId}`)).body.info;
    expect(info.reserved_spend).toBe(0);
    expect(info.period_requests).toBe(expected.length);
  };

  describe('upstream faults', () => {
    let key: string;
    beforeAll(async () => {
      key = await generateKey(gateway, { key_alias: 'upstream-faults', max_budget: 50 });
    });

    for (const fault of upstreamFaults) {
      it(`${fault.name}: a clean error (plain ${fault.plain}, stream ${fault.stream}), a usage record and a settled reservation`, async () => {
        upstream.setHandler(fault.handler);
        figures.upstreamFaultsInjected += 2;

        const plain = await chat(key, false, fault.name);
        metered.set(plain.requestId, key);
        expect(plain.status, plain.text).toBe(fault.plain);
        if (fault.plain !== 200) expect(isErrorEnvelope(plain.json), plain.text).toBe(true);

        const streamed = await chat(key, true, fault.name);
        metered.set(streamed.requestId, key);
        if (fault.stream === 'error-event') {
          expect(streamed.status).toBe(200);
          const events = sseEvents(streamed.text);
          expect(events.length).toBeGreaterThan(1);
          expect(events.at(-1)).not.toBe('[DONE]');
          const last = JSON.parse(events.at(-1)!);
          expect(isErrorEnvelope(last), streamed.text).toBe(true);
          expect(last.error.type).toMatch(/upstream_error|timeout_error/);
        } else {
          expect(streamed.status, streamed.text).toBe(fault.stream);
          expect(isErrorEnvelope(streamed.json), streamed.text).toBe(true);
        }
        figures.survived += 2;
      });
    }

    it('records partial streams with the tokens generated so far, and balances the books', async () => {
      await expectBooksBalanced(key);
      const keyId = hashKey(key);
      const partial = (await tables.usageRecords()).filter((item) => item.key_id === keyId && item.stream && item.outcome === 'error' && item.status === 200);
      expect(partial.length).toBe(upstreamFaults.filter((fault) => fault.stream === 'error-event').length);
      for (const record of partial) {
        expect(record.output_tokens, JSON.stringify(record)).toBeGreaterThan(0);
        expect(record.cost_usd).toBeGreaterThan(0);
        expect(record.error_code).toBeTruthy();
      }
    });

    it('records a stream the client abandons half-way as client_disconnected and releases its reservation', async () => {
      upstream.setHandler((_, response) => {
        partialStream(response);
        const timer = setInterval(() => sendChunk(response, { content: ' more' }), 20);
        response.once('close', () => clearInterval(timer));
      });
      const abandon = new AbortController();
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'relay', stream: true, max_tokens: 500, messages: [{ role: 'user', content: 'go on and on' }] }),
        signal: abandon.signal,
      });
      metered.set(response.headers.get('x-request-id') ?? '', key);
      const reader = response.body!.getReader();
      await reader.read();
      await reader.read();
      abandon.abort();
      figures.upstreamFaultsInjected += 1;
      await expect.poll(async () => {
        await gateway.settled();
        return (await tables.usageRecords()).find((item) => item.request_id === response.headers.get('x-request-id'))?.outcome;
      }).toBe('client_disconnected');
      figures.survived += 1;
      await expectBooksBalanced(key);
    });
  });

  describe('DynamoDB faults', () => {
    it('hides transient throttling on every table, and connection resets on the keys and usage tables, behind retries', async () => {
      const key = await generateKey(gateway, { key_alias: 'transient', max_budget: 50, rpm_limit: 1000 });
      // The first attempt of every call fails; the retry goes through. A budget write is only ever
      // throttled here: one whose connection drops may have been applied, and is not sent again (below).
      let count = 0;
      faults.set((call) => {
        if (call.attempt !== 1) return undefined;
        if (call.table === gateway.tableNames.budgets) return throttled();
        return count++ % 2 === 0 ? throttled() : connectionReset();
      });
      for (const stream of [false, true, false, true]) {
        const answer = await chat(key, stream, 'transient');
        expect(answer.status, answer.text).toBe(200);
        if (stream) expect(sseEvents(answer.text).at(-1)).toBe('[DONE]');
        metered.set(answer.requestId, key);
        figures.survived += 1;
      }
      await gateway.settled();
      expect(new Set(faults.injected.map((call) => call.table))).toEqual(new Set([gateway.tableNames.keys, gateway.tableNames.budgets, gateway.tableNames.usage]));
      faults.clear();
      await expectBooksBalanced(key);
    });

    /** The key's budget counter: what DynamoDB holds as spent and as committed (spent plus held). */
    const budgetOf = async (key: string) => {
      const counters = (await tables.budgetCounters()).filter((item) => String(item.pk).startsWith(`budget#key#${hashKey(key)}#`));
      return { spend: counters.reduce((sum, item) => sum + Number(item.spend ?? 0), 0), committed: counters.reduce((sum, item) => sum + Number(item.committed ?? 0), 0) };
    };
    const isSettlement = (call: DynamoCall) => call.operation === 'UpdateItem' && call.table === gateway.tableNames.budgets && /\bspend\b/.test(call.updateExpression ?? '');
    const isReservation = (call: DynamoCall) =>
      call.operation === 'UpdateItem' && call.table === gateway.tableNames.budgets && call.key?.pk?.S?.startsWith('budget#') === true && !isSettlement(call);

    it.each([
      { write: 'hold', isTarget: (call: DynamoCall) => isReservation(call) },
      { write: 'settlement', isTarget: (call: DynamoCall) => isSettlement(call) },
    ])('never applies a $write twice when DynamoDB applied it and the answer was lost: the retry finds it done', async ({ write, isTarget }) => {
      // Prepare
      const key = await generateKey(gateway, { key_alias: `applied-${write}`, max_budget: 50 });
      const ofKey = (call: DynamoCall) => isTarget(call) && call.key?.pk?.S?.includes(hashKey(key)) === true;
      let dropped = 0;
      faults.set((call) => (ofKey(call) && dropped++ === 0 ? appliedThenDropped() : undefined));
      faults.calls.length = 0;

      // Act
      const answer = await chat(key, false, `applied ${write}`);
      await gateway.settled();

      // Assess: a clean success, the write sent twice (the retry), applied once: the books are exact.
      expect(answer.status, answer.text).toBe(200);
      metered.set(answer.requestId, key);
      expect(faults.injected.filter(ofKey)).toHaveLength(1);
      expect(faults.calls.filter(ofKey)).toHaveLength(2);
      faults.clear();
      figures.survived += 1;
      await expectBooksBalanced(key);
      const [record] = (await tables.usageRecords()).filter((item) => item.request_id === answer.requestId);
      expect(Number(record.cost_usd)).toBeGreaterThan(0);
      expect(await budgetOf(key)).toEqual({ spend: expect.closeTo(Number(record.cost_usd), 9), committed: expect.closeTo(Number(record.cost_usd), 9) });
    });

    it.each([
      { table: 'budgets' as const, operation: 'UpdateItem', code: 'limits_unavailable' },
      { table: 'keys' as const, operation: 'GetItem', code: 'keys_unavailable' },
    ])('answers 503 $code within the 2 s deadline when a $operation on the $table table hangs', async ({ table, operation, code }) => {
      // Prepare
      const key = await generateKey(gateway, { key_alias: `hang-${table}`, max_budget: 50 });
      const calls = upstream.received.length;
      faults.set((call) => (call.operation === operation && call.table === gateway.tableNames[table] ? hang() : undefined));

      // Act
      const startedAt = performance.now();
      const answer = await chat(key, false, `hang ${table}`);
      const elapsedMs = performance.now() - startedAt;

      // Assess
      expect(answer.status, answer.text).toBe(503);
      expect(answer.json).toMatchObject({ error: { code, type: 'server_error' } });
      expect(elapsedMs).toBeGreaterThan(1_900);
      expect(elapsedMs).toBeLessThan(4_000);
      expect(upstream.received.length).toBe(calls);
      faults.clear();
      figures.survived += 1;
    });

    it('answers 503 limits_unavailable before the upstream when budget counters cannot be updated, releasing what was reserved', async () => {
      await admin(gateway, 'POST', '/team/new', { team_id: 'down-team', max_budget: 100 });
      const key = await generateKey(gateway, { key_alias: 'limits-down', team_id: 'down-team', max_budget: 50 });
      const calls = upstream.received.length;
      // Only the team's counter is down: the key's reservation succeeds and must be given back.
      faults.set((call) => (call.operation === 'UpdateItem' && call.key?.pk?.S?.startsWith('budget#team#down-team') ? throttled() : undefined));

      const answer = await chat(key, true, 'limits down');

      expect(answer.status, answer.text).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'limits_unavailable', type: 'server_error' } });
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(upstream.received.length).toBe(calls);
      faults.clear();
      await expectBooksBalanced(key);
      figures.survived += 1;

      const after = await chat(key, false, 'limits back');
      expect(after.status).toBe(200);
      metered.set(after.requestId, key);
      await expectBooksBalanced(key);
    });

    it('answers 503 keys_unavailable when the keys table cannot be read, and recovers when it can', async () => {
      const key = await generateKey(gateway, { key_alias: 'keys-down' });
      faults.set((call) => (call.operation === 'GetItem' && call.table === gateway.tableNames.keys ? connectionReset() : undefined));

      const answer = await chat(key, false, 'keys down');

      expect(answer.status, answer.text).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 'keys_unavailable', type: 'server_error' } });
      expect(answer.headers.get('retry-after')).toBe('1');
      faults.clear();
      const after = await chat(key, false, 'keys back');
      expect(after.status).toBe(200);
      metered.set(after.requestId, key);
      figures.survived += 1;
      await expectBooksBalanced(key);
    });

    it('answers the client while the usage table throttles writes, and the record still lands after the retry', async () => {
      const key = await generateKey(gateway, { key_alias: 'usage-throttled', max_budget: 50 });
      faults.set((call) => (call.operation === 'PutItem' && call.table === gateway.tableNames.usage && call.attempt === 1 ? throttled() : undefined));
      const answer = await chat(key, true, 'usage throttled');
      expect(answer.status).toBe(200);
      metered.set(answer.requestId, key);
      figures.survived += 1;
      await expectBooksBalanced(key);
    });
  });
});
