import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import type { McpService } from '../core/mcp/mcp-service.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { coreDependenciesOf, notServed, runtimePartsOf } from './runtime-parts.js';
import { knowledgeServiceOf } from './knowledge-part.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The retrieve function's gateway: knowledge bases and the stores; no providers, no MCP. */
export const createRetrieveRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  return createGateway({
    ...coreDependenciesOf(options, parts, 'retrieve'),
    catalog: notServed<ModelCatalog>('models', 'retrieve'),
    knowledge: knowledgeServiceOf(options, parts),
    mcp: notServed<McpService>('MCP', 'retrieve'),
  });
};
