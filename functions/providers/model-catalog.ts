import type { ModelConfig, TollwayConfig } from '../core/config/schema.js';
import type { LanguageModel } from '../core/language-model.js';
import type { Deployment, ModelCatalog } from '../core/model-catalog.js';
import { createBedrockModel } from './bedrock/index.js';
import { EchoLanguageModel } from './echo/echo-language-model.js';
import { createOpenAICompatibleModel } from './openai-compatible/index.js';

export interface ProviderOptions {
  /** Resolves `env:`/`secret:` references inside a config value; `field` names it in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
  fetch?: typeof fetch;
}

/** Creates the provider for one config entry. */
export const createLanguageModel = (config: ModelConfig, options: ProviderOptions): LanguageModel => {
  switch (config.provider) {
    case 'bedrock':
      return createBedrockModel(config, {});
    case 'openai':
    case 'openai-compatible':
      return createOpenAICompatibleModel(config, options);
    case 'echo':
      return new EchoLanguageModel(config.model ?? 'echo');
  }
};

/** The model catalog of a config: chat models by name, each with its deployments. */
export const createModelCatalog = (config: TollwayConfig, options: ProviderOptions): ModelCatalog => {
  const byName = new Map<string, Deployment[]>();
  for (const entry of config.models) {
    if (entry.mode !== 'chat') continue;
    const deployments = byName.get(entry.name) ?? [];
    deployments.push({ config: entry, model: createLanguageModel(entry, options) });
    byName.set(entry.name, deployments);
  }
  const names = [...byName.keys()];
  return {
    deployments: (name) => byName.get(name),
    names: () => names,
  };
};
