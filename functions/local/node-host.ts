import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Gateway } from '../core/gateway-types.js';
import { answerClientError, answerConnect, pathOfTarget, toWebRequest, writeWebResponse } from '../http/node-adapter.js';
import { errorResponse } from '../http/responses.js';
import { errorCodeOf, tapRequestBody } from './exchange-details.js';

/** What the host saw of one request once its response was written (for the terminal's request lines). */
export interface ObservedExchange {
  requestId: string;
  method: string;
  /** The request target's path, without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  /** From arrival to the last byte written. */
  latencyMs: number;
  /** `model` of a JSON request body, when one was read. */
  model?: string;
  /** `error.code` of an error response. */
  errorCode?: string;
  /** Whether the client received the whole response. */
  completed: boolean;
}

export interface NodeHostOptions {
  stalledClientMs?: number;
  /** Called once per request after its response was written. */
  observe?: (exchange: ObservedExchange) => void;
}

export interface NodeHost {
  server: Server;
  /** Settles once every request in flight and every after-response task (settlements, usage records) has, those they start included. */
  settled(): Promise<void>;
  /** Requests whose responses are still being written. */
  inFlight(): number;
}

/**
 * The gateway core on a node:http server: web Request in, streamed Response
 * out, the client's disconnect as an abort signal, after-response work tracked;
 * a client that stops reading for `stalledClientMs` is cut off.
 */
export const createNodeHost = (gateway: Gateway, options: NodeHostOptions = {}): NodeHost => {
  const pending = new Set<Promise<unknown>>();
  let serving = 0;
  const track = (task: Promise<unknown>) => {
    const tracked = task.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  // A request is tracked until its response is written: a shutdown waits for it, and for the work it leaves behind.
  const server = createServer((incoming, outgoing) => {
    serving += 1;
    track(serve(incoming, outgoing).finally(() => (serving -= 1)));
  });
  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const arrivedAt = performance.now();
    const clientGone = new AbortController();
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) clientGone.abort(new Error('client disconnected'));
    });
    const context = {
      requestId: randomUUID(),
      clientSignal: clientGone.signal,
      waitUntil: track,
    };
    let response: Response;
    let model: () => string | undefined = () => undefined;
    try {
      let request = await toWebRequest(incoming, clientGone.signal);
      if (options.observe) ({ request, model } = tapRequestBody(request));
      response = await gateway.handle(request, context);
    } catch (error) {
      response = errorResponse(error);
    }
    // A body refused before it was read to the end (413, 401...) leaves unread bytes
    // on the connection, and a request sent after them would wait forever: close it.
    if (!incoming.complete) response.headers.set('connection', 'close');
    const errorCode = options.observe && response.status >= 400 ? errorCodeOf(response) : undefined;
    await writeWebResponse(response, outgoing, options.stalledClientMs);
    if (!options.observe) return;
    const path = pathOfTarget(incoming.url ?? '/').split('?')[0];
    options.observe({
      requestId: context.requestId,
      method: incoming.method ?? 'GET',
      path,
      headers: incoming.headers,
      status: response.status,
      latencyMs: Math.round(performance.now() - arrivedAt),
      model: model(),
      errorCode: await errorCode,
      completed: outgoing.writableFinished,
    });
  };
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);
  return {
    server,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    inFlight: () => serving,
  };
};
