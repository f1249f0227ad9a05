import { GatewayError } from '../core/errors.js';
import { jsonRpcErrorCodes } from './mcp-protocol.js';
import { JsonRpcError } from './upstream-errors.js';

export type JsonRpcId = string | number | null;

/** A JSON-RPC error answered by the gateway itself, in a JSON body with the given HTTP status. */
export const jsonRpcErrorResponse = (status: number, id: JsonRpcId, error: JsonRpcError): Response =>
  new Response(
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) },
    }),
    { status, headers: { 'content-type': 'application/json' } },
  );

/**
 * A failure the gateway raised while serving a JSON-RPC request (a budget
 * refusal, a tool not allowed), as the JSON-RPC error the client gets:
 * gateway errors keep their message, and their code and status as `data`.
 */
export const asJsonRpcError = (error: unknown): JsonRpcError => {
  if (error instanceof JsonRpcError) return error;
  if (error instanceof GatewayError) {
    return new JsonRpcError(jsonRpcErrorCodes.InternalError, error.message, { code: error.code, status: error.status });
  }
  return new JsonRpcError(jsonRpcErrorCodes.InternalError, 'Internal error');
};
