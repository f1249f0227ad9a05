import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelResult } from '../../../functions/core/language-model.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { readResponseFixture, simpleRequest, startTestUpstream, type TestUpstream } from './anthropic-test-helpers.js';

const noCache = { cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('AnthropicLanguageModel.generate', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl, apiKey: async () => 'sk-ant-test' });
  });
  afterAll(() => upstream.close());

  const answerWith = (fixture: string) =>
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(readResponseFixture(fixture));
    });

  it.each<[string, ModelResult]>([
    [
      'text',
      {
        content: [
          { type: 'text', text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" },
        ],
        finishReason: 'stop',
        usage: { inputTokens: 12, outputTokens: 29, ...noCache },
      },
    ],
    [
      'clear-thinking.1',
      {
        content: [
          {
            type: 'reasoning',
            text: '925 divided by 5 = 185',
            signature:
              'Er4BCkYICxgCKkCoxqLHLrx4mFL9Ox7/aHKht87WDzXfvZ7qbZKSnHV8imA5b3LXxuVqcXQ9z5sXwDx20JIW/+6DJehOSNK72L83Egx0T9s7VzB6QUK9g5kaDO9lGaWN5CPEDJU0lyIw4+Ed3q4N9w+16h3cfQ+9stJXHCl+1nYDxjIOLcyJT8Ug/LTmtlp4bbxWmmfNicayKiasdReHiOnqz1sKEF0pR4kcnF5mQGdLxk8q3A3NY+wGsH8MtUIqxRgB',
          },
          { type: 'text', text: '925 ÷ 5 = 185' },
        ],
        finishReason: 'stop',
        usage: { inputTokens: 69, outputTokens: 33, ...noCache },
      },
    ],
    [
      'json-tool.1',
      {
        content: [
          {
            type: 'tool-call',
            id: 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa',
            name: 'json',
            arguments: JSON.stringify({
              elements: [
                { location: 'San Francisco', temperature: -5, condition: 'snowy' },
                { location: 'London', temperature: 0, condition: 'snowy' },
                { location: 'Paris', temperature: 23, condition: 'cloudy' },
                { location: 'Berlin', temperature: -9, condition: 'snowy' },
              ],
            }),
          },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 1151, outputTokens: 87, ...noCache },
      },
    ],
    [
      'tool-no-args',
      {
        content: [
          {
            type: 'text',
            text: '<thinking>\nThe updateIssueList tool was provided in the list of available functions. The tool has no required parameters, so it can be called without any additional information needed from the user.\n</thinking>\n\nOkay, I will update the current issue list:',
          },
          { type: 'tool-call', id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', name: 'updateIssueList', arguments: '{}' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 602, outputTokens: 93, ...noCache },
      },
    ],
  ])('converts the recorded %s response', async (fixture, expected) => {
    // Prepare
    answerWith(fixture);

    // Act
    const result = await model.generate(simpleRequest);

    // Assess
    expect(result).toStrictEqual(expected);
  });

  it('reports cache reads and writes apart from input tokens, and redacted thinking as opaque reasoning', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          type: 'message',
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'RW5jcnlwdGVk' },
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
            { type: 'text', text: 'Done.' },
          ],
          stop_reason: 'max_tokens',
          usage: { input_tokens: 10, cache_read_input_tokens: 2000, cache_creation_input_tokens: 300, output_tokens: 5 },
        }),
      );
    });

    const result = await model.generate(simpleRequest);

    expect(result).toStrictEqual({
      content: [
        { type: 'reasoning', text: '', redactedData: 'RW5jcnlwdGVk' },
        { type: 'text', text: 'Done.' },
      ],
      finishReason: 'length',
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2000, cacheWriteTokens: 300 },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('maps stop_reason %s to %s', async (stopReason, finishReason) => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ type: 'message', content: [], stop_reason: stopReason, usage: { input_tokens: 1, output_tokens: 1 } }));
    });

    const result = await model.generate(simpleRequest);

    expect(result.finishReason).toBe(finishReason);
  });
});
