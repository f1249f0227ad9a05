import type { ModelConfig } from './config/schema.js';
import type { EmbeddingModel } from './embeddings/embedding-model.js';
import type { LanguageModel } from './language-model.js';

/** One upstream serving a model name: its config entry and its provider. */
export interface Deployment {
  config: ModelConfig;
  model: LanguageModel;
}

/** One upstream serving an embeddings model name. */
export interface EmbeddingDeployment {
  config: ModelConfig;
  model: EmbeddingModel;
}

/** Port: the configured models, by the name clients send. */
export interface ModelCatalog {
  /** Deployments of a chat model, in config order; undefined for an unknown name. */
  deployments(name: string): Deployment[] | undefined;
  /** Deployments of an embeddings model (`mode: embedding`); undefined for an unknown name. */
  embeddingDeployments(name: string): EmbeddingDeployment[] | undefined;
  /** Every model name (chat and embeddings), in config order. */
  names(): string[];
}
