// Placeholder until knowledge bases land: no knowledge bases.
import type { TollwayConfig } from '../core/config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { KnowledgeService } from '../core/knowledge/knowledge-service.js';
import type { GatewayLogger } from '../core/logger.js';
import type { GatewayMetrics } from '../core/metrics.js';

export interface KnowledgeServiceOptions {
  config: TollwayConfig;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  /** Folder that relative `path`s of local knowledge bases are resolved against. */
  baseDirectory: string;
}

export const createKnowledgeService = (_options: KnowledgeServiceOptions): KnowledgeService => ({
  list: () => [],
  search: async () => {
    throw new GatewayError(501, 'Knowledge bases are not available yet.', { type: 'server_error', code: 'not_implemented' });
  },
});
