import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesStreamEvent } from '../../../functions/core/language-model.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { anthropicError, readChunksFixture, readResponseFixture, sendAnthropicEvents, sendJson, startTestUpstream, type TestUpstream } from './anthropic-test-helpers.js';

const body = {
  max_tokens: 1024,
  system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: 'hello' }],
  thinking: { type: 'enabled', budget_tokens: 2048 },
};

describe('AnthropicLanguageModel.messagesApi (the pass-through to Anthropic’s own Messages API)', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl, apiKey: async () => 'sk-ant-test' });
  });
  afterAll(() => upstream.close());

  it('posts the body with the entry’s model id, the key and the betas, and returns the message as Anthropic sent it', async () => {
    upstream.handle((_request, response) => sendJson(response, 200, JSON.parse(readResponseFixture('clear-thinking.1'))));

    const message = await model.messagesApi.create(body, { betas: ['interleaved-thinking-2025-05-14', 'mcp-client-2025-04-04'] });

    const sent = upstream.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(JSON.parse(sent.body)).toEqual({ ...body, model: 'claude-sonnet-4-5' });
    expect(sent.headers).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14,mcp-client-2025-04-04' });
    expect(message).toEqual(JSON.parse(readResponseFixture('clear-thinking.1')));
  });

  it('streams the recorded events through unchanged, ping included', async () => {
    upstream.handle((_request, response) => sendAnthropicEvents(response, readChunksFixture('clear-thinking.1')));

    const events: MessagesStreamEvent[] = [];
    for await (const event of await model.messagesApi.stream(body, { betas: [] })) events.push(event);

    expect(JSON.parse(upstream.requests.at(-1)!.body)).toMatchObject({ stream: true, model: 'claude-sonnet-4-5' });
    expect(upstream.requests.at(-1)!.headers).not.toHaveProperty('anthropic-beta');
    expect(events).toEqual(readChunksFixture('clear-thinking.1').map((line) => JSON.parse(line)));
  });

  it('fails the stream on an error event, as the error Anthropic named', async () => {
    const lines = readChunksFixture('text').slice(0, 2);
    upstream.handle((_request, response) => sendAnthropicEvents(response, [...lines, JSON.stringify(anthropicError('overloaded_error', 'Overloaded'))]));

    const events: MessagesStreamEvent[] = [];
    const failure = await (async () => {
      for await (const event of await model.messagesApi.stream(body, { betas: [] })) events.push(event);
    })().catch((error: unknown) => error);

    expect(events).toHaveLength(2);
    expect(failure).toMatchObject({ message: 'Overloaded', retryable: true });
    expect((failure as { status: number }).status).toBeGreaterThanOrEqual(500);
  });

  it('maps an HTTP error to the upstream error the route reports', async () => {
    upstream.handle((_request, response) => sendJson(response, 400, anthropicError('invalid_request_error', 'max_tokens: Field required')));
    await expect(model.messagesApi.create(body, { betas: [] })).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', message: 'max_tokens: Field required' });
  });

  it('counts tokens at /v1/messages/count_tokens, without max_tokens', async () => {
    upstream.handle((_request, response) => sendJson(response, 200, { input_tokens: 77 }));

    const counted = await model.messagesApi.countTokens(body, { betas: ['token-counting-2024-11-01'] });

    const sent = upstream.requests.at(-1)!;
    expect(counted).toBe(77);
    expect(sent.path).toBe('/v1/messages/count_tokens');
    const { max_tokens: _max, ...rest } = body;
    expect(JSON.parse(sent.body)).toEqual({ ...rest, model: 'claude-sonnet-4-5' });
    expect(sent.headers['anthropic-beta']).toBe('token-counting-2024-11-01');
  });
});
