import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import { BedrockLanguageModel } from './bedrock-language-model.js';

export { BedrockLanguageModel, type BedrockLanguageModelOptions } from './bedrock-language-model.js';

/** One client per region, shared by every model in it and kept across warm Lambda invocations. */
const clientsByRegion = new Map<string, BedrockRuntimeClient>();

/** The cached client for a region; `undefined` lets the SDK resolve the region from its own chain. */
export const bedrockClientForRegion = (region: string | undefined): BedrockRuntimeClient => {
  const key = region ?? '';
  let client = clientsByRegion.get(key);
  if (!client) {
    // The gateway's router retries and falls back across deployments; SDK retries
    // underneath would multiply the wait before it can fail over.
    client = new BedrockRuntimeClient({ region, maxAttempts: 1 });
    clientsByRegion.set(key, client);
  }
  return client;
};

/** Creates the model for a `provider: bedrock` config entry; the region is `region` or `AWS_REGION`. */
export const createBedrockModel = (config: ModelConfig, options: { client?: BedrockRuntimeClient } = {}): LanguageModel => {
  if (!config.model) throw new Error(`Bedrock model "${config.name}" needs "model" (a Bedrock model or inference profile id).`);
  const client = options.client ?? bedrockClientForRegion(config.region ?? process.env.AWS_REGION);
  return new BedrockLanguageModel({ modelId: config.model, client });
};
