import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Gateway } from '../core/gateway-types.js';
import { answerClientError, answerConnect, toWebRequest, writeWebResponse } from '../http/node-adapter.js';
import { errorResponse } from '../http/responses.js';

export interface NodeHost {
  server: Server;
  /** Settles once every request in flight and every after-response task (settlements, usage records) has, those they start included. */
  settled(): Promise<void>;
}

/**
 * The gateway core on a node:http server: web Request in, streamed Response
 * out, the client's disconnect as an abort signal, after-response work tracked;
 * a client that stops reading for `stalledClientMs` is cut off.
 */
export const createNodeHost = (gateway: Gateway, options: { stalledClientMs?: number } = {}): NodeHost => {
  const pending = new Set<Promise<unknown>>();
  const track = (task: Promise<unknown>) => {
    const tracked = task.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  // A request is tracked until its response is written: a shutdown waits for it, and for the work it leaves behind.
  const server = createServer((incoming, outgoing) => track(serve(incoming, outgoing)));
  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
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
    try {
      response = await gateway.handle(await toWebRequest(incoming, clientGone.signal), context);
    } catch (error) {
      response = errorResponse(error);
    }
    // A body refused before it was read to the end (413, 401...) leaves unread bytes
    // on the connection, and a request sent after them would wait forever: close it.
    if (!incoming.complete) response.headers.set('connection', 'close');
    await writeWebResponse(response, outgoing, options.stalledClientMs);
  };
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  server.on('connect', answerConnect);
  return {
    server,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
};
