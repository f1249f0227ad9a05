import { GatewayError } from '../core/errors.js';
import type { McpAccess } from '../core/mcp/mcp-service.js';
import { readBodyText } from '../http/read-body.js';
import { isRefusal, readClientMessage, type ClientMessage } from './client-messages.js';
import { asJsonRpcError, jsonRpcErrorResponse, type JsonRpcId } from './json-rpc-answers.js';
import { jsonRpcErrorCodes } from './mcp-protocol.js';
import { editSseMessages, type MessageEditor } from './sse-messages.js';
import { auditToolCall, type ToolCallAudit } from './tool-call-audit.js';
import type { UpstreamConnection } from './upstream-connection.js';
import { JsonRpcError, toJsonRpcError } from './upstream-errors.js';

export interface PassThroughContext {
  connection: UpstreamConnection;
  access: McpAccess;
  audit: ToolCallAudit;
  maxBodyBytes: number;
}

/**
 * What the Streamable HTTP transport reads from a request, sent on as the
 * client sent it: these and every `Mcp-*` header (the session id, protocol
 * version, method and name, mirrored params); never its Authorization, which
 * holds the gateway's key.
 */
const forwardedRequestHeaders = ['accept', 'content-type', 'last-event-id'];
const forwardedResponseHeaders = ['content-type', 'mcp-session-id', 'mcp-protocol-version', 'allow', 'cache-control', 'retry-after'];

/** Methods whose answer is a stream meant to stay open (no idle deadline): the 2026-07-28 listen request. */
const longLivedMethods = new Set(['subscriptions/listen']);

interface ExchangeOptions {
  /** Rewrites or watches the JSON-RPC messages of the answer. */
  edit?: MessageEditor;
  /**
   * Runs when the answer has been read to its end (with the error, if it
   * broke off): for an event stream, before the client's stream ends; for
   * any other body, before the exchange returns.
   */
  onEnd?: (error: unknown, streamed: boolean) => Promise<void> | void;
  /** A stream that may stay quiet: no idle deadline once the answer has begun. */
  longLived?: boolean;
}

/**
 * `/mcp/{server}`: the client's Streamable HTTP exchange with one upstream,
 * relayed as it is, for either revision: 2025 sessions (their id, GET
 * streams, DELETE) live on the upstream, 2026-07-28 requests carry their own
 * envelope, event streams (progress, logs, the upstream's requests to the
 * client, input-required results, subscriptions) reach the client as they
 * come, and the client going away aborts the upstream exchange. The gateway
 * answers malformed messages itself, refuses tools the key may not use,
 * hides them from tool lists, and audits (and meters) every tool call.
 */
export const passThrough = async (request: Request, context: PassThroughContext): Promise<Response> => {
  if (request.method !== 'POST') return relayOrRefuse(null, () => exchange(request, undefined, context, { longLived: true }), context);
  let text: string;
  try {
    text = await readBodyText(request, context.maxBodyBytes);
  } catch (error) {
    const status = error instanceof GatewayError ? error.status : 400;
    return jsonRpcErrorResponse(status, null, new JsonRpcError(jsonRpcErrorCodes.InvalidRequest, error instanceof Error ? error.message : 'Invalid request'));
  }
  const message = readClientMessage(text);
  if (isRefusal(message)) return jsonRpcErrorResponse(message.status, message.id, message.error);
  if (message.kind !== 'request') return relayOrRefuse(null, () => exchange(request, text, context, {}), context);
  if (message.method === 'tools/call') return callTool(request, text, message, context);
  const edit = message.method === 'tools/list' ? allowedToolsOnly(message.id, context) : undefined;
  return relayOrRefuse(message.id, () => exchange(request, text, context, { edit, longLived: longLivedMethods.has(message.method) }), context);
};

const relayOrRefuse = async (id: JsonRpcId, relay: () => Promise<Response>, context: PassThroughContext): Promise<Response> => {
  try {
    return await relay();
  } catch (error) {
    return jsonRpcErrorResponse(200, id, toJsonRpcError(context.connection.name, context.connection.timeoutMs, error));
  }
};

type ToolCallMessage = Extract<ClientMessage, { kind: 'request' }>;

/** A tools/call: refused when the key may not use the tool; otherwise relayed inside the audit (and the meter for priced tools), which ends with the answer. */
const callTool = async (request: Request, text: string, message: ToolCallMessage, context: PassThroughContext): Promise<Response> => {
  const { connection, access } = context;
  const tool = String(message.params?.['name']);
  if (!access.allowsTool(connection.name, tool)) {
    return jsonRpcErrorResponse(200, message.id, new JsonRpcError(jsonRpcErrorCodes.InvalidParams, `Tool "${tool}" is not allowed for this API key.`, { code: 'tool_not_allowed' }));
  }
  const answered = deferred<Response>();
  const audited = auditToolCall(context.audit, access, { server: connection.name, tool }, async () => {
    const outcome = deferred<{ isError?: unknown }>();
    const settleOutcome: MessageEditor = (answer) => {
      if (answer['id'] !== message.id) return undefined;
      if ('result' in answer) outcome.resolve(resultObject(answer['result']));
      else if ('error' in answer) outcome.reject(new JsonRpcError(jsonRpcErrorCodes.InternalError, 'The upstream answered with an error.'));
      return undefined;
    };
    answered.resolve(
      await exchange(request, text, context, {
        edit: settleOutcome,
        onEnd: async (error, streamed) => {
          outcome.reject(error ?? new Error('The upstream ended its answer without a result.'));
          // A streamed answer ends for the client only once the call is accounted for (and its hold settled).
          if (streamed) await audited.catch(() => undefined);
        },
      }),
    );
    return outcome.promise;
  });
  audited.catch((error: unknown) => answered.reject(error));
  try {
    const response = await answered.promise;
    if (!isEventStream(response.headers)) await audited.catch(() => undefined);
    return response;
  } catch (error) {
    const rpcError = error instanceof GatewayError && error.status < 500 ? asJsonRpcError(error) : toJsonRpcError(connection.name, connection.timeoutMs, error);
    return jsonRpcErrorResponse(200, message.id, rpcError);
  }
};

