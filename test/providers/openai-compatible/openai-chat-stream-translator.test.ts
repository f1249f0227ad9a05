import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import type { StreamPart } from '../../../functions/core/language-model.js';
import type { OpenAIChatChunk } from '../../../functions/providers/openai-compatible/openai-chat-schemas.js';
import { OpenAIChatStreamTranslator } from '../../../functions/providers/openai-compatible/openai-chat-stream-translator.js';

type ToolCallDeltas = NonNullable<NonNullable<NonNullable<OpenAIChatChunk['choices']>[number]['delta']>['tool_calls']>;

const toolCallChunk = (toolCalls: ToolCallDeltas, finishReason: string | null = null): OpenAIChatChunk => ({
  choices: [{ delta: { tool_calls: toolCalls }, finish_reason: finishReason }],
});

const translateAll = (chunks: OpenAIChatChunk[]): StreamPart[] => {
  const translator = new OpenAIChatStreamTranslator(() => 'call_generated');
  return [...chunks.flatMap((chunk) => [...translator.translate(chunk)]), ...translator.finish()];
};

const emptyUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

describe('OpenAIChatStreamTranslator', () => {
  it('takes a whole tool call in one delta, as Mistral and Ollama send it', () => {
    const parts = translateAll([
      toolCallChunk([{ index: 0, id: 'call_a', function: { name: 'get_time', arguments: '{"timezone":"UTC"}' } }], 'tool_calls'),
    ]);

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"timezone":"UTC"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: emptyUsage },
    ]);
  });

  it('numbers calls by position when the upstream gives no index, and keeps appending when it repeats the id', () => {
    const parts = translateAll([
      toolCallChunk([
        { id: 'call_a', function: { name: 'first', arguments: '{' } },
        { id: 'call_b', function: { name: 'second', arguments: '{}' } },
      ]),
      toolCallChunk([{ index: 0, id: 'call_a', function: { arguments: '}' } }]),
    ]);

    expect(parts).toStrictEqual<StreamPart[]>([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'first' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'second' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', finishReason: 'stop', usage: emptyUsage },
    ]);
  });

  it('starts a new call when a different id arrives at an index already in use', () => {
    const parts = translateAll([
      toolCallChunk([{ index: 0, id: 'call_a', function: { name: 'first', arguments: '{}' } }]),
      toolCallChunk([{ index: 0, id: 'call_b', function: { name: 'second', arguments: '{}' } }], 'tool_calls'),
    ]);

    expect(parts.filter((part) => part.type === 'tool-call-start')).toStrictEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'first' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'second' },
    ]);
  });

  it('gives a call without an id a generated one', () => {
    const parts = translateAll([toolCallChunk([{ index: 0, function: { name: 'get_time', arguments: '{}' } }], 'tool_calls')]);

    expect(parts[0]).toStrictEqual({ type: 'tool-call-start', index: 0, id: 'call_generated', name: 'get_time' });
  });

  it('refuses a new tool call without a name', () => {
    const translator = new OpenAIChatStreamTranslator(() => 'call_generated');

    expect(() => [...translator.translate(toolCallChunk([{ index: 0, function: { arguments: '{}' } }]))]).toThrow(UpstreamError);
  });

  it('takes usage from whichever chunk carries it, the last one winning', () => {
    const parts = translateAll([
      { choices: [{ delta: { content: 'Hi' }, finish_reason: null }], usage: { prompt_tokens: 5, completion_tokens: 1 } },
      { choices: [{ delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 2 } },
      { choices: [], usage: null },
    ]);

    expect(parts.at(-1)).toStrictEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 5, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });
});
