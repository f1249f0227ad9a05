import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
} from '../support/fake-openai-upstream.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('POST /v1/chat/completions through the local server', () => {
  let upstream: FakeUpstream;
  let gateway: LocalGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream((_, response) => sendJson(response, 500, { error: { message: 'no handler' } }));
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
  - name: upstream
    provider: openai-compatible
    base_url: ${upstream.baseUrl}
    model: upstream-model
    api_key: env:UPSTREAM_KEY
    price: { input_per_mtok: 3.0, output_per_mtok: 15.0, cache_read_per_mtok: 0.3 }
`, { UPSTREAM_KEY: 'upstream-secret' });
    client = openaiClient(gateway, await generateKey(gateway, { key_alias: 'chat-tests' }));
  });

  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it('answers a non-streamed echo completion with usage, cost and request id', async () => {
    const { data: completion, response } = await client.chat.completions
      .create({ model: 'echo', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello, Tollway!' }] })
      .withResponse();

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('echo');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'Hello, Tollway!' });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(4); // Hello | , | Tollway | !
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(5);
    expect(completion.usage?.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    const expectedCost = (completion.usage!.prompt_tokens * 1.0 + completion.usage!.completion_tokens * 2.0) / 1e6;
    expect(Number(response.headers.get('x-tollway-cost-usd'))).toBeCloseTo(expectedCost, 12);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(response.headers.get('x-tollway-overhead-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('streams echo chunk by chunk: role chunk, content deltas, finish chunk, usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: 'one two three four' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const contentDeltas = chunks.flatMap((chunk) => (chunk.choices[0]?.delta.content ? [chunk.choices[0].delta.content] : []));
    expect(contentDeltas).toEqual(['one', ' two', ' three', ' four']);
    const finishChunk = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishChunk?.choices[0].finish_reason).toBe('stop');
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.completion_tokens).toBe(4);
    expect((usageChunk.usage as unknown as { cost_usd: number }).cost_usd).toBeGreaterThan(0);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('leaves out the usage chunk when the client does not ask for it', async () => {
    const stream = await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.usage == null)).toBe(true);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('relays a non-streamed completion from an OpenAI-compatible upstream, with its key and usage', async () => {
    upstream.setHandler((_, response) =>
      sendJson(response, 200, completionBody({ content: 'Upstream says hi.' }, 'stop', { prompt_tokens: 20, completion_tokens: 4 })),
    );

    const completion = await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'hi' }], temperature: 0.3 });

    expect(completion.choices[0].message.content).toBe('Upstream says hi.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 });
    const sent = upstream.received[upstream.received.length - 1];
    expect(sent.headers.authorization).toBe('Bearer upstream-secret');
    expect(sent.body).toMatchObject({ model: 'upstream-model', temperature: 0.3, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('streams from an upstream as it produces, before the upstream has finished', async () => {
    let releaseRest!: () => void;
    const rest = new Promise<void>((resolve) => {
      releaseRest = resolve;
    });
    upstream.setHandler(async (_, response) => {
      startSse(response);
      sendChunk(response, { role: 'assistant', content: '' });
      sendChunk(response, { content: 'first' });
      await rest;
      sendChunk(response, { content: ' second' });
      sendChunk(response, {}, 'stop');
      sendUsageChunk(response, { prompt_tokens: 9, completion_tokens: 2 });
      endSse(response);
    });

    const stream = await client.chat.completions.create({
      model: 'upstream',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const iterator = stream[Symbol.asyncIterator]();
    let first = await iterator.next();
    while (!first.value.choices[0]?.delta.content) first = await iterator.next();
    expect(first.value.choices[0].delta.content).toBe('first');

    releaseRest();
    const remaining = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) remaining.push(next.value);
    expect(remaining.flatMap((chunk) => chunk.choices[0]?.delta.content ?? []).join('')).toBe(' second');
    expect(remaining[remaining.length - 1].usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 2 });
  });

  it('completes a tool call round trip: tool_calls, a tool message, then an answer', async () => {
    upstream.setHandler((request, response) => {
      const last = request.body.messages[request.body.messages.length - 1];
      if (last.role === 'tool') {
        sendJson(response, 200, completionBody({ content: `It is ${JSON.parse(last.content).temperature} degrees.` }, 'stop'));
      } else {
        sendJson(
          response,
          200,
          completionBody({ content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, 'tool_calls'),
        );
      }
    });
    const question = { role: 'user' as const, content: 'Weather in Paris?' };

    const first = await client.chat.completions.create({ model: 'upstream', messages: [question], tools: [weatherTool], tool_choice: 'auto' });
    const toolCall = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(toolCall).toMatchObject({ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(upstream.received[upstream.received.length - 1].body.tools[0].function.name).toBe('get_weather');

    const second = await client.chat.completions.create({
      model: 'upstream',
      tools: [weatherTool],
      messages: [question, first.choices[0].message, { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' }],
    });
    expect(second.choices[0].message.content).toBe('It is 21 degrees.');
    const sentHistory = upstream.received[upstream.received.length - 1].body.messages;
    expect(sentHistory[1].tool_calls[0]).toMatchObject({ id: 'call_1', function: { name: 'get_weather' } });
    expect(sentHistory[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
  });

  it('streams tool-call deltas with their index', async () => {
    upstream.setHandler((_, response) => {
      startSse(response);
      sendChunk(response, { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
      sendChunk(response, { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] });
      sendChunk(response, { tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] });
      sendChunk(response, { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] });
      sendChunk(response, {}, 'tool_calls');
      endSse(response);
    });

    const stream = await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'two cities' }], tools: [weatherTool], stream: true });
    const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { arguments: '' };
        call.id ??= delta.id;
        call.name ??= delta.function?.name;
        call.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }

    expect(finishReason).toBe('tool_calls');
    expect(calls.get(0)).toEqual({ id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(calls.get(1)).toEqual({ id: 'call_b', name: 'get_weather', arguments: '{"city":"Rome"}' });
  });

  it('lets echo call a required tool and then answer with the tool result', async () => {
    const first = await client.chat.completions.create({
      model: 'echo',
      messages: [{ role: 'user', content: '{"city":"Lima"}' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    const call = first.choices[0].message.tool_calls![0];
    if (call.type !== 'function') throw new Error(`expected a function call, got ${call.type}`);
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Lima"}' });

    const second = await client.chat.completions.create({
      model: 'echo',
      tools: [weatherTool],
      messages: [{ role: 'user', content: '{"city":"Lima"}' }, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny' }],
    });
    expect(second.choices[0].message.content).toBe('sunny');
  });

  it('passes an upstream error through with its status and the OpenAI envelope', async () => {
    upstream.setHandler((_, response) =>
      sendJson(response, 400, { error: { message: 'This model maximum context length is 10 tokens', type: 'invalid_request_error', code: 'context_length_exceeded' } }),
    );

    const error = await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'long' }] }).catch((caught) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('maximum context length');
    expect(error.code).toBe('context_length_exceeded');
  });

  it('answers 502 with the envelope when the upstream fails', async () => {
    upstream.setHandler((_, response) => sendJson(response, 503, { error: { message: 'overloaded' } }));

    const error = await client.chat.completions.create({ model: 'upstream', messages: [{ role: 'user', content: 'x' }] }).catch((caught) => caught);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);
    expect(error.type).toBe('upstream_error');
  });

  it('lists the models a key may use', async () => {
    const all = await client.models.list();
    expect(all.data.map((model) => model.id)).toEqual(['echo', 'upstream']);

    const restricted = openaiClient(gateway, await generateKey(gateway, { models: ['echo'] }));
    const some = await restricted.models.list();
    expect(some.data.map((model) => model.id)).toEqual(['echo']);
    expect(some.data[0]).toMatchObject({ object: 'model', owned_by: 'echo' });
  });

  describe('errors use the OpenAI envelope', () => {
    it('400 for a request without messages, naming the field', async () => {
      const error = await client.chat.completions.create({ model: 'echo' } as never).catch((caught) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe('messages');
      expect(error.type).toBe('invalid_request_error');
    });

    it('400 for malformed JSON', async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
        body: '{"model": "echo", "messages": [',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { message: 'Request body is not valid JSON.', type: 'invalid_request_error', param: null, code: 'invalid_json' } });
    });

    it('400 for an image that is not a data: URL', async () => {
      const error = await client.chat.completions
        .create({ model: 'echo', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://169.254.169.254/x.png' } }] }] })
        .catch((caught) => caught);
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[0].content[0].image_url.url');
    });

    it('401 without a key and with an unknown key', async () => {
      const missing = await fetch(`${gateway.url}/v1/models`);
      expect(missing.status).toBe(401);
      expect((await missing.json()).error.type).toBe('authentication_error');

      const unknown = await openaiClient(gateway, 'sk-not-a-real-key').models.list().catch((caught) => caught);
      expect(unknown).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(unknown.code).toBe('invalid_api_key');
    });

    it('401 for expired, blocked and deleted keys', async () => {
      const expired = await generateKey(gateway, { expires: '2020-01-01T00:00:00Z' });
      const blocked = await generateKey(gateway, { blocked: true });
      const deleted = await generateKey(gateway);
      expect((await admin(gateway, 'POST', '/key/delete', { keys: [deleted] })).status).toBe(200);

      for (const [key, message] of [
        [expired, 'expired'],
        [blocked, 'blocked'],
        [deleted, 'Invalid'],
      ]) {
        const error = await openaiClient(gateway, key).models.list().catch((caught) => caught);
        expect(error.status).toBe(401);
        expect(error.message).toContain(message);
      }
    });

    it('403 for a model outside the key allowlist', async () => {
      const restricted = openaiClient(gateway, await generateKey(gateway, { models: ['upstream'] }));
      const error = await restricted.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'x' }] }).catch((caught) => caught);
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect(error.code).toBe('model_not_allowed');
    });

    it('404 for an unknown model and an unknown route', async () => {
      const unknownModel = await client.chat.completions.create({ model: 'gpt-17', messages: [{ role: 'user', content: 'x' }] }).catch((caught) => caught);
      expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError);
      expect(unknownModel.code).toBe('model_not_found');

      const unknownRoute = await fetch(`${gateway.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${client.apiKey}` } });
      expect(unknownRoute.status).toBe(404);
      expect((await unknownRoute.json()).error.code).toBe('route_not_found');
    });

    it('405 with Allow for a known path under the wrong method', async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${client.apiKey}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    it('413 for a body over the size limit', async () => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x'.repeat(7 * 1024 * 1024) }] }),
      });
      expect(response.status).toBe(413);
      expect((await response.json()).error.code).toBe('request_too_large');
    });
  });
});
