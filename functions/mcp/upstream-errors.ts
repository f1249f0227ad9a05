import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { GatewayError, UpstreamError } from '../core/errors.js';

/**
 * Whether the upstream says our session is gone: HTTP 404 on a request that
 * carried a session id (the spec), or a 400 that names the session (what
 * SDK-based servers that keep sessions in a map answer after a restart).
 */
export const isSessionGone = (error: unknown): boolean =>
  error instanceof StreamableHTTPError && (error.code === 404 || (error.code === 400 && /session/i.test(error.message)));

/** Whether a request failed because its connection was closed under it (another caller re-initialized). */
export const isConnectionLost = (error: unknown): boolean =>
  (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) || (error instanceof Error && error.name === 'AbortError');

const isTimeout = (error: unknown) =>
  (error instanceof McpError && error.code === ErrorCode.RequestTimeout) || (error instanceof Error && error.name === 'TimeoutError');

/** A JSON-RPC error answered by the upstream (not one the SDK raised locally). */
const isUpstreamRpcError = (error: unknown): error is McpError =>
  error instanceof McpError && error.code !== ErrorCode.RequestTimeout && error.code !== ErrorCode.ConnectionClosed;

/** The upstream's own message, without the "MCP error <code>: " prefix McpError adds. */
export const upstreamMessage = (error: McpError) => error.message.replace(/^MCP error -?\d+: /, '');

/** A failure while talking to an upstream MCP server, as the gateway error REST callers get (502, 504, or 400 for bad arguments). */
export const toUpstreamError = (server: string, timeoutMs: number, error: unknown): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (isTimeout(error)) {
    return new UpstreamError(504, `MCP server "${server}" did not answer within ${timeoutMs} ms.`, { code: 'mcp_timeout', cause: error });
  }
  if (isUpstreamRpcError(error)) {
    const message = `MCP server "${server}" answered: ${upstreamMessage(error)}`;
    if (error.code === ErrorCode.InvalidParams) return new GatewayError(400, message, { code: 'mcp_invalid_params', cause: error });
    return new UpstreamError(502, message, { code: 'mcp_upstream_error', cause: error });
  }
  const reason = error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0 ? ` (HTTP ${error.code})` : '';
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
  if (isUpstreamRpcError(error)) return new JsonRpcError(error.code, upstreamMessage(error), error.data);
  const gatewayError = toUpstreamError(server, timeoutMs, error);
  const code = gatewayError.status === 504 ? ErrorCode.RequestTimeout : ErrorCode.InternalError;
  return new JsonRpcError(code, gatewayError.message, { code: gatewayError.code, server });
};
