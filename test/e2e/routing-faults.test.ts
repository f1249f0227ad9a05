import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import {
  completionBody,
  endSse,
  sendChunk,
  sendJson,
  sendUsageChunk,
  startFakeUpstream,
  startSse,
  type FakeUpstream,
  type UpstreamHandler,
} from '../support/fake-openai-upstream.js';
import { generateKey, openaiClient, recordingMetrics, startTestGateway } from '../support/gateway.js';

const ok: UpstreamHandler = (request, response) => {
  if (request.body.stream) {
    startSse(response);
    sendChunk(response, { role: 'assistant', content: '' });
    sendChunk(response, { content: 'fine' });
    sendChunk(response, {}, 'stop');
    sendUsageChunk(response);
    endSse(response);
  } else {
    sendJson(response, 200, completionBody({ content: 'fine' }, 'stop'));
  }
};

/** Answers the first `count` requests with `fault`, then like `ok`. */
const failingFirst = (count: number, fault: UpstreamHandler): UpstreamHandler => {
  let seen = 0;
  return (request, response) => (seen++ < count ? fault(request, response) : ok(request, response));
};

const serverError: UpstreamHandler = (_, response) => sendJson(response, 500, { error: { message: 'boom' } });
const reset: UpstreamHandler = (_, response) => {
  response.socket?.destroy();
};
const stall: UpstreamHandler = () => undefined;
const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('router: retries, cooldowns, fallbacks and timeouts against faulty upstreams', () => {
  const upstreams: Record<string, FakeUpstream> = {};
  const names = ['primary', 'second', 'fallback', 'wide'] as const;
  let gateway: LocalGateway;
  let client: OpenAI;
  const recorded = recordingMetrics();

  beforeAll(async () => {
    for (const name of names) upstreams[name] = await startFakeUpstream(ok);
    const entry = (name: string, upstream: string, extra = '') => `
  - name: ${name}
    provider: openai-compatible
    base_url: ${upstreams[upstream].baseUrl}
    model: ${upstream}-model
    timeout_ms: 400
    stream_idle_timeout_ms: 400${extra}`;
    gateway = await startTestGateway(
      `
models:${entry('single', 'primary')}${entry('pair', 'primary')}${entry('pair', 'second')}${entry('with-fallback', 'primary', '\n    fallbacks: [rescue]\n    context_window_fallbacks: [big-context]')}${entry('rescue', 'fallback')}${entry('big-context', 'wide')}
settings:
  router: { num_retries: 2, retry_base_ms: 5, retry_max_ms: 20, allowed_fails: 2, cooldown_seconds: 60 }
`,
      {},
      { metrics: recorded.metrics },
    );
    client = openaiClient(gateway, await generateKey(gateway));
  });

  beforeEach(() => {
    for (const name of names) {
      upstreams[name].setHandler(ok);
      upstreams[name].received.length = 0;
    }
  });

  afterAll(async () => {
    await gateway?.close();
    for (const upstream of Object.values(upstreams)) await upstream.close();
  });

  const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();

  it('retries a 500 and answers from the second attempt', async () => {
    upstreams.primary.setHandler(failingFirst(1, serverError));
    const retriesBefore = recorded.total('Retries', { model: 'single' });

    const { data } = await ask('single');

    expect(data.choices[0].message.content).toBe('fine');
    expect(upstreams.primary.received).toHaveLength(2);
    expect(recorded.total('Retries', { model: 'single' }) - retriesBefore).toBe(1);
  });

  it('retries a connection reset', async () => {
    upstreams.primary.setHandler(failingFirst(1, reset));
    await expect(ask('single')).resolves.toBeDefined();
    expect(upstreams.primary.received).toHaveLength(2);
  });

  it('waits as long as Retry-After says before retrying a 429', async () => {
    upstreams.primary.setHandler(
      failingFirst(1, (_, response: ServerResponse) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        response.end(JSON.stringify({ error: { message: 'slow down' } }));
      }),
    );
    const started = Date.now();
    await ask('single');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(upstreams.primary.received).toHaveLength(2);
  });

  it('gives up after the retries with the upstream error, not retrying a 400', async () => {
    upstreams.primary.setHandler(serverError);
    const exhausted = await ask('single').catch((error) => error);
    expect(exhausted.status).toBe(502);
    expect(upstreams.primary.received).toHaveLength(3);

    upstreams.primary.received.length = 0;
    upstreams.primary.setHandler((_, response) => sendJson(response, 400, { error: { message: 'bad input', type: 'invalid_request_error' } }));
    const invalid = await ask('single').catch((error) => error);
    expect(invalid.status).toBe(400);
    expect(upstreams.primary.received).toHaveLength(1);
  });

  it('times out a stalled upstream and retries', async () => {
    upstreams.primary.setHandler(failingFirst(1, stall));
    const started = Date.now();
    await expect(ask('single')).resolves.toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(upstreams.primary.received).toHaveLength(2);
  });

  it('cools down a deployment that keeps failing and sends traffic to the other', async () => {
    upstreams.primary.setHandler(serverError);
    const cooldownsBefore = recorded.total('Cooldowns', { model: 'pair' });

    for (let index = 0; index < 20; index += 1) await ask('pair');

    expect(upstreams.primary.received.length).toBeLessThanOrEqual(2);
    expect(upstreams.second.received.length).toBe(20);
    expect(recorded.total('Cooldowns', { model: 'pair' }) - cooldownsBefore).toBe(1);
  });

  it('falls back to the next model when every attempt fails, and says which model served', async () => {
    upstreams.primary.setHandler(serverError);
    const { data, response } = await ask('with-fallback');
    expect(data.choices[0].message.content).toBe('fine');
    expect(response.headers.get('x-tollway-model')).toBe('rescue');
    expect(response.headers.get('x-tollway-deployment')).toBe('fallback-model');
    expect(upstreams.fallback.received).toHaveLength(1);
  });

  it('uses context_window_fallbacks when the prompt is too long', async () => {
    upstreams.primary.setHandler((_, response) =>
      sendJson(response, 400, { error: { message: 'maximum context length exceeded', type: 'invalid_request_error', code: 'context_length_exceeded' } }),
    );
    const { response } = await ask('with-fallback');
    expect(response.headers.get('x-tollway-model')).toBe('big-context');
    expect(upstreams.primary.received).toHaveLength(1);
    expect(upstreams.fallback.received).toHaveLength(0);
  });

  it('retries a stream whose first byte is too slow, so the client sees one clean stream', async () => {
    upstreams.primary.setHandler(
      failingFirst(1, async (_, response) => {
        startSse(response);
        await delay(800);
        if (!response.destroyed) ok({ path: '', headers: {}, body: { stream: true } }, response);
      }),
    );
    const stream = await client.chat.completions.create({ model: 'single', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('fine');
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant')).toHaveLength(1);
    expect(upstreams.primary.received).toHaveLength(2);
  });

  it('never retries once the first byte has gone: a stream dying half-way ends with an error event', async () => {
    upstreams.primary.setHandler(async (_, response) => {
      startSse(response);
      sendChunk(response, { role: 'assistant', content: '' });
      sendChunk(response, { content: 'half' });
      await delay(50);
      response.socket?.destroy();
    });
    const stream = await client.chat.completions.create({ model: 'single', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((error) => error);
    expect(received.join('')).toBe('half');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(upstreams.primary.received).toHaveLength(1);
  });

  it('ends a stream that goes silent past the idle timeout with an error event', async () => {
    upstreams.primary.setHandler(async (_, response) => {
      startSse(response);
      sendChunk(response, { content: 'then silence' });
    });
    const stream = await client.chat.completions.create({ model: 'single', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const failure = await (async () => {
      for await (const chunk of stream) void chunk;
    })().catch((error) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String(failure.message)).toContain('sent nothing');
    expect(upstreams.primary.received).toHaveLength(1);
  });
});
