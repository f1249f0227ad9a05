import type { TollwayConfig } from '../core/config/schema.js';
import { GatewayError, UpstreamError } from '../core/errors.js';
import type { GatewayLogger } from '../core/logger.js';
import type { McpAccess, McpService, McpToolDescription, McpToolResult } from '../core/mcp/mcp-service.js';
import type { GatewayMetrics } from '../core/metrics.js';
import type { BuiltInTool } from './built-in-tools.js';
import { federatedServer } from './federated-endpoint.js';
import { FederatedTools, type FederatedTool } from './federated-tools.js';
import { serveMcp } from './serve-mcp.js';
import { upstreamServer } from './server-endpoint.js';
import { UpstreamPool } from './upstream-pool.js';
import { toolResultSchema } from './upstream-results.js';

export type { BuiltInTool } from './built-in-tools.js';

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
}

/** The MCP gateway, with a `close` for hosts and tests that end before the process does. */
export type ClosableMcpService = McpService & { close(): Promise<void> };

/** The MCP gateway: upstream client pool, tool federation, the `/mcp` endpoints and the REST tool calls. */
export const createMcpService = (options: McpServiceOptions): ClosableMcpService => {
  const pool = new UpstreamPool(options.config.mcp_servers, {
    resolveSecret: options.resolveSecret,
    fetch: options.fetch,
    toolListTtlMs: options.toolListTtlMs,
  });
  const audit = { logger: options.logger, metrics: options.metrics };
  const builtInServers = new Set((options.builtInTools ?? []).map((tool) => tool.server));
  const tools = new FederatedTools({ pool, builtInTools: options.builtInTools ?? [], audit, logger: options.logger });
  const serveOptions = (access: McpAccess) => ({
    maxBodyBytes: options.config.settings.max_body_bytes,
    logger: options.logger,
    requestId: access.requestId,
  });

  return {
    async handle(request, access, server) {
      if (server === undefined) return serveMcp(federatedServer(tools, access), request, serveOptions(access));
      const connection = pool.get(server);
      if (!connection) throw new GatewayError(404, `Unknown MCP server "${server}".`, { code: 'mcp_server_not_found' });
      if (!access.allowsServer(server)) {
        throw new GatewayError(403, `MCP server "${server}" is not allowed for this API key.`, { code: 'mcp_server_not_allowed' });
      }
      return serveMcp(await upstreamServer(connection, access, audit), request, serveOptions(access));
    },

    async listTools(access, filter) {
      // A server named by the caller (a chat `mcp` tool's server_label) must exist, or the model would silently get no tools.
      if (filter?.server !== undefined && !pool.get(filter.server) && !builtInServers.has(filter.server)) {
        throw new GatewayError(404, `Unknown MCP server "${filter.server}".`, { code: 'mcp_server_not_found' });
      }
      return (await tools.list(access, filter)).map(describeTool);
    },

    async callTool(access, name, args, callOptions) {
      const tool = await tools.resolve(access, name);
      const result = toolResultSchema.safeParse(await tools.call(access, tool, args, callOptions?.abortSignal));
      if (!result.success) {
        throw new UpstreamError(502, `MCP server "${tool.server}" returned a malformed tool result.`, { code: 'mcp_upstream_error' });
      }
      return result.data satisfies McpToolResult;
    },

    close: () => pool.close(),
  };
};

const describeTool = (tool: FederatedTool): McpToolDescription => ({
  name: tool.name,
  server: tool.server,
  tool: tool.tool,
  description: tool.description,
  inputSchema: tool.inputSchema,
});
