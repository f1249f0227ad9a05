import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamPart } from '../../../functions/core/language-model.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { collect, readChunksFixture, sendAnthropicEvents, simpleRequest, startTestUpstream, type TestUpstream } from './anthropic-test-helpers.js';

const noCache = { cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('AnthropicLanguageModel.stream', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl, apiKey: async () => 'sk-ant-test' });
  });
  afterAll(() => upstream.close());

  const replay = (fixture: string) => upstream.handle((_request, response) => sendAnthropicEvents(response, readChunksFixture(fixture)));

  it('asks for a stream and replays the recorded text as text deltas, then one finish with usage', async () => {
    // Prepare
    replay('text');

    // Act
    const parts = await collect(await model.stream(simpleRequest));

    // Assess
    expect(upstream.lastBody()).toMatchObject({ stream: true });
    expect(upstream.requests.at(-1)?.headers.accept).toBe('text/event-stream');
    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: '! I' },
      { type: 'text-delta', text: "'m doing well, thank you for asking" },
      { type: 'text-delta', text: '. How are you doing today?' },
      { type: 'text-delta', text: ' Is' },
      { type: 'text-delta', text: ' there anything I can help you with?' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 30, ...noCache } },
    ]);
  });

  it('replays recorded thinking as reasoning deltas and its signature before the answer', async () => {
    replay('clear-thinking.1');

    const parts = await collect(await model.stream(simpleRequest));

    const reasoning = parts.flatMap((part) => (part.type === 'reasoning-delta' ? [part.text] : [])).join('');
    expect(reasoning).toBe('The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
    expect(parts.filter((part) => part.type === 'reasoning-signature')).toStrictEqual([
      {
        type: 'reasoning-signature',
        signature:
          'EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/VeJBNbejNWIWRBn+KPNEgz6HWtKx7p+QRgKsEoaDGjsiqfht7gTRFYHiyIwD1VSmNqHxv3wy8KEMP+LYb/TC4UH3H97tuoaADARFFcA0phdfxnzKQxFnc9lwY+dKlzUsaKSUAFeu1bDL5ikZJ1vL0Fkz6JjoFke0L/wOJRIUDUlDUOFJ1tZ3ea7g6LGE/5hwuvWgLwewdcm64d+43l7F57XrOmqNd6flI2K/oPr/4yzNgvi/EhT6Ca17BgB',
      },
    ]);
    expect(parts.map((part) => part.type)).toStrictEqual([
      ...new Array<string>(9).fill('reasoning-delta'),
      'reasoning-signature',
      'text-delta',
      'text-delta',
      'text-delta',
      'finish',
    ]);
    expect(parts.at(-1)).toStrictEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 69, outputTokens: 53, ...noCache } });
  });

  it('replays a recorded tool call: start, argument pieces that parse as JSON, end, finish with tool_calls', async () => {
    replay('json-tool.1');

    const parts = await collect(await model.stream(simpleRequest));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'tool-call-start', index: 0, id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA', name: 'json' },
      {
        type: 'tool-call-delta',
        index: 0,
        argumentsDelta: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]',
      },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 849, outputTokens: 47, ...noCache } },
    ]);
  });

  it('gives a recorded tool call without arguments "{}" so its arguments parse', async () => {
    replay('tool-no-args');

    const parts = await collect(await model.stream(simpleRequest));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'text-delta', text: "I'll update the issue list for" },
      { type: 'text-delta', text: ' you.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 565, outputTokens: 48, ...noCache } },
    ]);
  });

  it('numbers parallel tool calls from 0, counts cache tokens from message_start and skips unknown events', async () => {
    upstream.handle((_request, response) =>
      sendAnthropicEvents(response, [
        '{"type":"message_start","message":{"usage":{"input_tokens":20,"cache_read_input_tokens":1000,"cache_creation_input_tokens":50,"output_tokens":1}}}',
        '{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"RW5j"}}',
        '{"type":"content_block_stop","index":0}',
        '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}',
        '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}}',
        '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}',
        '{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}',
        '{"type":"content_block_stop","index":1}',
        '{"type":"content_block_stop","index":2}',
        '{"type":"future_event","detail":1}',
        '{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":40}}',
        '{"type":"message_stop"}',
      ]),
    );

    const parts = await collect(await model.stream(simpleRequest));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 20, outputTokens: 40, cacheReadTokens: 1000, cacheWriteTokens: 50 } },
    ]);
  });

  it('reads events split across network writes', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de');
      setTimeout(() => {
        response.write('lta","text":"Hi"}}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}\n\n');
        response.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
      }, 20);
    });

    const parts = await collect(await model.stream(simpleRequest));

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 1, ...noCache } },
    ]);
  });

  it('closes the upstream connection when the consumer stops reading early', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"first"}}\n\n');
      // Never ends: only the client can close this stream.
    });

    for await (const part of await model.stream(simpleRequest)) {
      expect(part).toStrictEqual({ type: 'text-delta', text: 'first' });
      break;
    }

    await expect(upstream.requests.at(-1)?.clientGone).resolves.toBeUndefined();
  });
});
