import { ProtocolError, Server, type CallToolResult } from '@modelcontextprotocol/server';
import { GatewayError } from '../core/errors.js';
import type { McpAccess } from '../core/mcp/mcp-service.js';
import type { FederatedTool, FederatedTools } from './federated-tools.js';
import { jsonRpcErrorCodes } from './mcp-protocol.js';
import { gatewayServerInfo, sharedJsonSchemaValidator } from './serve-mcp.js';

/**
 * The MCP server (SDK v2, low level) behind `POST /mcp` for one caller: the
 * tools of every upstream it may use, under federated names.
 *
 * A name that is unknown or not allowed is a protocol error (JSON-RPC -32602,
 * `data.code` `tool_not_found` / `tool_not_allowed`), as the MCP spec asks for
 * unknown tools. An upstream that fails or times out is a tool execution
 * error (`isError: true` with the reason), so an agent can go on with the
 * other servers' tools.
 */
export const federatedServer = (tools: FederatedTools, access: McpAccess): Server => {
  const server = new Server(gatewayServerInfo, { capabilities: { tools: {} }, jsonSchemaValidator: sharedJsonSchemaValidator });

  server.setRequestHandler('tools/list', async () => ({
    tools: (await tools.list(access)).map((tool) => tool.definition) as Array<FederatedTool['definition'] & { inputSchema: { type: 'object' } }>,
  }));

  server.setRequestHandler('tools/call', async (request, context) => {
    let tool: FederatedTool;
    try {
      tool = await tools.resolve(access, request.params.name);
    } catch (error) {
      if (error instanceof GatewayError && (error.status === 403 || error.status === 404)) {
        throw new ProtocolError(jsonRpcErrorCodes.InvalidParams, error.message, { code: error.code });
      }
      return failedCall(error);
    }
    try {
      // Passed on as the upstream sent it; the SDK checks it is a CallToolResult before answering.
      return (await tools.call(access, tool, request.params.arguments ?? {}, context.mcpReq.signal)) as CallToolResult;
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
