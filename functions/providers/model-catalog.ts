import type { ModelConfig, TollwayConfig } from '../core/config/schema.js';
import type { LanguageModel } from '../core/language-model.js';
import type { Deployment, EmbeddingDeployment, ModelCatalog } from '../core/model-catalog.js';
import { createAnthropicModel } from './anthropic/index.js';
import { createAzureOpenAIModel } from './azure-openai/index.js';
import { createBedrockModel } from './bedrock/index.js';
import { EchoLanguageModel } from './echo/echo-language-model.js';
import { createEmbeddingModel } from './embeddings.js';
import { createOpenAICompatibleModel } from './openai-compatible/index.js';
import { bedrockClientOf, type ProviderOptions } from './provider-options.js';

export type { ProviderOptions } from './provider-options.js';

/** Creates the chat provider for one config entry. */
export const createLanguageModel = (config: ModelConfig, options: ProviderOptions): LanguageModel => {
  switch (config.provider) {
    case 'bedrock':
      return createBedrockModel(config, bedrockClientOf(options, config));
    case 'openai':
    case 'openai-compatible':
      return createOpenAICompatibleModel(config, options);
    case 'azure-openai':
      return createAzureOpenAIModel(config, options);
    case 'anthropic':
      return createAnthropicModel(config, options);
    case 'echo':
      return new EchoLanguageModel(config.model ?? 'echo');
  }
};

const groupByName = <Value>(entries: ModelConfig[], create: (entry: ModelConfig) => Value): Map<string, Array<{ config: ModelConfig; model: Value }>> => {
  const byName = new Map<string, Array<{ config: ModelConfig; model: Value }>>();
  for (const entry of entries) {
    const deployments = byName.get(entry.name) ?? [];
    deployments.push({ config: entry, model: create(entry) });
    byName.set(entry.name, deployments);
  }
  return byName;
};

/** The model catalog of a config: models by name, each with its deployments. */
export const createModelCatalog = (config: TollwayConfig, options: ProviderOptions): ModelCatalog => {
  const chat: Map<string, Deployment[]> = groupByName(
    config.models.filter((entry) => entry.mode === 'chat'),
    (entry) => createLanguageModel(entry, options),
  );
  const embedding: Map<string, EmbeddingDeployment[]> = groupByName(
    config.models.filter((entry) => entry.mode === 'embedding'),
    (entry) => createEmbeddingModel(entry, options),
  );
  const names = [...new Set(config.models.map((entry) => entry.name))];
  return {
    deployments: (name) => chat.get(name),
    embeddingDeployments: (name) => embedding.get(name),
    names: () => names,
  };
};
