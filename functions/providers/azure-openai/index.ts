import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import type { ProviderOptions } from '../provider-options.js';
import { OpenAICompatibleLanguageModel } from '../openai-compatible/index.js';
import { lazyConfigSecrets } from '../openai-compatible/resolve-config-secrets.js';

/**
 * The api-version used when the entry gives none: the GA version that knows
 * `max_completion_tokens` and `stream_options`, which Tollway sends.
 */
export const azureOpenAIDefaultApiVersion = '2024-10-21';

export interface AzureDeploymentUrls {
  /** The deployment name (the entry's `model`). */
  deployment: string;
  /** `{endpoint}/openai/deployments/{deployment}`. */
  deploymentUrl: string;
  /** Appends an operation (`chat/completions`, `embeddings`) and the api-version query. */
  operationUrl: (operation: string) => string;
}

/**
 * The URLs of one Azure OpenAI deployment. `base_url` is the resource endpoint
 * (`https://{resource}.openai.azure.com`); a trailing `/openai` is tolerated.
 */
export const azureDeploymentUrls = (config: ModelConfig): AzureDeploymentUrls => {
  const field = `models[${config.name}]`;
  if (!config.base_url) throw new Error(`${field}.base_url: provider azure-openai needs the resource endpoint`);
  if (!config.model) throw new Error(`${field}.model: provider azure-openai needs the deployment name`);
  const endpoint = config.base_url.replace(/\/+$/, '').replace(/\/openai$/, '');
  const deploymentUrl = `${endpoint}/openai/deployments/${encodeURIComponent(config.model)}`;
  const apiVersion = encodeURIComponent(config.api_version ?? azureOpenAIDefaultApiVersion);
  return { deployment: config.model, deploymentUrl, operationUrl: (operation) => `${deploymentUrl}/${operation}?api-version=${apiVersion}` };
};

/**
 * The request headers of an Azure entry: its `api_key` as `api-key` (Azure's
 * header, not a bearer token) plus its configured headers, which win — an
 * entry may authenticate with `Authorization: Bearer <Entra token>` instead.
 */
export const azureHeaders = (config: ModelConfig, options: ProviderOptions): (() => Promise<Record<string, string>>) => {
  const secrets = lazyConfigSecrets(config, options.resolveSecret);
  return async () => {
    const [apiKey, headers] = await Promise.all([secrets.apiKey?.(), secrets.headers?.()]);
    return { ...(apiKey ? { 'api-key': apiKey } : {}), ...headers };
  };
};

/** Builds the model for a `provider: azure-openai` entry: `model` is the deployment name, `api_version` the API version. */
export const createAzureOpenAIModel = (config: ModelConfig, options: ProviderOptions): LanguageModel => {
  const urls = azureDeploymentUrls(config);
  return new OpenAICompatibleLanguageModel({
    provider: 'azure-openai',
    modelId: urls.deployment,
    baseUrl: urls.deploymentUrl,
    chatCompletionsUrl: urls.operationUrl('chat/completions'),
    headers: azureHeaders(config, options),
    fetch: options.fetch,
    // Azure's reasoning deployments refuse `max_tokens`; its successor works for every chat deployment.
    maxTokensField: 'max_completion_tokens',
  });
};
