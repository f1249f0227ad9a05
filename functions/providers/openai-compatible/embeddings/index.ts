import type { ModelConfig } from '../../../core/config/schema.js';
import type { EmbeddingModel } from '../../../core/embeddings/embedding-model.js';
import { azureDeploymentUrls, azureHeaders } from '../../azure-openai/index.js';
import type { ProviderOptions } from '../../provider-options.js';
import { openAIDefaultBaseUrl } from '../index.js';
import { lazyConfigSecrets } from '../resolve-config-secrets.js';
import { OpenAIEmbeddingModel } from './openai-embedding-model.js';

export { OpenAIEmbeddingModel, openAIEmbeddingMaxBatchSize, type OpenAIEmbeddingModelOptions } from './openai-embedding-model.js';

/** Bearer-token headers for OpenAI and compatible servers: `api_key` as `Authorization`, configured headers win. */
const bearerHeaders = (config: ModelConfig, options: ProviderOptions): (() => Promise<Record<string, string>>) => {
  const secrets = lazyConfigSecrets(config, options.resolveSecret);
  return async () => {
    const [apiKey, headers] = await Promise.all([secrets.apiKey?.(), secrets.headers?.()]);
    return { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers };
  };
};

/**
 * Creates the embeddings model for a `mode: embedding` entry of provider
 * `openai`, `openai-compatible` or `azure-openai` (deployment URL, `api-key` header).
 */
export const createOpenAIEmbeddingModel = (config: ModelConfig, options: ProviderOptions): EmbeddingModel => {
  const field = `models[${config.name}]`;
  const provider: string = config.provider;
  if (provider === 'azure-openai') {
    const urls = azureDeploymentUrls(config);
    return new OpenAIEmbeddingModel({
      provider,
      modelId: urls.deployment,
      embeddingsUrl: urls.operationUrl('embeddings'),
      headers: azureHeaders(config, options),
      fetch: options.fetch,
    });
  }
  const baseUrl = config.base_url ?? (provider === 'openai' ? openAIDefaultBaseUrl : undefined);
  if (!baseUrl) throw new Error(`${field}.base_url: provider ${provider} needs a base URL`);
  if (!config.model) throw new Error(`${field}.model: provider ${provider} needs a model id`);
  return new OpenAIEmbeddingModel({
    provider,
    modelId: config.model,
    embeddingsUrl: `${baseUrl.replace(/\/+$/, '')}/embeddings`,
    headers: bearerHeaders(config, options),
    fetch: options.fetch,
  });
};
