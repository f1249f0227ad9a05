import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import { BedrockLanguageModel } from './bedrock-language-model.js';
import { BedrockRuntimeClient } from './bedrock-runtime-client.js';

export { BedrockLanguageModel, type BedrockLanguageModelOptions } from './bedrock-language-model.js';
export { BedrockRuntimeClient, type BedrockRuntimeClientOptions } from './bedrock-runtime-client.js';

/**
 * The region a Bedrock entry calls: its own `region`, else the function's
 * (`AWS_REGION`, which Lambda sets, then `AWS_DEFAULT_REGION`); none at all
 * is left for the first call to report, so a config without one still loads.
 */
export const bedrockRegionOf = (configured: string | undefined, environment: Record<string, string | undefined> = process.env): string | undefined =>
  configured || environment.AWS_REGION || environment.AWS_DEFAULT_REGION || undefined;

/** One client per region, shared by every model in it and kept across warm Lambda invocations. */
const clientsByRegion = new Map<string, BedrockRuntimeClient>();

/** The cached client for a region; without a region, a client whose every call fails with a configuration error. */
export const bedrockClientForRegion = (region: string | undefined): BedrockRuntimeClient => {
  const key = region ?? '';
  let client = clientsByRegion.get(key);
  if (!client) {
    client = new BedrockRuntimeClient({ region });
    clientsByRegion.set(key, client);
  }
  return client;
};

/** Creates the model for a `provider: bedrock` config entry, in the region `bedrockRegionOf` picks. */
export const createBedrockModel = (config: ModelConfig, options: { client?: BedrockRuntimeClient } = {}): LanguageModel => {
  if (!config.model) throw new Error(`Bedrock model "${config.name}" needs "model" (a Bedrock model or inference profile id).`);
  const client = options.client ?? bedrockClientForRegion(bedrockRegionOf(config.region));
  return new BedrockLanguageModel({ modelId: config.model, client });
};
