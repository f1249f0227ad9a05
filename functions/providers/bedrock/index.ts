import { perRegion, regionOf } from '../../aws/regions.js';
import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import { BedrockLanguageModel } from './bedrock-language-model.js';
import { BedrockRuntimeClient } from './bedrock-runtime-client.js';

export { BedrockLanguageModel, type BedrockLanguageModelOptions } from './bedrock-language-model.js';
export { BedrockRuntimeClient, type BedrockRuntimeClientOptions } from './bedrock-runtime-client.js';

/** The client for a region, shared by every model in it; without a region, a client whose every call fails with a configuration error. */
export const bedrockClientForRegion = perRegion((region) => new BedrockRuntimeClient({ region }));

/** Creates the model for a `provider: bedrock` config entry, in the region `regionOf` picks. */
export const createBedrockModel = (config: ModelConfig, options: { client?: BedrockRuntimeClient } = {}): LanguageModel => {
  if (!config.model) throw new Error(`Bedrock model "${config.name}" needs "model" (a Bedrock model or inference profile id).`);
  const client = options.client ?? bedrockClientForRegion(regionOf(config.region));
  return new BedrockLanguageModel({ modelId: config.model, client });
};
