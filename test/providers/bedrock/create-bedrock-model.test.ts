import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelSchema } from '../../../functions/core/config/schema.js';
import { bedrockClientForRegion, createBedrockModel } from '../../../functions/providers/bedrock/index.js';
import { loadResponseFixture, stubClient, userText } from './bedrock-test-helpers.js';

const entry = (fields: Record<string, unknown>) => modelSchema.parse({ name: 'claude', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', ...fields });

describe('createBedrockModel', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('creates a Bedrock model that calls the given client with the configured model id', async () => {
    // Prepare
    const { client, sent } = stubClient(() => loadResponseFixture('text'));

    // Act
    const model = createBedrockModel(entry({}), { client });
    await model.generate({ messages: [userText('Hi')] });

    // Assess
    expect(model).toMatchObject({ provider: 'bedrock', modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(sent[0].input.modelId).toBe('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  it('shares one client per region', async () => {
    const first = bedrockClientForRegion('eu-west-3');
    const again = bedrockClientForRegion('eu-west-3');
    const other = bedrockClientForRegion('ap-south-1');

    expect(again).toBe(first);
    expect(other).not.toBe(first);
    await expect(first.config.region()).resolves.toBe('eu-west-3');
  });

  it('uses the region of the entry, else AWS_REGION', async () => {
    vi.stubEnv('AWS_REGION', 'ca-central-1');

    const fromEntry = createBedrockModel(entry({ region: 'eu-central-1' }));
    const fromEnvironment = createBedrockModel(entry({}));

    expect(fromEntry).not.toBe(fromEnvironment);
    expect(bedrockClientForRegion('ca-central-1')).toBe(Reflect.get(fromEnvironment, 'client'));
    expect(bedrockClientForRegion('eu-central-1')).toBe(Reflect.get(fromEntry, 'client'));
  });

  it('refuses an entry without a model id', () => {
    expect(() => createBedrockModel({ ...entry({}), model: undefined })).toThrow(/needs "model"/);
  });
});
