import { describe, expect, it } from 'vitest';
import { estimateInputTokensGenerously, tokensPerImage } from '../../functions/core/limits/worst-case-cost.js';
import type { ModelMessage, ModelRequest } from '../../functions/core/language-model.js';
import { convertToAnthropicMessages } from '../../functions/providers/anthropic/convert-to-anthropic-messages.js';
import { convertToOpenAIMessages } from '../../functions/providers/openai-compatible/convert-to-openai-messages.js';

const pdf = new Uint8Array(Buffer.from('%PDF-1.7\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type/Page >>\n'));
const withFile = (mediaType: string, data: Uint8Array): ModelMessage[] => [
  { role: 'user', content: [{ type: 'file', mediaType, data, filename: 'report.pdf' }, { type: 'text', text: 'Summarise.' }] },
];

describe('file parts on providers other than Bedrock', () => {
  it('go to OpenAI-compatible upstreams as file parts with a data URL', () => {
    const [message] = convertToOpenAIMessages(withFile('application/pdf', pdf));

    expect(message).toEqual({
      role: 'user',
      content: [
        { type: 'file', file: { file_data: `data:application/pdf;base64,${Buffer.from(pdf).toString('base64')}`, filename: 'report.pdf' } },
        { type: 'text', text: 'Summarise.' },
      ],
    });
  });

  it('go to Anthropic as document blocks: a PDF as base64, text as text; other types are refused', () => {
    const fromPdf = convertToAnthropicMessages(withFile('application/pdf', pdf)).messages[0];
    const fromText = convertToAnthropicMessages(withFile('text/csv', new Uint8Array(Buffer.from('a,b\n1,2')))).messages[0];

    expect(fromPdf.content[0]).toEqual({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from(pdf).toString('base64') }, title: 'report.pdf' });
    expect(fromText.content[0]).toEqual({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a,b\n1,2' }, title: 'report.pdf' });
    expect(() => convertToAnthropicMessages(withFile('application/zip', pdf))).toThrow(expect.objectContaining({ status: 400, code: 'unsupported_file', param: 'messages[0].content[0]' }));
  });
});

describe('the worst case reserved for a file', () => {
  it('counts its bytes as tokens, plus an image for each PDF page', () => {
    const base: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Summarise.' }] }] };
    const text = new Uint8Array(10_000);
    const forText: ModelRequest = { messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'text/plain', data: text }, { type: 'text', text: 'Summarise.' }] }] };
    const forPdf: ModelRequest = { messages: withFile('application/pdf', pdf) };

    expect(estimateInputTokensGenerously(forText) - estimateInputTokensGenerously(base)).toBe(10_000);
    // Two page objects (the /Pages tree is not a page).
    expect(estimateInputTokensGenerously(forPdf) - estimateInputTokensGenerously(base)).toBe(pdf.byteLength + 2 * tokensPerImage);
  });
});
