import { GatewayError } from '../core/errors.js';
import type { McpAccess, McpService } from '../core/mcp/mcp-service.js';
import { federatedServer } from './federated-endpoint.js';
import { createMcpTools, type McpServiceOptions } from './mcp-tools.js';
import { serveMcp } from './serve-mcp.js';
import { rebindingRefusal } from './host-check.js';
import { passThrough } from './pass-through.js';

export type { BuiltInTool } from './built-in-tools.js';
export type { McpServiceOptions } from './mcp-tools.js';

/** The MCP gateway, with a `close` for hosts and tests that end before the process does. */
export type ClosableMcpService = McpService & { close(): Promise<void> };

/** The MCP gateway: the tools (upstream pool, federation, REST tool calls) and the `/mcp` endpoints, served with the MCP SDK. */
export const createMcpService = (options: McpServiceOptions): ClosableMcpService => {
  const { pool, federated, audit, service } = createMcpTools(options);
  const serveOptions = (access: McpAccess) => ({
    maxBodyBytes: options.config.settings.max_body_bytes,
    logger: options.logger,
    requestId: access.requestId,
  });

  return {
    ...service,

    async handle(request, access, server) {
      const refusal = rebindingRefusal(request, options.hostCheck);
      if (refusal) return refusal;
      if (server === undefined) return serveMcp(() => federatedServer(federated, access), request, serveOptions(access));
      const connection = pool.get(server);
      if (!connection) throw new GatewayError(404, `Unknown MCP server "${server}".`, { code: 'mcp_server_not_found' });
      if (!access.allowsServer(server)) {
        throw new GatewayError(403, `MCP server "${server}" is not allowed for this API key.`, { code: 'mcp_server_not_allowed' });
      }
      return passThrough(request, { connection, access, audit, maxBodyBytes: options.config.settings.max_body_bytes });
    },
  };
};
