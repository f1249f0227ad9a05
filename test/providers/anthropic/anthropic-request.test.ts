import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import type { ModelRequest } from '../../../functions/core/language-model.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { prepareAnthropicRequest } from '../../../functions/providers/anthropic/prepare-anthropic-request.js';
import { readResponseFixture, startTestUpstream, type TestUpstream, userText } from './anthropic-test-helpers.js';

const prepare = (request: ModelRequest, defaultMaxTokens = 4096) =>
  prepareAnthropicRequest(request, { modelId: 'claude-sonnet-4-5', defaultMaxTokens, stream: false });

const weatherTool = { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

describe('the Messages request Tollway sends', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startTestUpstream();
  });
  afterAll(() => upstream.close());

  it('posts to /v1/messages with the key, the API version and the JSON body', async () => {
    // Prepare
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(readResponseFixture('text'));
    });
    const model = new AnthropicLanguageModel({
      modelId: 'claude-sonnet-4-5',
      baseUrl: upstream.baseUrl.replace(/\/v1$/, ''),
      apiKey: async () => 'sk-ant-test',
      headers: async () => ({ 'anthropic-beta': 'prompt-caching-2024-07-31' }),
    });

    // Act
    await model.generate({ messages: [{ role: 'system', content: 'Be brief.' }, userText('Hi')], maxOutputTokens: 100 });

    // Assess
    const received = upstream.requests.at(-1);
    expect(received).toMatchObject({ method: 'POST', path: '/v1/messages' });
    expect(received?.headers).toMatchObject({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
      'content-type': 'application/json',
    });
    expect(received?.headers.authorization).toBeUndefined();
    expect(upstream.lastBody()).toStrictEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('accepts a base URL that already ends in /v1', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(readResponseFixture('text'));
    });
    const model = new AnthropicLanguageModel({ modelId: 'claude-haiku-4-5', baseUrl: `${upstream.baseUrl}/` });

    await model.generate({ messages: [userText('Hi')] });

    expect(upstream.requests.at(-1)?.path).toBe('/v1/messages');
  });
});

