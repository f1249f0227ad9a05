import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import { createModelCatalog } from '../providers/model-catalog.js';
import { coreDependenciesOf, lazyMcpService, mcpServiceOptionsOf, runtimePartsOf } from './runtime-parts.js';
import { knowledgeServiceOf } from './knowledge-part.js';
import type { RuntimeOptions } from './runtime-options.js';

/**
 * The chat function's gateway: providers, knowledge bases (file_search) and
 * the stores. MCP (for `{"type": "mcp"}` tools) is imported on first use, so
 * the MCP SDK is not evaluated at cold start.
 */
export const createChatRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  const knowledge = knowledgeServiceOf(options, parts);
  return createGateway({
    ...coreDependenciesOf(options, parts, 'chat'),
    catalog: createModelCatalog(options.config, { resolveSecret: parts.resolveSecret, fetch: options.fetch }),
    knowledge,
    mcp: lazyMcpService(async () => (await import('../mcp/index.js')).createMcpService(mcpServiceOptionsOf(options, parts, knowledge))),
  });
};
