import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../../functions/core/language-model.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { collect, readFixtureChunks, readFixtureJson, sendEvents, sendJson, startTestUpstream, type TestUpstream } from './test-upstream.js';

const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the request the openai-compatible provider sends', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;
  let apiKeyCalls = 0;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({
      provider: 'openai-compatible',
      modelId: 'llama3.2',
      baseUrl: `${upstream.baseUrl}/`,
      apiKey: async () => {
        apiKeyCalls += 1;
        return 'sk-upstream-test';
      },
      headers: async () => ({ 'x-team': 'platform', Authorization: 'Bearer override-wins' }),
    });
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('text.json')));
  });

  const generateAndCapture = async (request: ModelRequest) => {
    await model.generate(request);
    return upstream.lastBody();
  };

  it('translates messages, tools and every option into the Chat Completions body', async () => {
    // Prepare
    const request: ModelRequest = {
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'I should call the tool.', signature: 'sig' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        { role: 'tool', toolCallId: 'call_1', content: '{"celsius":21}' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'And what is in this picture?' },
            { type: 'image', mediaType: 'image/png', data: pngBytes },
          ],
        },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
        { name: 'get_time', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { name: 'get_weather' },
      parallelToolCalls: false,
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stop: ['\n\n', 'END'],
      responseFormat: {
        type: 'json_schema',
        name: 'weather',
        description: 'A weather report',
        schema: { type: 'object', properties: { celsius: { type: 'number' } } },
        strict: true,
      },
      reasoningEffort: 'low',
      user: 'user-42',
    };

    // Act
    const body = await generateAndCapture(request);

    // Assess
    expect(body).toStrictEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'And what is in this picture?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(pngBytes).toString('base64')}` } },
          ],
        },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      max_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['\n\n', 'END'],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'weather',
          description: 'A weather report',
          schema: { type: 'object', properties: { celsius: { type: 'number' } } },
          strict: true,
        },
      },
      reasoning_effort: 'low',
      user: 'user-42',
    });
  });

  it('sends only model and messages when nothing else is set', async () => {
    const body = await generateAndCapture({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });

    expect(body).toStrictEqual({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] });
  });

  it.each(['auto', 'none', 'required'] as const)('passes tool_choice %s through as a string', async (toolChoice) => {
    const body = await generateAndCapture({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [{ name: 'get_time', parameters: { type: 'object' } }],
      toolChoice,
    });

    expect(body.tool_choice).toBe(toolChoice);
  });

  it('leaves tool_choice and parallel_tool_calls out when there are no tools', async () => {
    const body = await generateAndCapture({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [],
      toolChoice: 'required',
      parallelToolCalls: true,
    });

    expect(Object.keys(body).sort()).toEqual(['messages', 'model']);
  });

  it('sends json_object as is and leaves the default text format out', async () => {
    const jsonBody = await generateAndCapture({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'JSON please' }] }],
      responseFormat: { type: 'json_object' },
    });
    const textBody = await generateAndCapture({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Text please' }] }],
      responseFormat: { type: 'text' },
      stop: [],
    });

    expect(jsonBody.response_format).toEqual({ type: 'json_object' });
    expect(textBody).not.toHaveProperty('response_format');
    expect(textBody).not.toHaveProperty('stop');
  });

  it('sends a text-only multi-part user message as parts, and an assistant turn without tool calls as text', async () => {
    const body = await generateAndCapture({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'hmm' }, { type: 'text', text: 'three' }] },
      ],
    });

    expect(body.messages).toStrictEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: 'three' },
    ]);
  });

  it('asks for a stream with usage when streaming', async () => {
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('text.chunks.txt')));

    await collect(await model.stream({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], maxOutputTokens: 10 }));

    expect(upstream.lastBody()).toStrictEqual({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 10,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(upstream.requests.at(-1)?.headers.accept).toBe('text/event-stream');
  });

  it('posts to <base_url>/chat/completions with the API key looked up per call and the extra headers', async () => {
    const callsBefore = apiKeyCalls;

    await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
    await model.generate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });

    const request = upstream.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-team']).toBe('platform');
    // Configured headers win over the defaults, whatever their case.
    expect(request?.headers.authorization).toBe('Bearer override-wins');
    expect(apiKeyCalls - callsBefore).toBe(2);
  });
});
