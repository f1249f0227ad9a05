import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, type CallToolResult, type ServerResult } from '@modelcontextprotocol/sdk/types.js';
import { GatewayError } from '../core/errors.js';
import type { McpAccess } from '../core/mcp/mcp-service.js';
import type { FederatedTool, FederatedTools } from './federated-tools.js';
import { GatewayServer } from './gateway-server.js';
import { gatewayServerInfo, sharedJsonSchemaValidator } from './serve-mcp.js';
import { JsonRpcError } from './upstream-errors.js';

/**
 * The MCP server behind `POST /mcp` for one caller: the tools of every
 * upstream it may use, under federated names.
 *
 * Malformed params are JSON-RPC -32602 naming the field (see `GatewayServer`).
 * A name that is unknown or not allowed is a protocol error (JSON-RPC -32602,
 * `data.code` `tool_not_found` / `tool_not_allowed`), as the MCP spec asks for
 * unknown tools. An upstream that fails or times out is a tool execution
 * error (`isError: true` with the reason), so an agent can go on with the
 * other servers' tools.
 */
export const federatedServer = (tools: FederatedTools, access: McpAccess): Server => {
  const server = new GatewayServer(gatewayServerInfo, { capabilities: { tools: {} }, jsonSchemaValidator: sharedJsonSchemaValidator });

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await tools.list(access)).map((tool) => tool.definition),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    let tool: FederatedTool;
    try {
      tool = await tools.resolve(access, request.params.name);
    } catch (error) {
      if (error instanceof GatewayError && (error.status === 403 || error.status === 404)) {
        throw new JsonRpcError(ErrorCode.InvalidParams, error.message, { code: error.code });
      }
      return failedCall(error);
    }
    try {
      // Passed on as the upstream sent it; the SDK checks it is a CallToolResult before answering.
      return (await tools.call(access, tool, request.params.arguments ?? {}, extra.signal)) as ServerResult;
    } catch (error) {
      return failedCall(error);
    }
  });

  return server;
};

const failedCall = (error: unknown): CallToolResult => ({
  content: [{ type: 'text', text: error instanceof GatewayError ? error.message : 'The tool call failed.' }],
  isError: true,
});
