import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { describeError, type GatewayLogger } from '../core/logger.js';

/** One JSON Schema validator for every per-request MCP server (building one per request would dominate the request). */
export const sharedJsonSchemaValidator = new AjvJsonSchemaValidator();

export const gatewayServerInfo = { name: 'tollway', version: '0.1.0' };

/**
 * Answers one HTTP request with a stateless Streamable HTTP transport: no
 * session id, JSON responses (a Lambda answers and is done). The transport
 * turns malformed JSON-RPC, wrong content types and oversized bodies into
 * JSON-RPC errors with 4xx statuses.
 */
export const serveMcp = async (server: Server, request: Request, options: { maxBodyBytes: number; logger: GatewayLogger; requestId: string }) => {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: options.maxBodyBytes,
  });
  server.onerror = (error) => options.logger.warn('mcp protocol error', { requestId: options.requestId, ...describeError(error) });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
};
