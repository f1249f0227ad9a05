import { jsonRpcErrorCodes } from './mcp-protocol.js';

/**
 * A request to an upstream that ended in a JSON-RPC error: one the upstream
 * answered (code, message and data as it sent them), or one raised here as
 * the MCP SDK raises it: `RequestTimeout` (-32001) when no answer came in
 * time, `ConnectionClosed` (-32000) when the session was closed under it.
 */
export class McpRequestError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'McpRequestError';
    this.code = code;
    this.data = data;
  }

  /** Whether the upstream itself answered with this error (not a timeout or a close on our side). */
  get answeredByUpstream(): boolean {
    return this.code !== jsonRpcErrorCodes.RequestTimeout && this.code !== jsonRpcErrorCodes.ConnectionClosed;
  }
}

/** The MCP endpoint answered a POST with an HTTP error status. */
export class McpHttpError extends Error {
  readonly status: number;
  /** Whether the POST carried an `Mcp-Session-Id` (a 404 then means the session is gone). */
  readonly sessionSent: boolean;

  constructor(status: number, body: string, sessionSent: boolean) {
    super(`The MCP endpoint answered HTTP ${status}${body ? `: ${body.slice(0, 500)}` : ''}`);
    this.name = 'McpHttpError';
    this.status = status;
    this.sessionSent = sessionSent;
  }
}

/**
 * The exchange failed below JSON-RPC: the upstream could not be reached, cut
 * the answer off, or did not answer as a Streamable HTTP MCP server does.
 */
export class McpConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'McpConnectionError';
  }
}
