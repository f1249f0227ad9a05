import type { KnowledgeService } from '../core/knowledge/knowledge-service.js';
import { createKnowledgeService } from '../knowledge/index.js';
import { bedrockAgentRuntimeClients } from './aws/agent-runtime-clients.js';
import type { RuntimeParts } from './runtime-parts.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The knowledge-base service over the configured knowledge bases (its own file: only the functions that search import it). */
export const knowledgeServiceOf = (options: RuntimeOptions, parts: RuntimeParts): KnowledgeService =>
  createKnowledgeService({
    config: options.config,
    logger: parts.logger,
    metrics: parts.metrics,
    baseDirectory: options.baseDirectory ?? process.cwd(),
    cacheDirectory: options.knowledgeCacheDirectory,
    bedrockClient: bedrockAgentRuntimeClients(options.aws),
  });
