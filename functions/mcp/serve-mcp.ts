import { createMcpHandler, type Server } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { GatewayError } from '../core/errors.js';
import { describeError, type GatewayLogger } from '../core/logger.js';
import { readBodyText } from '../http/read-body.js';
import { isRefusal, readClientMessage } from './client-messages.js';
import { jsonRpcErrorResponse } from './json-rpc-answers.js';
import { jsonRpcErrorCodes } from './mcp-protocol.js';
import { JsonRpcError } from './upstream-errors.js';

/** One JSON Schema validator for every per-request MCP server (building one per request would dominate the request). */
export const sharedJsonSchemaValidator = new AjvJsonSchemaValidator();

export const gatewayServerInfo = { name: 'tollway', version: '0.1.0' };

/**
 * Answers one HTTP request with the MCP SDK v2's `createMcpHandler`: a
 * 2026-07-28 request is served per request from its own `_meta` envelope, a
 * 2025 request by a stateless fallback (no session id; GET and DELETE are
 * 405). Before the SDK sees a POST, malformed 2025 messages are answered
 * here with -32602 naming the field (the SDK's message lists zod issues).
 */
export const serveMcp = async (createServer: () => Server, request: Request, options: { maxBodyBytes: number; logger: GatewayLogger; requestId: string }) => {
  let served = request;
  if (request.method === 'POST') {
    let text: string;
    try {
      text = await readBodyText(request, options.maxBodyBytes);
    } catch (error) {
      const status = error instanceof GatewayError ? error.status : 400;
      return jsonRpcErrorResponse(status, null, new JsonRpcError(jsonRpcErrorCodes.InvalidRequest, error instanceof Error ? error.message : 'Invalid request'));
    }
    const message = readClientMessage(text);
    if (isRefusal(message)) return jsonRpcErrorResponse(message.status, message.id, message.error);
    served = new Request(request.url, { method: 'POST', headers: request.headers, body: text, signal: request.signal });
  }
  const handler = createMcpHandler(createServer, {
    legacy: 'stateless',
    maxRequestBodySize: options.maxBodyBytes,
    onerror: (error) => options.logger.warn('mcp protocol error', { requestId: options.requestId, ...describeError(error) }),
  });
  return handler.fetch(served);
};
