import { describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../../../functions/core/chat/chat-request-schema.js';
import { toModelRequest } from '../../../functions/core/chat/convert-chat-request.js';

const convert = (body: Record<string, unknown>) => toModelRequest(chatRequestSchema.parse({ model: 'claude', ...body }), 1024);
const ephemeral = { type: 'ephemeral' };

describe('cache_control on an OpenAI-format request', () => {
  it('marks the part, the message or the tool that carries it, and nothing else', () => {
    const request = convert({
      messages: [
        { role: 'system', content: 'Plain system.', cache_control: ephemeral },
        { role: 'developer', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: ephemeral }] },
        { role: 'user', content: [{ type: 'text', text: 'long', cache_control: ephemeral }, { type: 'text', text: 'question' }] },
        { role: 'assistant', content: 'Earlier answer.', cache_control: ephemeral },
        { role: 'user', content: 'Next.' },
      ],
      tools: [
        { type: 'function', function: { name: 'a', parameters: { type: 'object' } }, cache_control: ephemeral },
        { type: 'function', function: { name: 'b', parameters: { type: 'object' } } },
      ],
    });

    expect(request.messages).toEqual([
      { role: 'system', content: 'Plain system.', cachePoint: true },
      { role: 'system', content: 'AB', cachePoint: true },
      { role: 'user', content: [{ type: 'text', text: 'long', cachePoint: true }, { type: 'text', text: 'question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Earlier answer.', cachePoint: true }] },
      { role: 'user', content: [{ type: 'text', text: 'Next.' }] },
    ]);
    expect(request.tools?.map((tool) => tool.cachePoint)).toEqual([true, undefined]);
  });

  it('refuses a cache_control that is not ephemeral, naming the message', () => {
    const parsed = chatRequestSchema.safeParse({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].path.slice(0, 3)).toEqual(['messages', 0, 'content']);
  });

  it('reads a file part given as a data URL', () => {
    const data = Buffer.from('hello');
    const request = convert({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_data: `data:text/plain;base64,${data.toString('base64')}`, filename: 'a.txt' } }] }] });

    expect(request.messages[0]).toEqual({ role: 'user', content: [{ type: 'file', mediaType: 'text/plain', data: new Uint8Array(data), filename: 'a.txt' }] });
  });
});
