import type { ModelConfig } from './config/schema.js';
import type { LanguageModel } from './language-model.js';

/** One upstream serving a model name: its config entry and its provider. */
export interface Deployment {
  config: ModelConfig;
  model: LanguageModel;
}

/** Port: the configured models, by the name clients send. */
export interface ModelCatalog {
  /** Deployments of a chat model, in config order; undefined for an unknown name. */
  deployments(name: string): Deployment[] | undefined;
  /** Every chat model name, in config order. */
  names(): string[];
}
