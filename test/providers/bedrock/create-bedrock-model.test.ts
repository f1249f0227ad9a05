import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelSchema } from '../../../functions/core/config/schema.js';
import { UpstreamError } from '../../../functions/core/errors.js';
import { regionOf } from '../../../functions/aws/regions.js';
import { bedrockClientForRegion, createBedrockModel } from '../../../functions/providers/bedrock/index.js';
import { loadResponseFixture, userText } from './bedrock-test-helpers.js';
import { bedrockClientAt, startLocalBedrock, stopLocalBedrocks } from '../../support/local-bedrock.js';

const entry = (fields: Record<string, unknown>) => modelSchema.parse({ name: 'claude', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', ...fields });

describe('createBedrockModel', () => {
  afterEach(async () => {
    vi.unstubAllEnvs();
    await stopLocalBedrocks();
  });

  it('creates a Bedrock model that calls the given client with the configured model id', async () => {
    // Prepare
    const { endpoint, received } = await startLocalBedrock(() => ({ json: loadResponseFixture('text') }));

    // Act
    const model = createBedrockModel(entry({}), { client: bedrockClientAt(endpoint) });
    await model.generate({ messages: [userText('Hi')] });

    // Assess
    expect(model).toMatchObject({ provider: 'bedrock', modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(received[0].path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
  });

  it('shares one client per region', () => {
    const first = bedrockClientForRegion('eu-west-3');
    const again = bedrockClientForRegion('eu-west-3');
    const other = bedrockClientForRegion('ap-south-1');

    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(first.region).toBe('eu-west-3');
  });

  it('uses the region of the entry, else AWS_REGION', () => {
    vi.stubEnv('AWS_REGION', 'ca-central-1');

    const fromEntry = createBedrockModel(entry({ region: 'eu-central-1' }));
    const fromEnvironment = createBedrockModel(entry({}));

    expect(fromEntry).not.toBe(fromEnvironment);
    expect(bedrockClientForRegion('ca-central-1')).toBe(Reflect.get(fromEnvironment, 'client'));
    expect(bedrockClientForRegion('eu-central-1')).toBe(Reflect.get(fromEntry, 'client'));
  });

  it('falls back to AWS_DEFAULT_REGION, and treats an empty variable as unset', () => {
    expect(regionOf('eu-west-1', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('eu-west-1');
    expect(regionOf(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-east-1');
    expect(regionOf(undefined, { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(regionOf(undefined, {})).toBeUndefined();
  });

  it('loads an entry without any region, and fails its calls with a configuration error that says so', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');

    // Act
    const model = createBedrockModel(entry({}));
    const generated = model.generate({ messages: [userText('Hi')] });
    const streamed = model.stream({ messages: [userText('Hi')] });

    // Assess
    for (const rejection of [generated, streamed]) {
      await expect(rejection).rejects.toBeInstanceOf(UpstreamError);
      await expect(rejection).rejects.toMatchObject({ status: 500, type: 'server_error', code: 'upstream_region_missing', message: expect.stringMatching(/AWS_REGION/) });
    }
  });

  it('refuses an entry without a model id', () => {
    expect(() => createBedrockModel({ ...entry({}), model: undefined })).toThrow(/needs "model"/);
  });
});
