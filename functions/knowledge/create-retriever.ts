import { join, resolve } from 'node:path';
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { KnowledgeBaseConfig } from '../core/config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { GatewayLogger } from '../core/logger.js';
import { BedrockRetriever, type BedrockRerankingOptions } from './bedrock/bedrock-retriever.js';
import { knowledgeBaseRegion, rerankingModelArn } from './bedrock/knowledge-base-region.js';
import { knowledgeBaseIdVariable } from './knowledge-base-environment.js';
import { LocalRetriever } from './local/local-retriever.js';
import type { Retriever } from './retriever.js';

export interface RetrieverContext {
  logger: GatewayLogger;
  /** Where relative local paths start. */
  baseDirectory: string;
  /** Where local indexes are saved, one file per knowledge base. */
  cacheDirectory: string;
  environment: Record<string, string | undefined>;
  /** The AWS SDK's Bedrock Agent Runtime client of a region, made by the composition root. */
  bedrockClient: (region: string | undefined) => BedrockAgentRuntimeClient;
}

const bedrockRetriever = (base: Extract<KnowledgeBaseConfig, { provider: 'bedrock' }>, context: RetrieverContext): Retriever => {
  // None at all is left for the first search to report, so a config without one still loads.
  const region = knowledgeBaseRegion(base.region, context.environment);
  const knowledgeBaseId = base.knowledge_base_id || context.environment[knowledgeBaseIdVariable(base.name)];
  if (!knowledgeBaseId) {
    throw new GatewayError(500, `Knowledge base "${base.name}" has no Bedrock knowledge base id.`, { type: 'server_error', code: 'knowledge_base_unavailable' });
  }
  const settings = base;
  let reranking: BedrockRerankingOptions | undefined;
  if (settings.reranking_model) {
    const modelArn = rerankingModelArn(settings.reranking_model, region);
    if (modelArn) reranking = { modelArn, numberOfRerankedResults: settings.reranking_results };
    else context.logger.warn('reranking disabled: no region to build the model ARN in', { knowledge_base: base.name });
  }
  return new BedrockRetriever({
    name: base.name,
    knowledgeBaseId,
    client: context.bedrockClient(region),
    searchType: settings.search_type === 'hybrid' ? 'HYBRID' : settings.search_type === 'semantic' ? 'SEMANTIC' : undefined,
    reranking,
  });
};

/** The retriever for one configured knowledge base. */
export const createRetriever = (base: KnowledgeBaseConfig, context: RetrieverContext): Retriever => {
  if (base.provider === 'bedrock') return bedrockRetriever(base, context);
  return new LocalRetriever({
    name: base.name,
    folder: resolve(context.baseDirectory, base.path),
    cacheFile: join(context.cacheDirectory, `${base.name}.json`),
    logger: context.logger,
  });
};
