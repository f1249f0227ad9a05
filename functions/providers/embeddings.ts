// Placeholder until embeddings providers land: every embeddings model answers 501.
import type { ModelConfig } from '../core/config/schema.js';
import type { EmbeddingModel } from '../core/embeddings/embedding-model.js';
import { GatewayError } from '../core/errors.js';
import type { ProviderOptions } from './model-catalog.js';

/** Creates the embeddings provider for one `mode: embedding` config entry. */
export const createEmbeddingModel = (config: ModelConfig, _options: ProviderOptions): EmbeddingModel => ({
  provider: config.provider,
  modelId: config.model ?? config.name,
  embed: async () => {
    throw new GatewayError(501, 'Embeddings are not available yet.', { type: 'server_error', code: 'not_implemented' });
  },
});
