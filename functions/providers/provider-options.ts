import type { ModelConfig } from '../core/config/schema.js';
import type { BedrockClientForRegion } from './bedrock/index.js';

export interface ProviderOptions {
  /** Resolves `env:`/`secret:` references inside a config value; `field` names it in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
  fetch?: typeof fetch;
  /** The AWS SDK's Bedrock Runtime client of a region, made by the composition root; needed only by `bedrock` entries. */
  bedrockClient?: BedrockClientForRegion;
}

/** The Bedrock clients of the options; a composition that gave none cannot serve a `bedrock` entry. */
export const bedrockClientOf = (options: ProviderOptions, config: ModelConfig): BedrockClientForRegion => {
  if (!options.bedrockClient) throw new Error(`models[${config.name}]: no Bedrock Runtime client was composed for provider bedrock`);
  return options.bedrockClient;
};
