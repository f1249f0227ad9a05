import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '../../support/local-bedrock.js';
import { UpstreamError } from '../../../functions/core/errors.js';
import type { StreamPart } from '../../../functions/core/language-model.js';
import { collect, loadResponseFixture, loadStreamFixture, modelAnswering, userText } from './bedrock-test-helpers.js';
import { type Answer, stopLocalBedrocks } from '../../support/local-bedrock.js';

/** Starts a stream whose Bedrock answers with `answer` (the events, then how the stream ends). */
const streamAnswering = async (answer: Answer) => {
  const { model, received } = await modelAnswering(() => answer);
  return { parts: model.stream({ messages: [userText('Hi')] }), received };
};

/** Starts a stream whose upstream events are `events`, then the stream ends. */
const streamOf = (events: StreamEvent[]) => streamAnswering({ events });

const streamFixture = async (name: string): Promise<StreamPart[]> => collect(await (await streamOf(loadStreamFixture(name))).parts);

const textOf = (parts: StreamPart[]): string => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
const reasoningOf = (parts: StreamPart[]): string => parts.map((part) => (part.type === 'reasoning-delta' ? part.text : '')).join('');
const argumentsOf = (parts: StreamPart[], index: number): string =>
  parts.map((part) => (part.type === 'tool-call-delta' && part.index === index ? part.argumentsDelta : '')).join('');

describe('Bedrock stream', () => {
  afterEach(stopLocalBedrocks);

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
    const { model } = await modelAnswering(() => ({ json: loadResponseFixture('tool-no-args') }));
    const generated = await model.generate({ messages: [userText('Hi')] });

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

  it('sends ConverseStream to the model\'s converse-stream path, the same body as Converse', async () => {
    // Prepare
    const { model, received } = await modelAnswering((request) =>
      request.path.endsWith('/converse-stream') ? { events: loadStreamFixture('text') } : { json: loadResponseFixture('text') },
    );
    const request = { messages: [{ role: 'system' as const, content: 'Be brief.' }, userText('Hi')], maxOutputTokens: 50 };

    // Act
    await collect(await model.stream(request));
    await model.generate(request);

    // Assess
    expect(received[0]).toMatchObject({ method: 'POST', path: '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream' });
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].body).toEqual({ system: [{ text: 'Be brief.' }], messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 50 } });
    expect(received[1].body).toEqual(received[0].body);
  });

  it('throws an exception frame (throttlingException) mid-stream as the mapped upstream error, after the parts before it', async () => {
    // Prepare
    const answer: Answer = {
      events: [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }],
      then: { exception: 'throttlingException', message: 'Too many tokens' },
    };
    const received: StreamPart[] = [];

    // Act
    const consume = async () => {
      for await (const part of await (await streamAnswering(answer)).parts) received.push(part);
    };

    // Assess
    await expect(consume()).rejects.toMatchObject({ name: 'UpstreamError', status: 429, code: 'rate_limit_exceeded', retryable: true });
    expect(received).toEqual([{ type: 'text-delta', text: 'Hel' }]);
  });

  it('maps a modelStreamErrorException frame to a retryable 502 with Bedrock\'s message', async () => {
    const { parts } = await streamAnswering({
      events: [{ messageStart: { role: 'assistant' } }],
      then: { exception: 'modelStreamErrorException', message: 'The model stream broke' },
    });

    await expect(collect(await parts)).rejects.toMatchObject({ status: 502, retryable: true, message: 'Bedrock failed: The model stream broke' });
  });

  it('fails with a retryable connection error when Bedrock drops the connection mid-stream, after the parts before it', async () => {
    // Prepare
    const { parts } = await streamAnswering({
      events: [{ messageStart: { role: 'assistant' } }, { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }],
      then: 'cut',
    });
    const received: StreamPart[] = [];

    // Act
    const consume = async () => {
      for await (const part of await parts) received.push(part);
    };

    // Assess
    await expect(consume()).rejects.toMatchObject({ name: 'UpstreamError', status: 502, code: 'upstream_connection_error', retryable: true });
    expect(received).toEqual([{ type: 'text-delta', text: 'Hel' }]);
  });

  it('ends with the core\'s abort reason when the stream is aborted mid-way, hanging up on Bedrock', async () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    const { model, received } = await modelAnswering(() => ({ events: [{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }], then: 'hold' }));
    const parts: StreamPart[] = [];

    // Act
    const stream = await model.stream({ messages: [userText('Hi')] }, { abortSignal: controller.signal });
    const consume = async () => {
      for await (const part of stream) {
        parts.push(part);
        controller.abort(reason);
      }
    };

    // Assess
    await expect(consume()).rejects.toBe(reason);
    expect(parts).toEqual([{ type: 'text-delta', text: 'Hel' }]);
    await vi.waitFor(() => expect(received[0].closedEarly).toBe(true));
  });

  it('rejects the stream promise when the request fails before the first event: a 429 ThrottlingException is a retryable rate limit', async () => {
    const { parts } = await streamAnswering({ status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' });

    await expect(parts).rejects.toBeInstanceOf(UpstreamError);
    await expect(parts).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true, message: 'Bedrock is rate limiting requests: Rate exceeded' });
  });

  it('fails with a 502 when the stream ends before messageStop', async () => {
    const { parts } = await streamOf([{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hel' } } }]);

    await expect(collect(await parts)).rejects.toMatchObject({ status: 502, code: 'upstream_incomplete_stream' });
  });

  it('fails with a 502 on an event it cannot read', async () => {
    const { parts } = await streamOf([{ contentBlockDelta: { contentBlockIndex: 'zero', delta: { text: 1 } } }]);

    await expect(collect(await parts)).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });

  it('fails with a 502 when Bedrock answers without an event stream', async () => {
    const { parts } = await streamAnswering({ json: {} });

    await expect(parts).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });
});
