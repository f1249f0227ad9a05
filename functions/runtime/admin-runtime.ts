import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import type { KnowledgeService } from '../core/knowledge/knowledge-service.js';
import type { McpService } from '../core/mcp/mcp-service.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { coreDependenciesOf, notServed, runtimePartsOf } from './runtime-parts.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The admin function's gateway: keys, teams, spend logs and health over the stores; nothing else. */
export const createAdminRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  return createGateway({
    ...coreDependenciesOf(options, parts, 'admin'),
    catalog: notServed<ModelCatalog>('models', 'admin'),
    knowledge: notServed<KnowledgeService>('knowledge bases', 'admin'),
    mcp: notServed<McpService>('MCP', 'admin'),
  });
};