describe('prepareAnthropicRequest', () => {
  it('joins system messages, merges consecutive turns and puts tool results first in their user turn', () => {
    const body = prepare({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'system', content: 'Answer in French.' },
        userText('Weather in Paris?'),
        userText('And Lyon?'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'toolu_2', name: 'get_weather', arguments: '' }] },
        { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
        userText('Thanks'),
        { role: 'tool', toolCallId: 'toolu_2', content: '' },
      ],
      tools: [weatherTool],
    });

    expect(body.system).toBe('You are terse.\n\nAnswer in French.');
    expect(body.messages).toStrictEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris?' },
          { type: 'text', text: 'And Lyon?' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2' },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('sends images as base64 sources and refuses types Anthropic does not read', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

    const body = prepare({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', mediaType: 'image/png', data: png }] }],
    });

    expect(body.messages[0].content[1]).toStrictEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw==' } });
    expect(() => prepare({ messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/tiff', data: png }] }] })).toThrow(
      GatewayError,
    );
  });

  it('echoes signed thinking and redacted thinking back, and drops unsigned reasoning', () => {
    const body = prepare({
      messages: [
        userText('What is 925 / 5?'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Divide.', signature: 'sig-1' },
            { type: 'reasoning', text: '', redactedData: 'cmVkYWN0ZWQ=' },
            { type: 'reasoning', text: 'from another provider' },
            { type: 'text', text: '185 ' },
          ],
        },
      ],
    });

    expect(body.messages[1]).toStrictEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Divide.', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
        // A final (prefilled) assistant turn loses its trailing whitespace.
        { type: 'text', text: '185' },
      ],
    });
  });

  it('declares tools with input_schema and maps every tool choice', () => {
    const withChoice = (toolChoice: ModelRequest['toolChoice'], parallelToolCalls?: boolean) =>
      prepare({ messages: [userText('Hi')], tools: [weatherTool], toolChoice, parallelToolCalls });

    expect(withChoice(undefined).tools).toStrictEqual([
      { name: 'get_weather', description: 'Weather in a city', input_schema: weatherTool.parameters },
    ]);
    expect(withChoice(undefined).tool_choice).toBeUndefined();
    expect(withChoice('auto').tool_choice).toStrictEqual({ type: 'auto' });
    expect(withChoice('required').tool_choice).toStrictEqual({ type: 'any' });
    expect(withChoice('none').tool_choice).toStrictEqual({ type: 'none' });
    expect(withChoice({ name: 'get_weather' }).tool_choice).toStrictEqual({ type: 'tool', name: 'get_weather' });
    expect(withChoice(undefined, false).tool_choice).toStrictEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(withChoice('required', false).tool_choice).toStrictEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(() => withChoice({ name: 'get_time' })).toThrow(/not among the tools/);
    expect(() => prepare({ messages: [userText('Hi')], toolChoice: 'required' })).toThrow(/requires tools/);
  });

  it('declares the tools of the history, not callable, when the request offers none', () => {
    const body = prepare({
      messages: [
        userText('Weather?'),
        { role: 'assistant', content: [{ type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
      ],
    });

    expect(body.tools).toStrictEqual([{ name: 'get_weather', input_schema: { type: 'object' } }]);
    expect(body.tool_choice).toStrictEqual({ type: 'none' });
  });

  it('always sends max_tokens: the request cap, else the default', () => {
    expect(prepare({ messages: [userText('Hi')], maxOutputTokens: 300 }).max_tokens).toBe(300);
    expect(prepare({ messages: [userText('Hi')] }, 2048).max_tokens).toBe(2048);
  });

  it('passes sampling parameters, non-blank stop sequences, the user id and a JSON instruction', () => {
    const body = prepare({
      messages: [{ role: 'system', content: 'Be exact.' }, userText('List colours')],
      temperature: 0.2,
      topP: 0.9,
      stop: ['END', '  '],
      user: 'user-42',
      responseFormat: { type: 'json_object' },
    });

    expect(body).toMatchObject({ temperature: 0.2, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'user-42' } });
    expect(body.system).toMatch(/^Be exact\.\n\nAnswer with a single valid JSON object/);
    expect(body.thinking).toBeUndefined();
  });

  describe('extended thinking', () => {
    it('fits the effort budget inside max_tokens, never raising it, and drops temperature and top_p', () => {
      const body = prepare({ messages: [userText('Think')], reasoningEffort: 'high', maxOutputTokens: 8000, temperature: 0.3, topP: 0.5 });

      expect(body.max_tokens).toBe(8000);
      expect(body.thinking).toStrictEqual({ type: 'enabled', budget_tokens: 8000 - 1024 });
      expect(body.temperature).toBeUndefined();
      expect(body.top_p).toBeUndefined();
    });

    it('uses the whole effort budget when it fits', () => {
      expect(prepare({ messages: [userText('Think')], reasoningEffort: 'medium', maxOutputTokens: 32_000 }).thinking).toStrictEqual({
        type: 'enabled',
        budget_tokens: 4096,
      });
      expect(prepare({ messages: [userText('Think')], reasoningEffort: 'low' }, 4096).thinking).toStrictEqual({
        type: 'enabled',
        budget_tokens: 1024,
      });
    });

    it('stays off when the cap leaves less than 1024 thinking tokens, for minimal effort and with a forced tool', () => {
      const tooSmall = prepare({ messages: [userText('Think')], reasoningEffort: 'high', maxOutputTokens: 2047, temperature: 0.3 });
      const minimal = prepare({ messages: [userText('Think')], reasoningEffort: 'minimal' });
      const forced = prepare({ messages: [userText('Think')], reasoningEffort: 'high', tools: [weatherTool], toolChoice: 'required' });

      expect(tooSmall.thinking).toBeUndefined();
      expect(tooSmall.temperature).toBe(0.3);
      expect(minimal.thinking).toBeUndefined();
      expect(forced.thinking).toBeUndefined();
    });

    it('stays off in a tool loop whose assistant turn has no signed thinking, and on when it has', () => {
      const loop = (reasoning: ModelRequest['messages'][number][]) =>
        prepare({
          messages: [
            userText('Weather?'),
            ...reasoning,
            { role: 'assistant', content: [{ type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{}' }] },
            { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
          ],
          tools: [weatherTool],
          reasoningEffort: 'low',
        });

      expect(loop([]).thinking).toBeUndefined();
      expect(loop([{ role: 'assistant', content: [{ type: 'reasoning', text: 'Call it.', signature: 'sig' }] }]).thinking).toStrictEqual({
        type: 'enabled',
        budget_tokens: 1024,
      });
    });
  });
});
