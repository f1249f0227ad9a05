import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { createMcpService } from '../mcp/index.js';
import { coreDependenciesOf, mcpServiceOptionsOf, notServed, runtimePartsOf } from './runtime-parts.js';
import { knowledgeServiceOf } from './knowledge-part.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The MCP function's gateway: MCP with the built-in knowledge-base tool, and the stores; no model providers. */
export const createMcpRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  const knowledge = knowledgeServiceOf(options, parts);
  return createGateway({
    ...coreDependenciesOf(options, parts, 'mcp'),
    catalog: notServed<ModelCatalog>('models', 'mcp'),
    knowledge,
    mcp: createMcpService(mcpServiceOptionsOf(options, parts, knowledge)),
  });
};
