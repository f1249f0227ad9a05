import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  type ServerCapabilities,
  type ServerResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpAccess } from '../core/mcp/mcp-service.js';
import { GatewayServer } from './gateway-server.js';
import { gatewayServerInfo, sharedJsonSchemaValidator } from './serve-mcp.js';
import { auditToolCall, type ToolCallAudit } from './tool-call-audit.js';
import type { UpstreamConnection, UpstreamRequest } from './upstream-connection.js';
import { JsonRpcError, toJsonRpcError } from './upstream-errors.js';
import type { UpstreamCapabilities } from './upstream-results.js';
import { withoutRevisionEnvelope } from './request-meta.js';

/**
 * The MCP server behind `POST /mcp/{server}` for one caller: the upstream
 * passed through unprefixed, results and the upstream's own JSON-RPC errors
 * unchanged, tools filtered by the caller's tool permissions. Gateway-side
 * failures (upstream down or too slow) are JSON-RPC errors: -32001 for a
 * timeout, -32603 otherwise; the gateway never invents a tool result here.
 * Malformed params are answered here with -32602 naming the field (see
 * `GatewayServer`) and never reach the upstream.
 */
export const upstreamServer = async (connection: UpstreamConnection, access: McpAccess, audit: ToolCallAudit): Promise<Server> => {
  let session;
  try {
    session = await connection.connect();
  } catch (error) {
    return unavailableServer(toJsonRpcError(connection.name, connection.timeoutMs, error));
  }
  const capabilities = advertisedCapabilities(session.capabilities);
  const server = new GatewayServer(session.serverInfo, {
    capabilities,
    instructions: session.instructions,
    jsonSchemaValidator: sharedJsonSchemaValidator,
  });
  const forward = async (request: UpstreamRequest, signal: AbortSignal): Promise<ServerResult> => {
    try {
      // The upstream's result is a ServerResult by the protocol; it is passed on as it came.
      return (await connection.request({ method: request.method, params: withoutRevisionEnvelope(request.params) }, signal)) as ServerResult;
    } catch (error) {
      throw toJsonRpcError(connection.name, connection.timeoutMs, error);
    }
  };

  if (capabilities.tools) {
    server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
      let page;
      try {
        page = await connection.listToolsPage(request.params?.cursor, extra.signal);
      } catch (error) {
        throw toJsonRpcError(connection.name, connection.timeoutMs, error);
      }
      return { ...page, tools: page.tools.filter((tool) => access.allowsTool(connection.name, tool.name)) };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const tool = request.params.name;
      if (!access.allowsTool(connection.name, tool)) {
        throw new JsonRpcError(ErrorCode.InvalidParams, `Tool "${tool}" is not allowed for this API key.`, { code: 'tool_not_allowed' });
      }
      return auditToolCall(audit, access, { server: connection.name, tool }, () => forward(request, extra.signal));
    });
  }
  if (capabilities.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, (request, extra) => forward(request, extra.signal));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, (request, extra) => forward(request, extra.signal));
    server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => forward(request, extra.signal));
  }
  if (capabilities.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, (request, extra) => forward(request, extra.signal));
    server.setRequestHandler(GetPromptRequestSchema, (request, extra) => forward(request, extra.signal));
  }
  if (capabilities.completions) {
    server.setRequestHandler(CompleteRequestSchema, (request, extra) => forward(request, extra.signal));
  }
  if (capabilities.logging) {
    server.setRequestHandler(SetLevelRequestSchema, (request, extra) => forward(request, extra.signal));
  }
  return server;
};

/**
 * The upstream's capability families, without what a stateless endpoint
 * cannot honour: list-changed and resource-update notifications (there is no
 * stream to send them on), tasks, and experimental features.
 */
export const advertisedCapabilities = (upstream: UpstreamCapabilities): ServerCapabilities => ({
  ...(upstream.tools && { tools: {} }),
  ...(upstream.resources && { resources: {} }),
  ...(upstream.prompts && { prompts: {} }),
  ...(upstream.completions && { completions: {} }),
  ...(upstream.logging && { logging: {} }),
});

/** Answers every request but `ping` with the same JSON-RPC error: the upstream could not be initialized. */
const unavailableServer = (error: JsonRpcError): Server => {
  const server = new GatewayServer(gatewayServerInfo, { capabilities: {}, jsonSchemaValidator: sharedJsonSchemaValidator });
  server.setRequestHandler(InitializeRequestSchema, () => {
    throw error;
  });
  server.fallbackRequestHandler = async () => {
    throw error;
  };
  return server;
};