/** `Promise.withResolvers`, which Node 20 lacks. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  return { promise, resolve, reject };
};

const resultObject = (result: unknown): { isError?: unknown } => (typeof result === 'object' && result !== null ? result : {});

/** Drops the tools the key may not use from a tools/list answer; a list cut for one key is marked `private` if it carries a cache scope. */
const allowedToolsOnly =
  (id: JsonRpcId, { connection, access }: PassThroughContext): MessageEditor =>
  (answer) => {
    const result = answer['result'];
    if (answer['id'] !== id || typeof result !== 'object' || result === null) return undefined;
    const { tools } = result as { tools?: unknown };
    if (!Array.isArray(tools)) return undefined;
    const allowed = tools.filter((tool: { name?: unknown }) => typeof tool?.name === 'string' && access.allowsTool(connection.name, tool.name));
    if (allowed.length === tools.length) return undefined;
    const scope = 'cacheScope' in result ? { cacheScope: 'private' } : {};
    return { ...answer, result: { ...result, tools: allowed, ...scope } };
  };

/**
 * One HTTP exchange with the upstream: the upstream has `timeout_ms` to
 * begin its answer and, unless the answer is long-lived, to send each next
 * part of it; the client going away aborts it.
 */
const exchange = async (request: Request, body: string | undefined, context: PassThroughContext, options: ExchangeOptions): Promise<Response> => {
  const { connection } = context;
  const endpoint = await connection.endpoint();
  const aborter = new AbortController();
  const onClientGone = () => aborter.abort(request.signal.reason);
  request.signal.addEventListener('abort', onClientGone, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const armDeadline = () => {
    clearTimeout(timer);
    timer = setTimeout(() => aborter.abort(new DOMException(`No answer within ${connection.timeoutMs} ms.`, 'TimeoutError')), connection.timeoutMs);
  };
  const release = () => {
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onClientGone);
  };
  armDeadline();
  let upstream: Response;
  try {
    upstream = await endpoint.fetch(endpoint.url, {
      method: request.method,
      headers: { ...pickHeaders(request.headers, forwardedRequestHeaders), ...mcpHeaders(request.headers), ...endpoint.headers },
      body,
      signal: aborter.signal,
      redirect: 'manual',
    });
  } catch (error) {
    release();
    throw error;
  }
  const headers = pickHeaders(upstream.headers, forwardedResponseHeaders);
  if (upstream.status === 400 && request.headers.has('mcp-session-id')) {
    const text = await upstream.text().finally(release);
    // An upstream that forgot the session (a restart) and says so with 400: the client gets the spec's 404, which tells it to initialize again.
    return new Response(text, { status: /session/i.test(text) ? 404 : 400, headers });
  }
  if (!upstream.body) {
    release();
    await options.onEnd?.(undefined, false);
    return new Response(null, { status: upstream.status, headers });
  }
  if (options.longLived) clearTimeout(timer);
  const watched = upstream.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (!options.longLived) armDeadline();
        controller.enqueue(chunk);
      },
      flush: release,
    }),
  );
  const streamed = isEventStream(upstream.headers);
  const onEnd = async (error?: unknown) => {
    release();
    if (error !== undefined) aborter.abort(error);
    await options.onEnd?.(error, streamed);
  };
  if (streamed) return new Response(editSseMessages(watched, options.edit ?? (() => undefined), onEnd), { status: upstream.status, headers });
  if (!options.edit) return new Response(watched, { status: upstream.status, headers });
  let text: string;
  try {
    text = await new Response(watched).text();
  } catch (error) {
    await onEnd(error);
    throw error;
  }
  const edited = editedJson(text, options.edit);
  await onEnd();
  return new Response(edited, { status: upstream.status, headers });
};

const isEventStream = (headers: Headers) => (headers.get('content-type') ?? '').startsWith('text/event-stream');

const editedJson = (text: string, edit: MessageEditor): string => {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return text;
  const edited = edit(message as Record<string, unknown>);
  return edited ? JSON.stringify(edited) : text;
};

const mcpHeaders = (headers: Headers): Record<string, string> => {
  const picked: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith('mcp-')) picked[name] = value;
  });
  return picked;
};

const pickHeaders = (headers: Headers, names: readonly string[]): Record<string, string> => {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
};
