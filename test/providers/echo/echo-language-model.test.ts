import { describe, expect, it } from 'vitest';
import type { ModelRequest, StreamPart } from '../../../functions/core/language-model.js';
import { EchoLanguageModel } from '../../../functions/providers/echo/echo-language-model.js';

const user = (text: string): ModelRequest['messages'][number] => ({ role: 'user', content: [{ type: 'text', text }] });
const collect = async (parts: AsyncIterable<StreamPart>) => {
  const all: StreamPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
};

describe('EchoLanguageModel', () => {
  const echo = new EchoLanguageModel();

  it('answers with the last user message and counts its tokens', async () => {
    const result = await echo.generate({ messages: [{ role: 'system', content: 'sys' }, user('first'), user('say this back')] });
    expect(result.content).toEqual([{ type: 'text', text: 'say this back' }]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBe(3);
    expect(result.usage.inputTokens).toBe(1 + 3 + 1 + 3 + 3 + 3);
  });

  it('streams the same text one token per text delta, then finish with the same usage', async () => {
    const request = { messages: [user('a, b and c')] };
    const parts = await collect(await echo.stream(request));
    const generated = await echo.generate(request);

    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas.map((part) => part.text)).toEqual(['a', ',', ' b', ' and', ' c']);
    expect(parts[parts.length - 1]).toEqual({ type: 'finish', finishReason: 'stop', usage: generated.usage });
  });

  it('stops at max tokens with finish reason length and at stop sequences', async () => {
    const capped = await echo.generate({ messages: [user('one two three four')], maxOutputTokens: 2 });
    expect(capped).toMatchObject({ content: [{ text: 'one two' }], finishReason: 'length', usage: { outputTokens: 2 } });

    const stopped = await echo.generate({ messages: [user('one two STOP three')], stop: ['STOP'] });
    expect(stopped).toMatchObject({ content: [{ text: 'one two ' }], finishReason: 'stop' });
  });

  it('calls the named tool with the user JSON as arguments, and answers with a tool result', async () => {
    const tools = [{ name: 'lookup', parameters: { type: 'object' } }, { name: 'other', parameters: { type: 'object' } }];
    const call = await echo.generate({ messages: [user('{"q":"x"}')], tools, toolChoice: { name: 'other' } });
    expect(call.finishReason).toBe('tool_calls');
    expect(call.content).toEqual([{ type: 'tool-call', id: expect.stringMatching(/^call_echo_/), name: 'other', arguments: '{"q":"x"}' }]);

    const wrapped = await echo.generate({ messages: [user('plain text')], tools, toolChoice: 'required' });
    expect(wrapped.content[0]).toMatchObject({ name: 'lookup', arguments: '{"input":"plain text"}' });

    const answer = await echo.generate({ messages: [user('q'), { role: 'tool', toolCallId: 'c1', content: 'tool says 42' }] });
    expect(answer.content).toEqual([{ type: 'text', text: 'tool says 42' }]);
  });

  it('stops streaming when aborted', async () => {
    const slow = new EchoLanguageModel('echo', 20);
    const controller = new AbortController();
    const parts = await slow.stream({ messages: [user('one two three four five')] }, { abortSignal: controller.signal });
    const iterator = parts[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error('gone'));
    await expect(iterator.next()).rejects.toThrow('gone');
  });
});
