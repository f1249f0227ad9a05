import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import { withInvalidParamsError } from './invalid-params.js';
import type { JsonRpcId } from './json-rpc-answers.js';
import { jsonRpcErrorCodes, jsonRpcMessageSchema } from './mcp-protocol.js';
import { JsonRpcError } from './upstream-errors.js';

/** One JSON-RPC message a client posted: a request (with an id), a notification, or its answer to an upstream's request. */
export type ClientMessage =
  | { kind: 'request'; id: string | number; method: string; params?: Record<string, unknown> }
  | { kind: 'notification'; method: string; params?: Record<string, unknown> }
  | { kind: 'response'; id: JsonRpcId };

/** A message the gateway refuses before it reaches the upstream: the JSON-RPC error and the HTTP status to answer it with. */
export interface Refusal {
  status: number;
  id: JsonRpcId;
  error: JsonRpcError;
}

/** The params schemas of the methods both revisions share, so malformed params get -32602 naming the field from the gateway. */
const requestSchemas: ReadonlyMap<string, z.ZodType> = new Map(
  [
    InitializeRequestSchema,
    PingRequestSchema,
    ListToolsRequestSchema,
    CallToolRequestSchema,
    ListResourcesRequestSchema,
    ListResourceTemplatesRequestSchema,
    ReadResourceRequestSchema,
    SubscribeRequestSchema,
    UnsubscribeRequestSchema,
    ListPromptsRequestSchema,
    GetPromptRequestSchema,
    CompleteRequestSchema,
    SetLevelRequestSchema,
  ].map((schema) => [schema.shape.method.value, withInvalidParamsError(schema)] as const),
);

const refusal = (status: number, id: JsonRpcId, code: number, message: string, data?: unknown): Refusal => ({
  status,
  id,
  error: new JsonRpcError(code, message, data),
});

/**
 * The one JSON-RPC message of a POST body, or why it is refused: not JSON
 * (-32700), not a JSON-RPC message, or a batch (-32600; MCP has had no
 * batches since 2025-06-18), or, before 2026-07-28, params that do not fit
 * their method (-32602 naming the field).
 */
export const readClientMessage = (text: string): ClientMessage | Refusal => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refusal(400, null, jsonRpcErrorCodes.ParseError, 'Parse error: the body is not JSON.');
  }
  if (Array.isArray(body)) return refusal(400, null, jsonRpcErrorCodes.InvalidRequest, 'Invalid Request: JSON-RPC batches are not supported.');
  const parsed = jsonRpcMessageSchema.safeParse(body);
  if (!parsed.success) return refusal(400, idOf(body), jsonRpcErrorCodes.InvalidRequest, 'Invalid Request: the body is not a JSON-RPC 2.0 message.');
  const message = parsed.data;
  if (!('method' in message)) return { kind: 'response', id: message.id };
  if (!('id' in message)) return { kind: 'notification', method: message.method, params: message.params };
  // A 2026-07-28 request goes to the upstream as it is: its revision removed some of these methods, and its server checks its own envelope.
  const schema = isEnvelopeRequest(message.params) ? undefined : requestSchemas.get(message.method);
  if (schema) {
    try {
      schema.parse({ method: message.method, params: message.params });
    } catch (error) {
      if (error instanceof JsonRpcError) return { status: 200, id: message.id, error };
      throw error;
    }
  }
  return { kind: 'request', id: message.id, method: message.method, params: message.params };
};

export const isRefusal = (value: ClientMessage | Refusal): value is Refusal => 'error' in value;

/** Whether params carry the 2026-07-28 per-request envelope (`_meta["io.modelcontextprotocol/protocolVersion"]`). */
const isEnvelopeRequest = (params: Record<string, unknown> | undefined): boolean => {
  const meta = params?.['_meta'];
  return typeof meta === 'object' && meta !== null && 'io.modelcontextprotocol/protocolVersion' in meta;
};

const idOf = (body: unknown): JsonRpcId => {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
};
