import * as z from 'zod';

/**
 * The MCP protocol version the gateway asks upstreams for: the latest the
 * installed `@modelcontextprotocol/sdk` speaks (its `LATEST_PROTOCOL_VERSION`),
 * written down here so the chat function's bundle does not carry the SDK.
 */
export const latestProtocolVersion = '2025-11-25';

/** The versions an upstream may answer `initialize` with (the SDK's `SUPPORTED_PROTOCOL_VERSIONS`). */
export const supportedProtocolVersions: readonly string[] = [latestProtocolVersion, '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];

/** JSON-RPC error codes, the MCP ones included (the values of the SDK's `ErrorCode`). */
export const jsonRpcErrorCodes = {
  /** The connection closed before the answer came (MCP). */
  ConnectionClosed: -32000,
  /** No answer within the request's timeout (MCP). */
  RequestTimeout: -32001,
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

const requestIdSchema = z.union([z.string(), z.number()]);
const paramsSchema = z.record(z.string(), z.unknown());

const requestSchema = z.object({ jsonrpc: z.literal('2.0'), id: requestIdSchema, method: z.string(), params: paramsSchema.optional() });
const notificationSchema = z.object({ jsonrpc: z.literal('2.0'), method: z.string(), params: paramsSchema.optional() });
const resultResponseSchema = z.object({ jsonrpc: z.literal('2.0'), id: requestIdSchema, result: z.unknown() });
const errorResponseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: requestIdSchema.nullable(),
  error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
});

/** One JSON-RPC message from an upstream: a request or notification to us, or the answer to one of ours. */
export const jsonRpcMessageSchema = z.union([requestSchema, notificationSchema, resultResponseSchema, errorResponseSchema]);

export type JsonRpcRequest = z.infer<typeof requestSchema>;
export type JsonRpcNotification = z.infer<typeof notificationSchema>;
export type JsonRpcMessage = z.infer<typeof jsonRpcMessageSchema>;
