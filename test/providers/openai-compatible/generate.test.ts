import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { readFixtureJson, sendJson, startTestUpstream, type TestUpstream } from './test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Invent a holiday.' }] }] };

describe('OpenAICompatibleLanguageModel.generate', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({
      provider: 'openai',
      modelId: 'gpt-4.1-nano',
      baseUrl: upstream.baseUrl,
      generateId: () => 'call_generated',
    });
  });
  afterAll(() => upstream.close());

  it('returns the text, finish reason and usage of the recorded response', async () => {
    // Prepare
    const recorded = readFixtureJson('text.json') as { choices: [{ message: { content: string } }] };
    upstream.handle((_request, response) => sendJson(response, 200, recorded));

    // Act
    const result = await model.generate(request);

    // Assess
    expect(result).toStrictEqual({
      content: [{ type: 'text', text: recorded.choices[0].message.content }],
      finishReason: 'stop',
      usage: { inputTokens: 16, outputTokens: 363, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
    expect(result.content[0]).toMatchObject({ text: expect.stringContaining('**Holiday Name:** Galaxy Day') });
  });

  it('returns parallel tool calls and takes cached tokens out of the input tokens', async () => {
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('tool-calls.json')));

    const result = await model.generate(request);

    expect(result).toStrictEqual({
      content: [
        { type: 'tool-call', id: 'call_weatherParis03', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
        { type: 'tool-call', id: 'call_timeTokyo04', name: 'get_time', arguments: '{"timezone": "Asia/Tokyo"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 152, outputTokens: 58, cacheReadTokens: 1280, cacheWriteTokens: 0, reasoningTokens: 0 },
    });
  });

  it('puts reasoning first, from reasoning_content or reasoning', async () => {
    const answer = (message: Record<string, unknown>) => ({
      choices: [{ index: 0, message: { role: 'assistant', content: '4', ...message }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 20, completion_tokens_details: { reasoning_tokens: 15 } },
    });
    upstream.handle((_request, response) => sendJson(response, 200, answer({ reasoning_content: 'Two and two.' })));
    const deepSeekStyle = await model.generate(request);
    upstream.handle((_request, response) => sendJson(response, 200, answer({ reasoning: 'Two plus two.' })));
    const vllmStyle = await model.generate(request);

    expect(deepSeekStyle.content).toStrictEqual([
      { type: 'reasoning', text: 'Two and two.' },
      { type: 'text', text: '4' },
    ]);
    expect(vllmStyle.content[0]).toStrictEqual({ type: 'reasoning', text: 'Two plus two.' });
    expect(deepSeekStyle.usage).toStrictEqual({ inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 15 });
  });

  it('fills in what lenient servers leave out: usage, tool call ids, string arguments', async () => {
    upstream.handle((_request, response) =>
      sendJson(response, 200, {
        choices: [
          {
            message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_time', arguments: { timezone: 'UTC' } } }] },
            finish_reason: 'function_call',
          },
        ],
      }),
    );

    const result = await model.generate(request);

    expect(result).toStrictEqual({
      content: [{ type: 'tool-call', id: 'call_generated', name: 'get_time', arguments: '{"timezone":"UTC"}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('maps length and content_filter finish reasons', async () => {
    const finishing = (finishReason: string) => ({ choices: [{ message: { content: 'cut' }, finish_reason: finishReason }] });
    upstream.handle((_request, response) => sendJson(response, 200, finishing('length')));
    const truncated = await model.generate(request);
    upstream.handle((_request, response) => sendJson(response, 200, finishing('content_filter')));
    const filtered = await model.generate(request);

    expect(truncated.finishReason).toBe('length');
    expect(filtered.finishReason).toBe('content_filter');
  });
});
