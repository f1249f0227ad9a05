import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { loadResponseFixture, modelAnswering, userText } from './bedrock-test-helpers.js';
import { stopLocalBedrocks } from '../../support/local-bedrock.js';

/** Answers one `generate` call with `response` as the JSON body. */
const generateWith = async (response: unknown) => {
  const { model } = await modelAnswering(() => ({ json: response }));
  return model.generate({ messages: [userText('Hi')] });
};

describe('Bedrock generate', () => {
  afterEach(stopLocalBedrocks);

  it('produces the text, stop reason and usage of a text response', async () => {
    // Prepare
    const response = loadResponseFixture('text');

    // Act
    const result = await generateWith(response);

    // Assess
    expect(result).toEqual({
      content: [
        {
          type: 'text',
          text: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."',
        },
      ],
      finishReason: 'stop',
      usage: { inputTokens: 22, outputTokens: 57, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('produces a tool call with its arguments as JSON text', async () => {
    const result = await generateWith(loadResponseFixture('tool-call.1'));

    expect(result).toEqual({
      content: [{ type: 'tool-call', id: 'tool-use-id', name: 'bash', arguments: '{"command":"ls -l"}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('produces a tool call without arguments as an empty object', async () => {
    const result = await generateWith(loadResponseFixture('tool-no-args'));

    expect(result).toEqual({
      content: [
        { type: 'text', text: "I'll update the issue list for you." },
        { type: 'tool-call', id: 'tool-use-id', name: 'updateIssueList', arguments: '{}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 100, outputTokens: 25, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('produces text and several tool calls in their order', async () => {
    const result = await generateWith(loadResponseFixture('json-with-tools.1'));

    expect(result.content).toEqual([
      { type: 'text', text: 'Calling multiple tools.' },
      { type: 'tool-call', id: 'tool-1', name: 'tool-a', arguments: '{"param":"a"}' },
      { type: 'tool-call', id: 'tool-2', name: 'tool-b', arguments: '{"param":"b"}' },
      { type: 'text', text: 'Finally the JSON response.' },
      { type: 'tool-call', id: 'json-tool-id', name: 'json', arguments: '{"final":"result"}' },
    ]);
    expect(result.finishReason).toBe('tool_calls');
    expect(result.usage).toEqual({ inputTokens: 28, outputTokens: 62, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('produces reasoning with its signature before the answer', async () => {
    const result = await generateWith(loadResponseFixture('reasoning'));

    expect(result.content).toEqual([
      {
        type: 'reasoning',
        text: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nThere are 3 r\'s.',
        signature: expect.stringMatching(/^EvYBCkgICxAB.*GAE=$/),
      },
      { type: 'text', text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y' },
    ]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 51, outputTokens: 78, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('produces redacted reasoning as the base64 data it arrived as', async () => {
    const response = {
      output: { message: { role: 'assistant', content: [{ reasoningContent: { redactedContent: Buffer.from('hidden').toString('base64') } }, { text: 'Hi' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    };

    const result = await generateWith(response);

    expect(result.content).toEqual([
      { type: 'reasoning', text: '', redactedData: Buffer.from('hidden').toString('base64') },
      { type: 'text', text: 'Hi' },
    ]);
  });

  it('counts cache reads and writes separately from input tokens', async () => {
    const response = {
      output: { message: { role: 'assistant', content: [{ text: 'Hi' }] } },
      stopReason: 'max_tokens',
      usage: { inputTokens: 5, outputTokens: 7, cacheReadInputTokens: 1000, cacheWriteInputTokens: 200, totalTokens: 1212 },
    };

    const result = await generateWith(response);

    expect(result.finishReason).toBe('length');
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 7, cacheReadTokens: 1000, cacheWriteTokens: 200 });
  });

  it.each([
    { case: 'no output', response: { stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } } },
    { case: 'content that is not a list', response: { output: { message: { content: 'hi' } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1 } } },
    { case: 'no usage', response: { output: { message: { content: [] } }, stopReason: 'end_turn' } },
    { case: 'nothing at all', response: undefined },
  ])('rejects a garbage response ($case) with a 502 upstream error', async ({ response }) => {
    const rejection = generateWith(response);

    await expect(rejection).rejects.toBeInstanceOf(UpstreamError);
    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });

  it('rejects a body that is not JSON with a 502 upstream error', async () => {
    const { model } = await modelAnswering(() => ({ status: 200, contentType: 'text/html', text: '<html>gateway timeout</html>' }));

    const rejection = model.generate({ messages: [userText('Hi')] });

    await expect(rejection).rejects.toBeInstanceOf(UpstreamError);
    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });
});
