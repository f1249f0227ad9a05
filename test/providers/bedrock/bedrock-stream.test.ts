import { ModelStreamErrorException, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import type { StreamPart } from '../../../functions/core/language-model.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import { asyncIterableOf, collect, failingAfter, loadResponseFixture, loadStreamFixture, stubClient, userText } from './bedrock-test-helpers.js';

const modelId = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

/** Starts a stream whose upstream events are `events`. */
const streamOf = (events: AsyncIterable<unknown>) => {
  const { client, sent } = stubClient(() => ({ stream: events }));
  const model = new BedrockLanguageModel({ modelId, client });
  return { parts: model.stream({ messages: [userText('Hi')] }), sent };
};

const streamFixture = async (name: string): Promise<StreamPart[]> => collect(await streamOf(asyncIterableOf(loadStreamFixture(name))).parts);

const textOf = (parts: StreamPart[]): string => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
const reasoningOf = (parts: StreamPart[]): string => parts.map((part) => (part.type === 'reasoning-delta' ? part.text : '')).join('');
const argumentsOf = (parts: StreamPart[], index: number): string =>
  parts.map((part) => (part.type === 'tool-call-delta' && part.index === index ? part.argumentsDelta : '')).join('');

describe('Bedrock stream', () => {
  it('streams text deltas, then one finish part with the usage from the metadata event', async () => {
    // Act
    const parts = await streamFixture('text');

    // Assess
    expect(new Set(parts.slice(0, -1).map((part) => part.type))).toEqual(new Set(['text-delta']));
    expect(textOf(parts)).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
    expect(parts.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 22, outputTokens: 55, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('streams reasoning deltas and the signature before the answer text', async () => {
    const parts = await streamFixture('reasoning');

    const kinds = parts.map((part) => part.type).filter((type, index, all) => type !== all[index - 1]);
    expect(kinds).toEqual(['reasoning-delta', 'reasoning-signature', 'text-delta', 'finish']);
    expect(reasoningOf(parts)).toBe('Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.');
    expect(parts.find((part) => part.type === 'reasoning-signature')).toEqual({
      type: 'reasoning-signature',
      signature: expect.stringMatching(/^Ep0CCkgICxAB.*GAE=$/),
    });
    expect(textOf(parts)).toBe('There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 51, outputTokens: 94, cacheReadTokens: 0, cacheWriteTokens: 0 } });
  });

  it('streams a tool call whose argument deltas concatenate to JSON, with usage sent before messageStop', async () => {
    const parts = await streamFixture('tool-call.1');

    expect(parts).toEqual([
      { type: 'tool-call-start', index: 0, id: 'tool-use-id', name: 'test-tool' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"value":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Sparkle Day"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 125, outputTokens: 45, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ]);
    expect(JSON.parse(argumentsOf(parts, 0))).toEqual({ value: 'Sparkle Day' });
  });

  it('streams a tool call without arguments as "{}", after the same text as the non-streamed response', async () => {
    const parts = await streamFixture('tool-no-args');
    const { client } = stubClient(() => loadResponseFixture('tool-no-args'));
    const generated = await new BedrockLanguageModel({ modelId, client }).generate({ messages: [userText('Hi')] });

    expect(parts).toEqual([
      { type: 'text-delta', text: "I'll update the issue list for you." },
      { type: 'tool-call-start', index: 0, id: 'tool-use-id', name: 'updateIssueList' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 100, outputTokens: 25, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ]);
    expect(textOf(parts)).toBe(generated.content.map((part) => (part.type === 'text' ? part.text : '')).join(''));
  });

  it('numbers several tool calls from 0 in order, apart from the content block indexes', async () => {
    const parts = await streamFixture('json-with-tools.1');

    expect(parts).toEqual([
      { type: 'text-delta', text: 'Multiple tools.' },
      { type: 'tool-call-start', index: 0, id: 'tool-1', name: 'tool-a' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":"1"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'tool-2', name: 'tool-b' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"b":"2"}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'text-delta', text: 'Final JSON.' },
      { type: 'tool-call-start', index: 2, id: 'json-tool-id', name: 'json' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"final":"result"}' },
      { type: 'tool-call-end', index: 2 },
      // This recording has no metadata event, so usage is zero rather than missing.
      { type: 'finish', finishReason: 'tool_calls', usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ]);
    expect([0, 1, 2].map((index) => JSON.parse(argumentsOf(parts, index)))).toEqual([{ a: '1' }, { b: '2' }, { final: 'result' }]);
  });

  it('sends a ConverseStreamCommand with the abort signal', async () => {
    const { client, sent } = stubClient(() => ({ stream: asyncIterableOf(loadStreamFixture('text')) }));
    const controller = new AbortController();

    await collect(await new BedrockLanguageModel({ modelId, client }).stream({ messages: [userText('Hi')] }, { abortSignal: controller.signal }));

    expect(sent[0]).toMatchObject({ name: 'ConverseStreamCommand', abortSignal: controller.signal, input: { modelId } });
  });

  it('throws an in-stream exception event from the iterator as a mapped upstream error', async () => {
    // Prepare
    const events = [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }, { throttlingException: { message: 'Too many tokens' } }];
    const received: StreamPart[] = [];

    // Act
    const consume = async () => {
      for await (const part of await streamOf(asyncIterableOf(events)).parts) received.push(part);
    };

    // Assess
    await expect(consume()).rejects.toMatchObject({ name: 'UpstreamError', status: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(received).toEqual([{ type: 'text-delta', text: 'Hel' }]);
  });

  it('maps an exception the SDK throws while iterating', async () => {
    const error = new ModelStreamErrorException({ message: 'The model stream broke', $metadata: {} });
    const parts = await streamOf(failingAfter([{ messageStart: { role: 'assistant' } }], error)).parts;

    await expect(collect(parts)).rejects.toMatchObject({ status: 502, retryable: true, message: 'Bedrock failed: The model stream broke' });
  });

  it('ends with the core\'s abort reason when the stream is aborted mid-way', async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    const events = (async function* () {
      yield { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } };
      controller.abort(reason);
      throw new DOMException('This operation was aborted', 'AbortError');
    })();
    const { client } = stubClient(() => ({ stream: events }));

    // Act
    const parts = await new BedrockLanguageModel({ modelId, client }).stream({ messages: [userText('Hi')] }, { abortSignal: controller.signal });

    // Assess
    await expect(collect(parts)).rejects.toBe(reason);
  });

  it('rejects the stream promise when the request fails before the first event', async () => {
    const { client } = stubClient(() => {
      throw new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
    });

    const rejection = new BedrockLanguageModel({ modelId, client }).stream({ messages: [userText('Hi')] });

    await expect(rejection).rejects.toBeInstanceOf(UpstreamError);
    await expect(rejection).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('fails with a 502 when the stream ends before messageStop', async () => {
    const parts = await streamOf(asyncIterableOf([{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }])).parts;

    await expect(collect(parts)).rejects.toMatchObject({ status: 502, code: 'upstream_incomplete_stream' });
  });

  it('fails with a 502 on an event it cannot read', async () => {
    const parts = await streamOf(asyncIterableOf([{ contentBlockDelta: { contentBlockIndex: 'zero', delta: { text: 1 } } }])).parts;

    await expect(collect(parts)).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });

  it('fails with a 502 when Bedrock answers without an event stream', async () => {
    const { client } = stubClient(() => ({}));

    const rejection = new BedrockLanguageModel({ modelId, client }).stream({ messages: [userText('Hi')] });

    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });
});
