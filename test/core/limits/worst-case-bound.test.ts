import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../../functions/core/language-model.js';
import { estimateInputTokensGenerously, tokensPerImage } from '../../../functions/core/limits/worst-case-cost.js';
import { prepareAnthropicRequest } from '../../../functions/providers/anthropic/prepare-anthropic-request.js';
import { prepareBedrockRequest } from '../../../functions/providers/bedrock/prepare-bedrock-request.js';
import { buildOpenAIChatRequestBody } from '../../../functions/providers/openai-compatible/build-openai-chat-request-body.js';

const png = new Uint8Array(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
const schema = {
  type: 'object',
  properties: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`field_${index}`, { type: 'string', description: `Ünïcödé description ${index} — 説明` }])),
};

/** A request heavy in everything a reservation must count: multi-byte text, images, tools, a schema, a tool round. */
const heavy: ModelRequest = {
  messages: [
    { role: 'system', content: 'Réponds en français. 日本語も可。' },
    { role: 'user', content: [{ type: 'text', text: '天気はどうですか 🌦️ '.repeat(50) }, { type: 'image', mediaType: 'image/png', data: png }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Je dois appeler l’outil.', signature: 'c2lnbmF0dXJl' },
        { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: JSON.stringify({ city: 'Zürich', days: 3 }) },
      ],
    },
    { role: 'tool', toolCallId: 'call_1', content: JSON.stringify({ forecast: 'Sonnig ☀️'.repeat(20) }) },
    { role: 'user', content: [{ type: 'text', text: 'Und morgen?' }] },
  ],
  tools: Array.from({ length: 12 }, (_, index) => ({ name: `tool_${index}`, description: `Outil numéro ${index} — ツール`, parameters: schema })),
  responseFormat: { type: 'json_schema', name: 'forecast', description: 'Prévision', schema },
  maxOutputTokens: 500,
};

const base64Blob = /^[A-Za-z0-9+/]+=*$/;
const textEncoder = new TextEncoder();

/** The UTF-8 bytes of every string a provider body sends, but for the images' base64 (counted as images) and the model id. */
const sentTextBytes = (body: unknown, modelId: string): number => {
  if (typeof body === 'string') return body === modelId || (body.length > 16 && base64Blob.test(body) && body !== 'c2lnbmF0dXJl') ? 0 : textEncoder.encode(body).byteLength;
  if (body instanceof Uint8Array) return 0;
  if (Array.isArray(body)) return body.reduce((sum: number, item) => sum + sentTextBytes(item, modelId), 0);
  if (body && typeof body === 'object') return Object.values(body).reduce((sum: number, value) => sum + sentTextBytes(value, modelId), 0);
  return 0;
};

const images = 1;

describe('the reservation bound', () => {
  const bound = estimateInputTokensGenerously(heavy);

  it.each([
    { provider: 'bedrock (Converse)', body: () => prepareBedrockRequest('us.anthropic.claude-sonnet-4-5-20250929-v1:0', heavy), modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    { provider: 'anthropic (Messages)', body: () => prepareAnthropicRequest(heavy, { modelId: 'claude-sonnet-4-5', defaultMaxTokens: 4096, stream: false }), modelId: 'claude-sonnet-4-5' },
    { provider: 'openai-compatible (Chat Completions)', body: () => buildOpenAIChatRequestBody(heavy, { modelId: 'gpt-4o', maxTokensField: 'max_tokens', stream: false }), modelId: 'gpt-4o' },
  ])('covers every byte of text the $provider translation sends, plus each image at the dearest provider’s maximum', ({ body, modelId }) => {
    const sent = sentTextBytes(body(), modelId);

    // At most one token per UTF-8 byte, for every tokenizer; images billed at most tokensPerImage each.
    expect(sent).toBeGreaterThan(10_000);
    expect(bound).toBeGreaterThanOrEqual(sent + images * tokensPerImage);
  });

  it('counts text in UTF-8 bytes, so multi-byte scripts are not undercounted', () => {
    const ascii = estimateInputTokensGenerously({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a'.repeat(300) }] }] });
    const japanese = estimateInputTokensGenerously({ messages: [{ role: 'user', content: [{ type: 'text', text: 'あ'.repeat(300) }] }] });

    expect(japanese - ascii).toBe(600);
  });

  it('counts a response format’s schema', () => {
    const without = estimateInputTokensGenerously({ ...heavy, responseFormat: undefined });

    expect(bound - without).toBeGreaterThan(textEncoder.encode(JSON.stringify(schema)).byteLength);
  });
});
