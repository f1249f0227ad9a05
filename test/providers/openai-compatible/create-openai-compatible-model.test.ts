import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelSchema } from '../../../functions/core/config/schema.js';
import { createOpenAICompatibleModel } from '../../../functions/providers/openai-compatible/index.js';
import { readFixtureJson, sendJson, startTestUpstream, type TestUpstream } from './test-upstream.js';

const request = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }], maxOutputTokens: 64 };

describe('createOpenAICompatibleModel', () => {
  let upstream: TestUpstream;
  let lookups: { value: string; field: string }[];
  const secrets: Record<string, string> = { 'env:LLAMA_KEY': 'sk-llama', 'Bearer secret:team-token': 'Bearer team-token-value' };
  const resolveSecret = async (value: string, field: string) => {
    lookups.push({ value, field });
    const resolved = secrets[value];
    if (resolved === undefined) throw new Error(`${field}: ${value} is not set`);
    return resolved;
  };

  beforeAll(async () => {
    upstream = await startTestUpstream();
    upstream.handle((_request, response) => sendJson(response, 200, readFixtureJson('text.json')));
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    lookups = [];
  });

  it('calls the configured base_url with the resolved key and headers, resolving them once, on first use', async () => {
    // Prepare
    const config = modelSchema.parse({
      name: 'local-llama',
      provider: 'openai-compatible',
      base_url: upstream.baseUrl,
      model: 'llama3.2',
      api_key: 'env:LLAMA_KEY',
      headers: { 'x-team-auth': 'Bearer secret:team-token' },
    });

    // Act
    const model = createOpenAICompatibleModel(config, { resolveSecret });
    const lookupsBeforeFirstCall = lookups.length;
    await model.generate(request);
    await model.generate(request);

    // Assess
    expect(model.provider).toBe('openai-compatible');
    expect(model.modelId).toBe('llama3.2');
    expect(lookupsBeforeFirstCall).toBe(0);
    expect(lookups).toEqual([
      { value: 'env:LLAMA_KEY', field: 'models[local-llama].api_key' },
      { value: 'Bearer secret:team-token', field: 'models[local-llama].headers.x-team-auth' },
    ]);
    const sent = upstream.requests.at(-1);
    expect(sent?.headers.authorization).toBe('Bearer sk-llama');
    expect(sent?.headers['x-team-auth']).toBe('Bearer team-token-value');
    expect(upstream.lastBody()).toMatchObject({ model: 'llama3.2', max_tokens: 64 });
  });

  it('sends no authorization header when the entry has no api_key', async () => {
    const config = modelSchema.parse({ name: 'ollama', provider: 'openai-compatible', base_url: upstream.baseUrl, model: 'llama3.2' });

    await createOpenAICompatibleModel(config, { resolveSecret }).generate(request);

    expect(upstream.requests.at(-1)?.headers).not.toHaveProperty('authorization');
  });

  it('tries an unresolvable key again on the next call rather than caching the failure', async () => {
    const config = modelSchema.parse({
      name: 'late-key',
      provider: 'openai-compatible',
      base_url: upstream.baseUrl,
      model: 'llama3.2',
      api_key: 'env:LATE_KEY',
    });
    const model = createOpenAICompatibleModel(config, { resolveSecret });

    await expect(model.generate(request)).rejects.toMatchObject({ code: 'upstream_credentials_unavailable' });
    secrets['env:LATE_KEY'] = 'sk-late';
    await model.generate(request);

    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-late');
  });

  it('sends provider openai to api.openai.com by default, with max_completion_tokens', async () => {
    // The injected fetch records the URL, then sends the request to the local upstream instead.
    const requestedUrls: string[] = [];
    const redirectingFetch: typeof fetch = (input, init) => {
      const url = String(input);
      requestedUrls.push(url);
      return fetch(url.replace('https://api.openai.com/v1', upstream.baseUrl), init);
    };
    const config = modelSchema.parse({ name: 'gpt-4o', provider: 'openai', model: 'gpt-4o', api_key: 'env:LLAMA_KEY' });

    const model = createOpenAICompatibleModel(config, { resolveSecret, fetch: redirectingFetch });
    await model.generate(request);

    expect(model.provider).toBe('openai');
    expect(requestedUrls).toEqual(['https://api.openai.com/v1/chat/completions']);
    expect(upstream.lastBody()).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 64 });
    expect(upstream.lastBody()).not.toHaveProperty('max_tokens');
  });

  it('refuses an openai-compatible entry without base_url', () => {
    const config = { ...modelSchema.parse({ name: 'x', provider: 'openai', model: 'm' }), provider: 'openai-compatible' as const };

    expect(() => createOpenAICompatibleModel(config, { resolveSecret })).toThrow('models[x].base_url');
  });
});
