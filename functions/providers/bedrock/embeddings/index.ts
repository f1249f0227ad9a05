import type { ModelConfig } from '../../../core/config/schema.js';
import type { EmbeddingModel } from '../../../core/embeddings/embedding-model.js';
import type { BedrockClientForRegion } from '../index.js';
import { CohereEmbeddingModel } from './cohere-embedding-model.js';
import { TitanEmbeddingModel } from './titan-embedding-model.js';

export { CohereEmbeddingModel, cohereMaxBatchSize } from './cohere-embedding-model.js';
export { TitanEmbeddingModel, titanDefaultConcurrency, titanV2Dimensions } from './titan-embedding-model.js';

/**
 * Creates the embeddings model for a `provider: bedrock, mode: embedding`
 * entry, chosen by model family (the id may carry a cross-region prefix).
 */
export const createBedrockEmbeddingModel = (config: ModelConfig, clientFor: BedrockClientForRegion): EmbeddingModel => {
  const field = `models[${config.name}].model`;
  if (!config.model) throw new Error(`${field}: Bedrock embedding models need "model" (a Bedrock model id).`);
  const client = clientFor(config.region);
  if (config.model.includes('amazon.titan-embed-text')) return new TitanEmbeddingModel({ modelId: config.model, client });
  if (config.model.includes('cohere.embed')) return new CohereEmbeddingModel({ modelId: config.model, client });
  throw new Error(
    `${field}: ${config.model} is not a supported Bedrock embedding model; use amazon.titan-embed-text-v2:0, cohere.embed-english-v3 or cohere.embed-multilingual-v3.`,
  );
};
