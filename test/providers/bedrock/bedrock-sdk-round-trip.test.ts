import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';

interface CapturedRequest {
  path: string;
  body: unknown;
}

/**
 * A real client whose HTTP handler answers with a recorded body, so the SDK's own
 * serialisation and deserialisation run without reaching AWS.
 */
const clientAnswering = (fixture: string) => {
  const captured: CapturedRequest[] = [];
  const body = readFileSync(new URL(`../../fixtures/bedrock-converse/${fixture}.json`, import.meta.url));
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { path: string; body: Uint8Array | string }) => {
        const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
        captured.push({ path: request.path, body: JSON.parse(text) });
        return { response: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([body]) } };
      },
    },
  });
  return { client, captured };
};

describe('Bedrock through the real SDK client', () => {
  it('serialises the request and reads the recorded response', async () => {
    // Prepare
    const { client, captured } = clientAnswering('tool-no-args');
    const model = new BedrockLanguageModel({ modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', client });
    const image = new Uint8Array([137, 80, 78, 71]);

    // Act
    const result = await model.generate({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Update the issues' }, { type: 'image', mediaType: 'image/png', data: image }] }],
      tools: [{ name: 'updateIssueList', parameters: { type: 'object', properties: {} } }],
      toolChoice: 'auto',
      maxOutputTokens: 100,
    });

    // Assess
    expect(captured[0].path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(captured[0].body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Update the issues' }, { image: { format: 'png', source: { bytes: 'iVBORw==' } } }] }],
      toolConfig: { tools: [{ toolSpec: { name: 'updateIssueList', inputSchema: { json: { type: 'object', properties: {} } } } }], toolChoice: { auto: {} } },
      inferenceConfig: { maxTokens: 100 },
    });
    expect(result).toEqual({
      content: [
        { type: 'text', text: "I'll update the issue list for you." },
        { type: 'tool-call', id: 'tool-use-id', name: 'updateIssueList', arguments: '{}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 100, outputTokens: 25, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });
});
