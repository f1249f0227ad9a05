import { GatewayError, UpstreamError } from '../core/errors.js';
import { McpHttpError, McpRequestError } from './mcp-client-errors.js';
import { jsonRpcErrorCodes } from './mcp-protocol.js';

/**
 * Whether the upstream says our session is gone: HTTP 404 on a request that
 * carried a session id (the spec), or a 400 that names the session (what
 * SDK-based servers that keep sessions in a map answer after a restart).
 */
export const isSessionGone = (error: unknown): boolean =>
  error instanceof McpHttpError && error.sessionSent && (error.status === 404 || (error.status === 400 && /session/i.test(error.message)));

/** Whether a request failed because its session was closed under it (another caller re-initialized). */
export const isConnectionLost = (error: unknown): boolean => error instanceof McpRequestError && error.code === jsonRpcErrorCodes.ConnectionClosed;

const isTimeout = (error: unknown) =>
  (error instanceof McpRequestError && error.code === jsonRpcErrorCodes.RequestTimeout) || (error instanceof Error && error.name === 'TimeoutError');

/** A JSON-RPC error answered by the upstream (not a timeout or close raised locally). */
const isUpstreamRpcError = (error: unknown): error is McpRequestError => error instanceof McpRequestError && error.answeredByUpstream;

/** A failure while talking to an upstream MCP server, as the gateway error REST callers get (502, 504, or 400 for bad arguments). */
export const toUpstreamError = (server: string, timeoutMs: number, error: unknown): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (isTimeout(error)) {
    return new UpstreamError(504, `MCP server "${server}" did not answer within ${timeoutMs} ms.`, { code: 'mcp_timeout', cause: error });
  }
  if (isUpstreamRpcError(error)) {
    const message = `MCP server "${server}" answered: ${error.message}`;
    if (error.code === jsonRpcErrorCodes.InvalidParams) return new GatewayError(400, message, { code: 'mcp_invalid_params', cause: error });
    return new UpstreamError(502, message, { code: 'mcp_upstream_error', cause: error });
  }
  const reason = error instanceof McpHttpError ? ` (HTTP ${error.status})` : '';
  return new UpstreamError(502, `MCP server "${server}" is unavailable${reason}.`, { code: 'mcp_server_unavailable', cause: error });
};

/** An error thrown inside an MCP request handler becomes this JSON-RPC error, message unprefixed. */
export class JsonRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'JsonRpcError';
    this.code = code;
    this.data = data;
  }
}

/**
 * A failure while serving an MCP request, as the JSON-RPC error the client
 * gets: the upstream's own errors pass through unchanged, a timeout is
 * -32001, anything else -32603 naming the server.
 */
export const toJsonRpcError = (server: string, timeoutMs: number, error: unknown): JsonRpcError => {
  if (error instanceof JsonRpcError) return error;
  if (isUpstreamRpcError(error)) return new JsonRpcError(error.code, error.message, error.data);
  const gatewayError = toUpstreamError(server, timeoutMs, error);
  const code = gatewayError.status === 504 ? jsonRpcErrorCodes.RequestTimeout : jsonRpcErrorCodes.InternalError;
  return new JsonRpcError(code, gatewayError.message, { code: gatewayError.code, server });
};
