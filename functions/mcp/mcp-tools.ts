/**
 * MCP tools without the MCP endpoints: what chat completions need for
 * `{"type": "mcp"}` tools (list the caller's tools, call one). Nothing here
 * imports `@modelcontextprotocol/sdk` (a test bundles the chat function to
 * hold that), so the chat function carries neither the SDK nor its JSON
 * Schema validator; the endpoints in index.ts build on these same parts.
 */
import type { TollwayConfig } from '../core/config/schema.js';
import { GatewayError, UpstreamError } from '../core/errors.js';
import type { GatewayLogger } from '../core/logger.js';
import type { McpService, McpToolDescription, McpToolResult } from '../core/mcp/mcp-service.js';
import type { GatewayMetrics } from '../core/metrics.js';
import type { BuiltInTool } from './built-in-tools.js';
import { FederatedTools, type FederatedTool } from './federated-tools.js';
import type { HostCheck } from './host-check.js';
import type { ToolCallAudit } from './tool-call-audit.js';
import { UpstreamPool } from './upstream-pool.js';
import { toolResultSchema } from './upstream-results.js';

export interface McpServiceOptions {
  config: TollwayConfig;
  /** Resolves `env:`/`secret:` references inside header values; `field` names the config field in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  fetch?: typeof fetch;
  /** Tools the gateway serves itself beside the upstream ones (none by default). */
  builtInTools?: readonly BuiltInTool[];
  /** How long an upstream's tool list is trusted (30 s by default). */
  toolListTtlMs?: number;
  /** DNS rebinding protection for the `/mcp` endpoints (the local server); none when absent. */
  hostCheck?: HostCheck;
}

/** The tool half of the MCP port, with a `close` for hosts and tests that end before the process does. */
export type McpToolsService = Pick<McpService, 'listTools' | 'callTool'> & { close(): Promise<void> };

/** The parts MCP is built from: the upstream pool, the federated catalogue, the tool-call audit, and the tools service over them. */
export interface McpTools {
  pool: UpstreamPool;
  federated: FederatedTools;
  audit: ToolCallAudit;
  service: McpToolsService;
}

/** The upstream pool and tool federation, and the REST/chat face of them: `listTools` and `callTool`. */
export const createMcpTools = (options: McpServiceOptions): McpTools => {
  const pool = new UpstreamPool(options.config.mcp_servers, {
    resolveSecret: options.resolveSecret,
    fetch: options.fetch,
    toolListTtlMs: options.toolListTtlMs,
  });
  const audit = { logger: options.logger, metrics: options.metrics };
  const builtInServers = new Set((options.builtInTools ?? []).map((tool) => tool.server));
  const federated = new FederatedTools({ pool, builtInTools: options.builtInTools ?? [], audit, logger: options.logger });

  const service: McpToolsService = {
    async listTools(access, filter) {
      // A server named by the caller (a chat `mcp` tool's server_label) must exist, or the model would silently get no tools.
      if (filter?.server !== undefined && !pool.has(filter.server) && !builtInServers.has(filter.server)) {
        throw new GatewayError(404, `Unknown MCP server "${filter.server}".`, { code: 'mcp_server_not_found' });
      }
      return (await federated.list(access, filter)).map(describeTool);
    },

    async callTool(access, name, args, callOptions) {
      const tool = await federated.resolve(access, name);
      const result = toolResultSchema.safeParse(await federated.call(access, tool, args, callOptions?.abortSignal));
      if (!result.success) {
        throw new UpstreamError(502, `MCP server "${tool.server}" returned a malformed tool result.`, { code: 'mcp_upstream_error' });
      }
      return result.data satisfies McpToolResult;
    },

    close: () => pool.close(),
  };
  return { pool, federated, audit, service };
};

/** The tools service alone (the chat function's MCP). */
export const createMcpToolsService = (options: McpServiceOptions): McpToolsService => createMcpTools(options).service;

const describeTool = (tool: FederatedTool): McpToolDescription => ({
  name: tool.name,
  server: tool.server,
  tool: tool.tool,
  description: tool.description,
  inputSchema: tool.inputSchema,
});
