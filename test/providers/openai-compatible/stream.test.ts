import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPart } from '../../../functions/core/language-model.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { collect, readFixtureChunks, sendEvents, startTestUpstream, type TestUpstream } from './test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Invent a holiday.' }] }] };

const recordedStreamText = (): string =>
  readFixtureChunks('text.chunks.txt')
    .map((line) => JSON.parse(line) as { choices: { delta: { content?: string } }[] })
    .map((chunk) => chunk.choices[0]?.delta.content ?? '')
    .join('');

describe('OpenAICompatibleLanguageModel.stream', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({ provider: 'openai-compatible', modelId: 'gpt-4.1-nano', baseUrl: upstream.baseUrl });
  });
  afterAll(() => upstream.close());

  it('streams the recorded text as text deltas and finishes last, once, with usage', async () => {
    // Prepare
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('text.chunks.txt')));

    // Act
    const parts = await collect(await model.stream(request));

    // Assess
    const textParts = parts.slice(0, -1);
    expect(textParts.every((part) => part.type === 'text-delta')).toBe(true);
    expect(textParts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('')).toBe(recordedStreamText());
    expect(recordedStreamText()).toMatch(/^\*\*Holiday Name:\*\* Harmony Day/);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.at(-1)).toStrictEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 16, outputTokens: 300, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('streams two parallel tool calls by index, ends them when the choice finishes, then finishes with cached usage', async () => {
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('tool-calls.chunks.txt')));

    const parts = await collect(await model.stream(request));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'tool-call-start', index: 0, id: 'call_weatherParis01', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"ci' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ty": "Pa' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ris", "unit"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ': "celsius"}' },
      { type: 'tool-call-start', index: 1, id: 'call_timeTokyo02', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"timez' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: 'one": "Asia/' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: 'Tokyo"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        usage: { inputTokens: 152, outputTokens: 58, cacheReadTokens: 1280, cacheWriteTokens: 0, reasoningTokens: 0 },
      },
    ]);
    const argumentsOf = (index: number) =>
      parts.map((part) => (part.type === 'tool-call-delta' && part.index === index ? part.argumentsDelta : '')).join('');
    expect(JSON.parse(argumentsOf(0))).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(JSON.parse(argumentsOf(1))).toEqual({ timezone: 'Asia/Tokyo' });
  });

  it('streams reasoning_content as reasoning deltas before the text', async () => {
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('reasoning.chunks.txt')));

    const parts = await collect(await model.stream(request));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'reasoning-delta', text: 'The user asks 2+2.' },
      { type: 'reasoning-delta', text: ' That is 4.' },
      { type: 'text-delta', text: '2 + 2' },
      { type: 'text-delta', text: ' = 4.' },
      {
        type: 'finish',
        finishReason: 'stop',
        usage: { inputTokens: 12, outputTokens: 30, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 22 },
      },
    ]);
  });

  it('finishes a stream that ends after its finish reason without [DONE]', async () => {
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('text.chunks.txt').slice(0, -1), { done: false }));

    const parts = await collect(await model.stream(request));

    expect(parts.at(-1)).toStrictEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('accepts events split across network writes, comments and a charset in the content type', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      response.write(': keep-alive\n\n');
      response.write('data: {"choices":[{"index":0,"delta":{"content":"Hel');
      setTimeout(() => {
        response.write('lo"},"finish_reason":null}]}\n\ndata: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}\n\n');
        response.end('data: [DONE]\n\n');
      }, 20);
    });

    const parts = await collect(await model.stream(request));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'text-delta', text: 'Hello' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ]);
  });

  it('closes the upstream connection when the consumer stops reading early', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"choices":[{"index":0,"delta":{"content":"first"},"finish_reason":null}]}\n\n');
      // Never ends: only the client can close this stream.
    });

    for await (const part of await model.stream(request)) {
      expect(part).toStrictEqual({ type: 'text-delta', text: 'first' });
      break;
    }

    await expect(upstream.requests.at(-1)?.clientGone).resolves.toBeUndefined();
  });
});
