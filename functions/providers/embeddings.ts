import type { ModelConfig } from '../core/config/schema.js';
import type { EmbeddingModel } from '../core/embeddings/embedding-model.js';
import { createBedrockEmbeddingModel } from './bedrock/embeddings/index.js';
import { EchoEmbeddingModel } from './echo/echo-embedding-model.js';
import { bedrockClientOf, type ProviderOptions } from './provider-options.js';
import { createOpenAIEmbeddingModel } from './openai-compatible/embeddings/index.js';

/**
 * Creates the embeddings provider for one `mode: embedding` config entry.
 * Providers without an embeddings API (Anthropic) are a configuration error.
 */
export const createEmbeddingModel = (config: ModelConfig, options: ProviderOptions): EmbeddingModel => {
  const provider: string = config.provider;
  switch (provider) {
    case 'bedrock':
      return createBedrockEmbeddingModel(config, bedrockClientOf(options, config));
    case 'openai':
    case 'openai-compatible':
    case 'azure-openai':
      return createOpenAIEmbeddingModel(config, options);
    case 'echo':
      return new EchoEmbeddingModel(config.model ?? 'echo-embedding');
    default:
      throw new Error(`models[${config.name}].provider: provider ${provider} offers no embeddings (mode: embedding).`);
  }
};
