import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import { BedrockLanguageModel } from './bedrock-language-model.js';

export { BedrockLanguageModel, type BedrockLanguageModelOptions } from './bedrock-language-model.js';

/** The Bedrock Runtime client of a region (`undefined`: the SDK's default region), as the composition root makes them. */
export type BedrockClientForRegion = (region: string | undefined) => BedrockRuntimeClient;

/** Creates the model for a `provider: bedrock` config entry, on the client of its `region`. */
export const createBedrockModel = (config: ModelConfig, clientFor: BedrockClientForRegion): LanguageModel => {
  if (!config.model) throw new Error(`Bedrock model "${config.name}" needs "model" (a Bedrock model or inference profile id).`);
  return new BedrockLanguageModel({
    modelId: config.model,
    client: clientFor(config.region),
    settings: { prompt_caching: config.prompt_caching, guardrail: config.guardrail, service_tier: config.service_tier, performance_config: config.performance_config },
  });
};
