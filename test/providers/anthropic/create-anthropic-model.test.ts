import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSchema } from '../../../functions/core/config/schema.js';
import { createAnthropicModel } from '../../../functions/providers/anthropic/index.js';
import { readResponseFixture, simpleRequest, startTestUpstream, type TestUpstream } from './anthropic-test-helpers.js';

// `anthropic` joins the schema's provider names in the catalog change; the entry is built from a parsed bedrock one.
const entry = (fields: Record<string, unknown>) => ({
  ...modelSchema.parse({ name: 'claude', provider: 'bedrock', model: 'claude-sonnet-4-5' }),
  ...fields,
});

describe('createAnthropicModel', () => {
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(readResponseFixture('text'));
    });
  });
  afterAll(() => upstream.close());

  it('resolves the api key and header secrets on the first call only, and uses max_output_tokens as the default cap', async () => {
    // Prepare
    const resolved: string[] = [];
    const resolveSecret = async (value: string, field: string) => {
      resolved.push(field);
      return value.replace('env:', 'resolved-');
    };
    const model = createAnthropicModel(
      entry({ base_url: upstream.baseUrl, api_key: 'env:ANTHROPIC_API_KEY', headers: { 'anthropic-beta': 'env:BETA' }, max_output_tokens: 1500 }),
      { resolveSecret },
    );
    expect(resolved).toStrictEqual([]);

    // Act
    await model.generate(simpleRequest);
    await model.generate(simpleRequest);

    // Assess
    expect(model).toMatchObject({ provider: 'anthropic', modelId: 'claude-sonnet-4-5' });
    expect(resolved).toStrictEqual(['models[claude].api_key', 'models[claude].headers.anthropic-beta']);
    expect(upstream.requests.at(-1)?.headers).toMatchObject({ 'x-api-key': 'resolved-ANTHROPIC_API_KEY', 'anthropic-beta': 'resolved-BETA' });
    expect(upstream.lastBody()).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 1500 });
  });

  it("defaults to Anthropic's API", () => {
    const model = createAnthropicModel(entry({}), { resolveSecret: async (value) => value });

    expect(Reflect.get(model, 'messagesUrl')).toBe('https://api.anthropic.com/v1/messages');
  });

  it('refuses an entry without a model id', () => {
    expect(() => createAnthropicModel(entry({ model: undefined }), { resolveSecret: async (value) => value })).toThrow(/needs a model id/);
  });
});
