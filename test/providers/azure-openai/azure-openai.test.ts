import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelConfig, modelSchema } from '../../../functions/core/config/schema.js';
import type { StreamPart } from '../../../functions/core/language-model.js';
import { azureOpenAIDefaultApiVersion, createAzureOpenAIModel } from '../../../functions/providers/azure-openai/index.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import {
  collect,
  readFixtureChunks,
  readFixtureJson,
  rejectionOf,
  sendEvents,
  sendJson,
  startTestUpstream,
  type TestUpstream,
} from '../openai-compatible/test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }], maxOutputTokens: 50 };

/** An `azure-openai` entry. */
const azureEntry = (fields: Record<string, unknown>): ModelConfig => modelSchema.parse({ name: 'gpt-4o', provider: 'azure-openai', model: 'gpt-4o-prod', ...fields });

const resolveSecret = async (value: string) => value.replace(/^env:/, 'resolved-');

describe('azure-openai provider', () => {
  let upstream: TestUpstream;
  let endpoint: string;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    endpoint = upstream.baseUrl.replace(/\/v1$/, '');
  });
  afterAll(() => upstream.close());

  it('posts to the deployment URL with the api-version and an api-key header instead of a bearer token', async () => {
    // Prepare
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('text.json')));
    const model = createAzureOpenAIModel(azureEntry({ base_url: endpoint, api_key: 'env:AZURE_OPENAI_KEY' }), { resolveSecret });

    // Act
    const result = await model.generate(request);

    // Assess
    const received = upstream.requests.at(-1);
    expect(received?.path).toBe(`/openai/deployments/gpt-4o-prod/chat/completions?api-version=${azureOpenAIDefaultApiVersion}`);
    expect(received?.headers['api-key']).toBe('resolved-AZURE_OPENAI_KEY');
    expect(received?.headers.authorization).toBeUndefined();
    expect(upstream.lastBody()).toMatchObject({ max_completion_tokens: 50 });
    expect(upstream.lastBody().max_tokens).toBeUndefined();
    expect(model).toMatchObject({ provider: 'azure-openai', modelId: 'gpt-4o-prod' });
    expect(result.finishReason).toBe('stop');
  });

  it('uses the configured api_version, tolerates an endpoint ending in /openai and lets configured headers authenticate', async () => {
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('text.json')));
    const model = createAzureOpenAIModel(
      azureEntry({ base_url: `${endpoint}/openai/`, api_version: '2025-04-01-preview', headers: { Authorization: 'Bearer env:ENTRA_TOKEN' } }),
      { resolveSecret: async (value) => value.replace('env:ENTRA_TOKEN', 'entra-token') },
    );

    await model.generate(request);

    const received = upstream.requests.at(-1);
    expect(received?.path).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2025-04-01-preview');
    expect(received?.headers.authorization).toBe('Bearer entra-token');
    expect(received?.headers['api-key']).toBeUndefined();
  });

  it('streams from the deployment URL', async () => {
    upstream.handle((_request, response) => sendEvents(response, readFixtureChunks('tool-calls.chunks.txt')));
    const model = createAzureOpenAIModel(azureEntry({ base_url: endpoint, api_key: 'env:AZURE_OPENAI_KEY' }), { resolveSecret });

    const parts = await collect(await model.stream(request));

    expect(upstream.requests.at(-1)?.path).toMatch(/^\/openai\/deployments\/gpt-4o-prod\/chat\/completions\?api-version=/);
    expect(upstream.lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(parts.filter((part) => part.type === 'tool-call-start')).toHaveLength(2);
    expect(parts.at(-1)).toMatchObject<Partial<StreamPart>>({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('maps Azure errors as OpenAI errors', async () => {
    upstream.handle((_request, response) =>
      sendJson(response, 429, { error: { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded the rate limit.' } }, { 'retry-after': '4' }),
    );
    const model = createAzureOpenAIModel(azureEntry({ base_url: endpoint, api_key: 'env:AZURE_OPENAI_KEY' }), { resolveSecret });

    const error = await rejectionOf(model.generate(request));

    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterSeconds: 4 });
  });

  it('refuses an entry without an endpoint', () => {
    expect(() => createAzureOpenAIModel(azureEntry({}), { resolveSecret })).toThrow(/needs the resource endpoint/);
  });
});

describe('OpenAICompatibleLanguageModel chatCompletionsUrl', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('text.json')));
  });
  afterAll(() => upstream.close());

  it('posts to the given URL instead of {baseUrl}/chat/completions', async () => {
    const model = new OpenAICompatibleLanguageModel({
      provider: 'openai-compatible',
      modelId: 'm',
      baseUrl: upstream.baseUrl,
      chatCompletionsUrl: `${upstream.baseUrl}/custom/completions?tenant=a`,
    });

    await model.generate(request);

    expect(upstream.requests.at(-1)?.path).toBe('/v1/custom/completions?tenant=a');
  });

  it('still posts to {baseUrl}/chat/completions without it', async () => {
    const model = new OpenAICompatibleLanguageModel({ provider: 'openai-compatible', modelId: 'm', baseUrl: `${upstream.baseUrl}/` });

    await model.generate(request);

    expect(upstream.requests.at(-1)?.path).toBe('/v1/chat/completions');
  });
});
