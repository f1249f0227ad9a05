import { join } from 'node:path';
import type { KnowledgeBaseConfig, TollwayConfig } from '../core/config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { KnowledgeBaseDescription, KnowledgeService } from '../core/knowledge/knowledge-service.js';
import type { GatewayLogger } from '../core/logger.js';
import type { GatewayMetrics } from '../core/metrics.js';
import { createRetriever, type RetrieverContext } from './create-retriever.js';
import type { Retriever } from './retriever.js';

export { knowledgeBaseIdVariable } from './knowledge-base-environment.js';
export type { Retriever } from './retriever.js';

export interface KnowledgeServiceOptions {
  config: TollwayConfig;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  /** Folder that relative `path`s of local knowledge bases are resolved against. */
  baseDirectory: string;
  /** Where local indexes are saved; `<baseDirectory>/.tollway/knowledge` by default. */
  cacheDirectory?: string;
  /** For `AWS_REGION` and the ids of provisioned knowledge bases; `process.env` by default. */
  environment?: Record<string, string | undefined>;
  /** The AWS SDK's Bedrock Agent Runtime client of a region, made by the composition root; needed only by `bedrock` knowledge bases. */
  bedrockClient?: RetrieverContext['bedrockClient'];
}

/**
 * The knowledge-base service over the configured knowledge bases: Bedrock
 * Knowledge Bases and local folders. Retrievers are made on first use; every
 * search is counted in `Retrievals` and `RetrievalLatency`.
 */
export const createKnowledgeService = (options: KnowledgeServiceOptions): KnowledgeService => {
  const { config, metrics } = options;
  const bases = new Map<string, KnowledgeBaseConfig>(config.knowledge_bases.map((base) => [base.name, base]));
  const context: RetrieverContext = {
    logger: options.logger,
    baseDirectory: options.baseDirectory,
    cacheDirectory: options.cacheDirectory ?? join(options.baseDirectory, '.tollway', 'knowledge'),
    environment: options.environment ?? process.env,
    bedrockClient:
      options.bedrockClient ??
      (() => {
        throw new Error('no Bedrock Agent Runtime client was composed for bedrock knowledge bases');
      }),
  };
  const retrievers = new Map<string, Retriever>();
  const retrieverFor = (base: KnowledgeBaseConfig): Retriever => {
    let retriever = retrievers.get(base.name);
    if (!retriever) {
      retriever = createRetriever(base, context);
      retrievers.set(base.name, retriever);
    }
    return retriever;
  };

  return {
    list: () =>
      config.knowledge_bases.map(
        (base): KnowledgeBaseDescription => ({ name: base.name, provider: base.provider, ...(base.description ? { description: base.description } : {}) }),
      ),

    async search(name, query, searchOptions) {
      const base = bases.get(name);
      if (!base) throw new GatewayError(404, `Unknown knowledge base "${name}".`, { code: 'knowledge_base_not_found' });
      const startedAt = performance.now();
      try {
        return await retrieverFor(base).retrieve(query, searchOptions);
      } finally {
        metrics.record('Retrievals', 1, { knowledge_base: name });
        metrics.record('RetrievalLatency', Math.round(performance.now() - startedAt), { knowledge_base: name });
      }
    },
  };
};
