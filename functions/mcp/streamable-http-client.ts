import type * as z from 'zod';
import { sseEvents } from '../providers/http/sse-events.js';
import { McpConnectionError, McpHttpError, McpRequestError } from './mcp-client-errors.js';
import {
  jsonRpcErrorCodes,
  jsonRpcMessageSchema,
  latestProtocolVersion,
  supportedProtocolVersions,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
} from './mcp-protocol.js';
import { initializeResultSchema, type InitializeResult } from './upstream-results.js';

export interface StreamableHttpClientOptions {
  /** The upstream's MCP endpoint. */
  url: string;
  /** Sent with every POST (resolved config headers, e.g. `Authorization`). */
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** How long one exchange (a request and its answer) may take. */
  timeoutMs: number;
  clientInfo: { name: string; version: string };
  /** Each notification the upstream sends on an answer's event stream. */
  onNotification?: (notification: JsonRpcNotification) => void;
}

interface Exchange {
  signal: AbortSignal;
  caller: AbortSignal | undefined;
  timedOut(): boolean;
  end(): void;
}

/** At most this many same-origin 307/308 redirects are followed per POST. */
const maxRedirects = 3;

/**
 * One session with an upstream MCP server over Streamable HTTP (what the
 * gateway needs of the MCP SDK client, without its bundle weight): every
 * message is a POST, answered as JSON or as an event stream read until our
 * answer arrives; the session id and the negotiated protocol version go on
 * every later POST. The optional standalone GET stream is never opened: a
 * Lambda container cannot hold one between invocations, and answers come on
 * the POST that asked. Every exchange is torn down at its deadline, so a
 * hanging upstream leaks no sockets.
 */
