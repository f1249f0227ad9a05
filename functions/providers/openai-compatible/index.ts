import type { ModelConfig } from '../../core/config/schema.js';
import type { LanguageModel } from '../../core/language-model.js';
import { OpenAICompatibleLanguageModel } from './openai-compatible-language-model.js';

export { OpenAICompatibleLanguageModel, type OpenAICompatibleModelOptions } from './openai-compatible-language-model.js';

/** Where provider `openai` goes when the entry gives no `base_url`. */
export const openAIDefaultBaseUrl = 'https://api.openai.com/v1';

export interface CreateOpenAICompatibleModelOptions {
  /** Replaces `env:`/`secret:` references in a config value; `field` names it in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
  fetch?: typeof fetch;
}

/** Runs `load` once, on first use; a failure is forgotten so the next call tries again. */
export const lazily = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

/** Builds the model for a config entry of provider `openai` or `openai-compatible`; secrets are resolved on the first call. */
export const createOpenAICompatibleModel = (config: ModelConfig, options: CreateOpenAICompatibleModelOptions): LanguageModel => {
  const field = `models[${config.name}]`;
  const baseUrl = config.base_url ?? (config.provider === 'openai' ? openAIDefaultBaseUrl : undefined);
  if (!baseUrl) throw new Error(`${field}.base_url: provider ${config.provider} needs a base URL`);
  if (!config.model) throw new Error(`${field}.model: provider ${config.provider} needs a model id`);
  const { api_key: apiKey, headers } = config;
  return new OpenAICompatibleLanguageModel({
    provider: config.provider,
    modelId: config.model,
    baseUrl,
    apiKey: apiKey === undefined ? undefined : lazily(() => options.resolveSecret(apiKey, `${field}.api_key`)),
    headers:
      headers === undefined
        ? undefined
        : lazily(async () => {
            const entries = Object.entries(headers).map(
              async ([name, value]) => [name, await options.resolveSecret(value, `${field}.headers.${name}`)] as const,
            );
            return Object.fromEntries(await Promise.all(entries));
          }),
    fetch: options.fetch,
    // OpenAI's reasoning models refuse `max_tokens`; its successor works for every OpenAI chat model.
    maxTokensField: config.provider === 'openai' ? 'max_completion_tokens' : 'max_tokens',
  });
};
