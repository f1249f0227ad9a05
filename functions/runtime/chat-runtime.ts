import { createGateway } from '../core/gateway.js';
import type { Gateway } from '../core/gateway-types.js';
import type { McpService } from '../core/mcp/mcp-service.js';
import { createMcpToolsService } from '../mcp/mcp-tools.js';
import { createModelCatalog } from '../providers/model-catalog.js';
import { coreDependenciesOf, mcpServiceOptionsOf, notServed, runtimePartsOf } from './runtime-parts.js';
import { knowledgeServiceOf } from './knowledge-part.js';
import { bedrockRuntimeClients } from './aws/bedrock-clients.js';
import type { RuntimeOptions } from './runtime-options.js';

/**
 * The chat function's gateway: providers, knowledge bases (file_search), the
 * stores, and MCP tools for `{"type": "mcp"}` tools. Only the tools: the
 * `/mcp` endpoints (and the MCP SDK they are served with) are the mcp
 * function's, so this bundle does not carry the SDK.
 */
export const createChatRuntime = (options: RuntimeOptions): Gateway => {
  const parts = runtimePartsOf(options);
  const knowledge = knowledgeServiceOf(options, parts);
  const tools = createMcpToolsService(mcpServiceOptionsOf(options, parts, knowledge));
  return createGateway({
    ...coreDependenciesOf(options, parts, 'chat'),
    catalog: createModelCatalog(options.config, { resolveSecret: parts.resolveSecret, fetch: options.fetch, bedrockClient: bedrockRuntimeClients(options.aws) }),
    knowledge,
    mcp: {
      handle: notServed<McpService>('the MCP endpoints', 'chat').handle,
      listTools: tools.listTools,
      callTool: tools.callTool,
    },
  });
};
