import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import type { ProviderOptions } from '../provider-options.js';
import { lazyConfigSecrets } from '../openai-compatible/resolve-config-secrets.js';
import { AnthropicLanguageModel } from './anthropic-language-model.js';

export {
  AnthropicLanguageModel,
  anthropicApiVersion,
  anthropicDefaultBaseUrl,
  type AnthropicLanguageModelOptions,
} from './anthropic-language-model.js';

/**
 * Builds the model for a `provider: anthropic` config entry: `model` is the
 * Anthropic model id, `api_key` the `x-api-key` (resolved on the first call),
 * `base_url` defaults to Anthropic's, `max_output_tokens` caps requests that give none.
 */
export const createAnthropicModel = (config: ModelConfig, options: ProviderOptions): LanguageModel => {
  if (!config.model) throw new Error(`models[${config.name}].model: provider anthropic needs a model id`);
  const secrets = lazyConfigSecrets(config, options.resolveSecret);
  return new AnthropicLanguageModel({
    modelId: config.model,
    baseUrl: config.base_url,
    apiKey: secrets.apiKey,
    headers: secrets.headers,
    fetch: options.fetch,
    defaultMaxTokens: config.max_output_tokens,
  });
};
