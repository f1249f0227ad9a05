import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelSchema } from '../../../functions/core/config/schema.js';
import { UpstreamError } from '../../../functions/core/errors.js';
import { createBedrockModel } from '../../../functions/providers/bedrock/index.js';
import { bedrockRuntimeClients } from '../../../functions/runtime/aws/bedrock-clients.js';
import { loadResponseFixture, userText } from './bedrock-test-helpers.js';
import { bedrockClientAt, startLocalBedrock, stopLocalBedrocks } from '../../support/local-bedrock.js';

const entry = (fields: Record<string, unknown>) => modelSchema.parse({ name: 'claude', provider: 'bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', ...fields });

describe('createBedrockModel', () => {
  afterEach(async () => {
    vi.unstubAllEnvs();
    await stopLocalBedrocks();
  });

  it('creates a Bedrock model that calls the client of its region with the configured model id', async () => {
    // Prepare
    const { endpoint, received } = await startLocalBedrock(() => ({ json: loadResponseFixture('text') }));
    const regions: Array<string | undefined> = [];

    // Act
    const model = createBedrockModel(entry({ region: 'eu-west-3' }), (region) => {
      regions.push(region);
      return bedrockClientAt(endpoint);
    });
    await model.generate({ messages: [userText('Hi')] });

    // Assess
    expect(model).toMatchObject({ provider: 'bedrock', modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' });
    expect(regions).toEqual(['eu-west-3']);
    expect(received[0].path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
  });

  it('shares one SDK client per region within a runtime, and none across runtimes', async () => {
    const clients = bedrockRuntimeClients();
    const first = clients('eu-west-3');

    expect(clients('eu-west-3')).toBe(first);
    expect(clients('ap-south-1')).not.toBe(first);
    expect(bedrockRuntimeClients()('eu-west-3')).not.toBe(first);
    expect(await first.config.region()).toBe('eu-west-3');
  });

  it('leaves an entry without a region to the SDK: AWS_REGION', async () => {
    vi.stubEnv('AWS_REGION', 'ca-central-1');

    expect(await bedrockRuntimeClients()(undefined).config.region()).toBe('ca-central-1');
    expect(await bedrockRuntimeClients({ region: 'eu-north-1' })(undefined).config.region()).toBe('eu-north-1');
  });

  it('resolves the endpoint the SDK way: AWS_ENDPOINT_URL_BEDROCK_RUNTIME, FIPS, other partitions', async () => {
    const endpointOf = async (region: string) => {
      const client = bedrockRuntimeClients()(region);
      const endpoint = await client.config.endpointProvider({ Region: region, UseFIPS: await client.config.useFipsEndpoint(), UseDualStack: await client.config.useDualstackEndpoint() });
      return endpoint.url.href;
    };

    expect(await endpointOf('cn-north-1')).toBe('https://bedrock-runtime.cn-north-1.amazonaws.com.cn/');
    vi.stubEnv('AWS_USE_FIPS_ENDPOINT', 'true');
    expect(await endpointOf('us-gov-west-1')).toBe('https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/');
  });

  it('sends to the endpoint AWS_ENDPOINT_URL_BEDROCK_RUNTIME names', async () => {
    // Prepare
    const { endpoint, received } = await startLocalBedrock(() => ({ json: loadResponseFixture('text') }));
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', endpoint);
    const model = createBedrockModel(entry({ region: 'eu-west-1' }), bedrockRuntimeClients({ credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' } }));

    // Act
    await model.generate({ messages: [userText('Hi')] });

    // Assess
    expect(received).toHaveLength(1);
    expect(String(received[0].headers.authorization)).toContain('/eu-west-1/bedrock/aws4_request');
  });

  it('loads an entry without any region, and fails its calls with a configuration error that says so', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent');

    // Act
    const model = createBedrockModel(entry({}), bedrockRuntimeClients({ credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const generated = model.generate({ messages: [userText('Hi')] });
    const streamed = model.stream({ messages: [userText('Hi')] });

    // Assess
    for (const rejection of [generated, streamed]) {
      await expect(rejection).rejects.toBeInstanceOf(UpstreamError);
      await expect(rejection).rejects.toMatchObject({ status: 500, type: 'server_error', code: 'upstream_region_missing', message: expect.stringMatching(/AWS_REGION/) });
    }
  });

  it('refuses an entry without a model id', () => {
    expect(() => createBedrockModel({ ...entry({}), model: undefined }, bedrockRuntimeClients())).toThrow(/needs "model"/);
  });
});
