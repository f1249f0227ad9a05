import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { GatewayError } from '../core/errors.js';
import { matchRoute } from '../core/routes.js';

/** Methods the Fetch API cannot carry (and no route serves): answered 405 before a Request is made. */
const forbiddenMethods = new Set(['TRACE', 'TRACK', 'CONNECT']);

const methodNotAllowed = (method: string, path: string): GatewayError => {
  const { allowedMethods } = matchRoute('', path.split('?')[0]);
  if (allowedMethods.length === 0) return new GatewayError(404, `Unknown route ${path.split('?')[0]}.`, { type: 'not_found_error', code: 'route_not_found' });
  return new GatewayError(405, `Method ${method} is not allowed.`, { type: 'invalid_request_error', code: 'method_not_allowed', headers: { allow: allowedMethods.join(', ') } });
};

/**
 * The path and query of a request target: origin-form (`/v1/models?x`) as it
 * is; absolute-form (`http://host/v1/models`) reduced to its path; the
 * asterisk form (`*`) and anything unparsable to a path no route has.
 */
export const pathOfTarget = (target: string): string => {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    if (url.protocol === 'http:' || url.protocol === 'https:') return `${url.pathname}${url.search}`;
  } catch {
    // not a URL: below
  }
  return `/${encodeURIComponent(target)}`;
};

/**
 * Bodies that declare a length up to this are read whole before the Request
 * is made, as API Gateway hands Lambda a whole body: a buffer is much cheaper
 * to build a Request on than a web stream over the socket. Longer ones (and
 * chunked ones) stay streams, so the core can refuse them early (413).
 */
const bufferedBodyBytes = 1024 * 1024;

/** The whole body of a request, or the error that broke it off (a reset, broken framing). */
const readWhole = async (incoming: IncomingMessage): Promise<Buffer | Error> => {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  if (!incoming.complete) return new Error('the request body ended early');
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
};

/** A web-standard Request for a Node request; `signal` aborts when the client goes away. */
export const toWebRequest = async (incoming: IncomingMessage, signal: AbortSignal): Promise<Request> => {
  const headers = new Headers();
  for (let index = 0; index < incoming.rawHeaders.length; index += 2) {
    try {
      headers.append(incoming.rawHeaders[index], incoming.rawHeaders[index + 1]);
    } catch {
      // A header value the Fetch API refuses is dropped rather than failing the request.
    }
  }
  const method = incoming.method ?? 'GET';
  const path = pathOfTarget(incoming.url ?? '/');
  if (forbiddenMethods.has(method.toUpperCase())) throw methodNotAllowed(method, path);
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const declaredLength = Number(incoming.headers['content-length'] ?? Number.NaN);
  let body: BodyInit | undefined;
  if (hasBody && Number.isFinite(declaredLength) && declaredLength <= bufferedBodyBytes) {
    const whole = await readWhole(incoming);
    // A body broken off is the core's to answer (400 invalid_body), as it would be reading a stream.
    body = whole instanceof Error ? new ReadableStream({ start: (controller) => controller.error(whole) }) : (whole as Uint8Array<ArrayBuffer>);
  } else if (hasBody) {
    body = Readable.toWeb(incoming) as ReadableStream<Uint8Array>;
  }
  // Routing comes from the request target alone: the Host header (which may hold anything) is only a header.
  return new Request(`http://localhost${path}`, { method, headers, body, duplex: 'half', signal } as RequestInit);
};

/**
 * Writes a web Response to a Node response, chunk by chunk as the body
 * produces them (real streaming), honouring backpressure. When the client
 * disconnects the body is cancelled, which the core turns into an upstream
 * abort; so when it stops reading for `stalledClientMs`: the connection is
 * cut, rather than held open (and the request's budget held) forever.
 */
export const writeWebResponse = async (response: Response, outgoing: ServerResponse, stalledClientMs = Number.POSITIVE_INFINITY): Promise<void> => {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  outgoing.writeHead(response.status, headers);
  if (!response.body) {
    outgoing.end();
    return;
  }
  outgoing.flushHeaders();
  const reader = response.body.getReader();
  const onClose = () => {
    if (!outgoing.writableFinished) reader.cancel(new Error('client disconnected')).catch(() => undefined);
  };
  outgoing.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) break;
      if (!outgoing.write(value)) await waitForDrain(outgoing, stalledClientMs);
    }
  } catch {
    // The body was cancelled (client gone) or failed; nothing more can reach the client.
  } finally {
    outgoing.off('close', onClose);
    if (outgoing.destroyed) await reader.cancel().catch(() => undefined);
    outgoing.end();
  }
};

const waitForDrain = (outgoing: ServerResponse, stalledClientMs: number) =>
  new Promise<void>((resolve) => {
    const stalled = Number.isFinite(stalledClientMs) ? setTimeout(() => outgoing.destroy(new Error('client stopped reading')), stalledClientMs) : undefined;
    const done = () => {
      clearTimeout(stalled);
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });

/**
 * What Node's HTTP parser refuses before a request exists (bytes not allowed
 * in a header, headers over the size limit, broken framing), answered in the
 * OpenAI envelope like every other error rather than with a bare status line.
 * For `server.on('clientError', ...)`.
 */
export const answerClientError = (error: Error & { code?: string }, socket: Duplex & { bytesWritten?: number }): void => {
  // Once a response has started on this connection, nothing else can be written to it.
  if (error.code !== 'ECONNRESET' && socket.writable && socket.bytesWritten === 0) {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431 ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
    const body = JSON.stringify(new GatewayError(status, message, { type: 'invalid_request_error', code: 'invalid_http_request' }).toEnvelope());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    return;
  }
  socket.destroy();
};

/**
 * `CONNECT` (a tunnel request, which Node hands to the `connect` event, not
 * to the request handler): no route serves it, so it is answered 405 in the
 * envelope and the connection closed. For `server.on('connect', ...)`.
 */
export const answerConnect = (_request: IncomingMessage, socket: Duplex): void => {
  const body = JSON.stringify(new GatewayError(405, 'Method CONNECT is not allowed.', { type: 'invalid_request_error', code: 'method_not_allowed' }).toEnvelope());
  socket.end(`HTTP/1.1 405 ${STATUS_CODES[405]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nallow: GET, POST, DELETE\r\nconnection: close\r\n\r\n${body}`);
};