export class StreamableHttpClient {
  private nextId = 0;
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: StreamableHttpClientOptions) {}

  /** The `initialize` handshake: version negotiation, then `notifications/initialized`. */
  async initialize(): Promise<InitializeResult> {
    const params = { protocolVersion: latestProtocolVersion, capabilities: {}, clientInfo: this.options.clientInfo };
    const answer = await this.request('initialize', params, initializeResultSchema);
    if (!supportedProtocolVersions.includes(answer.protocolVersion)) {
      throw new McpConnectionError(`The MCP server speaks protocol version ${answer.protocolVersion}, which the gateway does not.`);
    }
    this.protocolVersion = answer.protocolVersion;
    await this.notify('notifications/initialized');
    return answer;
  }

  /** Sends one request and resolves with its result, checked against `schema`; rejects with the errors of mcp-client-errors.ts. */
  async request<Schema extends z.ZodType>(
    method: string,
    params: Record<string, unknown> | undefined,
    schema: Schema,
    signal?: AbortSignal,
  ): Promise<z.infer<Schema>> {
    const id = this.nextId++;
    const exchange = this.exchange(signal);
    let result: unknown;
    try {
      const response = await this.post({ jsonrpc: '2.0', id, method, ...(params && { params }) }, exchange.signal);
      // The session is the one `initialize` starts; its id goes on every later POST.
      if (method === 'initialize') this.sessionId = response.headers.get('mcp-session-id') ?? undefined;
      result = await this.answerOf(response, id, exchange.signal);
    } catch (error) {
      const failure = this.failureOf(error, exchange);
      // Tell the upstream to stop working on it (the spec forbids cancelling initialize).
      if ((exchange.timedOut() || signal?.aborted) && method !== 'initialize') this.cancel(id, failure);
      throw failure;
    } finally {
      exchange.end();
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) throw new McpConnectionError(`The MCP server answered ${method} with a malformed result.`, { cause: parsed.error });
    return parsed.data;
  }

  /** Closes the session: exchanges in flight end with a ConnectionClosed error. The upstream is left to expire the session. */
  close(): void {
    this.closed = true;
    for (const controller of this.inFlight) controller.abort();
  }

  private async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    const exchange = this.exchange(undefined);
    try {
      const response = await this.post({ jsonrpc: '2.0', method, ...(params && { params }) }, exchange.signal);
      await response.body?.cancel();
    } catch (error) {
      throw this.failureOf(error, exchange);
    } finally {
      exchange.end();
    }
  }

  private cancel(requestId: number, failure: Error) {
    this.notify('notifications/cancelled', { requestId, reason: failure.message }).catch(() => undefined);
  }

  /** One exchange's signal: aborted at its deadline, by the caller, or when the session closes. `end` must follow. */
  private exchange(caller: AbortSignal | undefined): Exchange {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const abort = () => controller.abort();
    caller?.addEventListener('abort', abort, { once: true });
    if (caller?.aborted || this.closed) controller.abort();
    this.inFlight.add(controller);
    return {
      signal: controller.signal,
      caller,
      timedOut: () => timedOut,
      end: () => {
        clearTimeout(timer);
        caller?.removeEventListener('abort', abort);
        this.inFlight.delete(controller);
      },
    };
  }

  /** What a failed exchange rejects with: the MCP SDK's timeout and closed errors, the caller's abort reason, or what went wrong. */
  private failureOf(error: unknown, exchange: Exchange): Error {
    if (exchange.timedOut()) {
      return new McpRequestError(jsonRpcErrorCodes.RequestTimeout, 'Request timed out', { timeout: this.options.timeoutMs });
    }
    if (exchange.caller?.aborted) {
      const reason: unknown = exchange.caller.reason;
      return reason instanceof Error ? reason : new DOMException('The operation was aborted.', 'AbortError');
    }
    if (this.closed) return new McpRequestError(jsonRpcErrorCodes.ConnectionClosed, 'Connection closed');
    if (error instanceof McpRequestError || error instanceof McpHttpError || error instanceof McpConnectionError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new McpConnectionError(`The MCP server could not be reached or cut its answer off (${detail}).`, { cause: error });
  }

  private headers(): Record<string, string> {
    return {
      ...this.options.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(this.sessionId !== undefined && { 'mcp-session-id': this.sessionId }),
      ...(this.protocolVersion !== undefined && { 'mcp-protocol-version': this.protocolVersion }),
    };
  }

  /** POSTs one message; an HTTP error status becomes an McpHttpError. */
  private async post(message: object, signal: AbortSignal): Promise<Response> {
    const sessionSent = this.sessionId !== undefined;
    const response = await this.fetchWithinOrigin({ method: 'POST', headers: this.headers(), body: JSON.stringify(message), signal });
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      throw new McpHttpError(response.status, body, sessionSent);
    }
    return response;
  }

  /**
   * Follows 307/308 redirects within the endpoint's origin only (as the MCP
   * SDK does), so the configured headers never go to another host; any other
   * redirect is answered as the HTTP error it then is.
   */
  private async fetchWithinOrigin(init: RequestInit): Promise<Response> {
    const fetchUpstream = this.options.fetch;
    let url = new URL(this.options.url);
    for (let redirects = 0; ; redirects += 1) {
      const response = await fetchUpstream(url, { ...init, redirect: 'manual' });
      const location = response.headers.get('location');
      if (redirects === maxRedirects || (response.status !== 307 && response.status !== 308) || location === null) return response;
      const target = new URL(location, url);
      if (target.origin !== url.origin || target.username !== url.username || target.password !== url.password) return response;
      await response.body?.cancel();
      url = target;
    }
  }

  /** The result of request `id` from its HTTP answer: one JSON body, or an event stream read until the answer comes. */
  private async answerOf(response: Response, id: number, signal: AbortSignal): Promise<unknown> {
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType === 'application/json') {
      const answer = await this.receive(messagesOf(await response.text()), id, signal);
      if (answer) return answer.result;
    } else if (mediaType === 'text/event-stream' && response.body) {
      for await (const event of sseEvents(response.body, signal)) {
        if (event.event !== undefined && event.event !== 'message') continue;
        const answer = await this.receive(messagesOf(event.data), id, signal);
        // Leaving the loop cancels the stream: nothing more is wanted from it.
        if (answer) return answer.result;
      }
    } else {
      await response.body?.cancel();
      throw new McpConnectionError(`The MCP server answered with content type "${response.headers.get('content-type') ?? ''}".`);
    }
    throw new McpConnectionError(`The MCP server ended its answer without a response to request ${id}.`);
  }

  /** Handles the upstream's messages in order; the answer to request `id`, once among them, ends the exchange. */
  private async receive(messages: JsonRpcMessage[], id: number, signal: AbortSignal): Promise<{ result: unknown } | undefined> {
    for (const message of messages) {
      if ('method' in message) {
        if ('id' in message) await this.answerServerRequest(message, signal);
        else this.options.onNotification?.(message);
      } else if (message.id === id) {
        if ('error' in message) throw new McpRequestError(message.error.code, message.error.message, message.error.data);
        return { result: message.result };
      }
    }
    return undefined;
  }

  /**
   * Answers a request the upstream sends us while answering ours: `ping` with
   * `{}`, anything else (sampling, elicitation, roots: capabilities the
   * gateway does not declare) with method-not-found. A failure to answer is
   * the upstream's to notice; our own request goes on.
   */
  private async answerServerRequest(request: JsonRpcRequest, signal: AbortSignal) {
    const answer =
      request.method === 'ping'
        ? { jsonrpc: '2.0', id: request.id, result: {} }
        : { jsonrpc: '2.0', id: request.id, error: { code: jsonRpcErrorCodes.MethodNotFound, message: 'Method not found' } };
    try {
      const response = await this.post(answer, signal);
      await response.body?.cancel();
    } catch {
      // The exchange's own deadline still ends our request if the upstream waits for this answer.
    }
  }
}

/** The JSON-RPC messages of one JSON body or event (a single message or a batch); anything that is not one is skipped. */
const messagesOf = (text: string): JsonRpcMessage[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  return (Array.isArray(json) ? json : [json]).flatMap((candidate: unknown) => {
    const parsed = jsonRpcMessageSchema.safeParse(candidate);
    return parsed.success ? [parsed.data] : [];
  });
};
