import { connect } from 'node:net';

/** What one HTTP exchange produced. */
export interface Probed {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  milliseconds: number;
}

/** Thrown when the gateway does not answer in time: a hang is a failure of its own. */
export class HangError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`no complete answer to ${what} within ${timeoutMs} ms`);
    this.name = 'HangError';
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The body as JSON, or for an event stream (an MCP answer may come as one) the JSON of its last `data:` line. */
const parseBody = (text: string, contentType: string | null): unknown => {
  if (!contentType?.includes('text/event-stream')) return parseJson(text);
  const data = text.split('\n').filter((line) => line.startsWith('data:'));
  return data.length > 0 ? parseJson(data.at(-1)!.slice(5)) : undefined;
};

/** One request whose whole answer (headers and body, streams included) must arrive within `timeoutMs`. */
export const probe = async (url: string, init: RequestInit, timeoutMs = 10_000): Promise<Probed> => {
  const startedAt = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { ...init, signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseBody(text, response.headers.get('content-type')), milliseconds: performance.now() - startedAt };
  } catch (error) {
    if (signal.aborted) throw new HangError(`${init.method ?? 'GET'} ${url}`, timeoutMs);
    throw error;
  }
}

/** `{"error": {"message", "type", "param", "code"}}`, the OpenAI error envelope. */
/** Anthropic's `{"type": "error", "error": {"type", "message"}}`, which the Messages routes answer with. */
export const isAnthropicErrorEnvelope = (body: unknown): boolean => {
  if (typeof body !== 'object' || body === null) return false;
  const { type, error } = body as { type?: unknown; error?: unknown };
  if (type !== 'error' || typeof error !== 'object' || error === null) return false;
  const fields = error as Record<string, unknown>;
  return typeof fields.type === 'string' && typeof fields.message === 'string';
};

export const isErrorEnvelope = (body: unknown): boolean => {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return false;
  const { message, type, param, code } = error as Record<string, unknown>;
  return (
    typeof message === 'string' &&
    typeof type === 'string' &&
    (param === null || typeof param === 'string') &&
    (code === null || typeof code === 'string') &&
    Object.keys(error).length === 4
  );
};

/** A JSON-RPC 2.0 error response (or a batch of them). */
export const isJsonRpcError = (body: unknown): boolean => {
  const messages = Array.isArray(body) ? body : [body];
  return (
    messages.length > 0 &&
    messages.every((message) => {
      if (typeof message !== 'object' || message === null) return false;
      const { jsonrpc, error } = message as Record<string, unknown>;
      return jsonrpc === '2.0' && typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number';
    })
  );
};

/**
 * A raw HTTP/1.1 exchange over a socket, for requests `fetch` refuses to
 * send (control characters in headers, odd methods). Resolves with the status
 * line's code and the raw text once the server closes or `timeoutMs` passes
 * with a complete response (headers and a body of the announced length).
 */
export const rawExchange = (port: number, request: Buffer | string, timeoutMs = 5_000): Promise<{ status: number; text: string; body: string }> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const received = () => Buffer.concat(chunks).toString('latin1');
    const complete = (): { status: number; text: string; body: string } | undefined => {
      const text = received();
      const headerEnd = text.indexOf('\r\n\r\n');
      if (headerEnd < 0) return undefined;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? Number.NaN);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, headerEnd))?.[1];
      const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(text.slice(0, headerEnd));
      const body = text.slice(headerEnd + 4);
      if (length !== undefined && Buffer.byteLength(body, 'latin1') >= Number(length)) return { status, text, body: body.slice(0, Number(length)) };
      if (chunked && body.endsWith('0\r\n\r\n')) return { status, text, body: dechunk(body) };
      return undefined;
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HangError('a raw request', timeoutMs));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const result = complete();
      if (result) resolve(result);
      else {
        const text = received();
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? Number.NaN);
        const headerEnd = text.indexOf('\r\n\r\n');
        resolve({ status, text, body: headerEnd < 0 ? '' : text.slice(headerEnd + 4) });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (complete()) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', () => finish());
    socket.write(request);
  });

/** The payload of a chunked body. */
const dechunk = (body: string): string => {
  let payload = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return payload;
    payload += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
};

/** Prints the figures of one part of the hardening suite, for the closing note. */
export const reportFigures = (part: string, figures: Record<string, number | string>) => {
  console.log(`[hardening] ${part}: ${Object.entries(figures).map(([name, value]) => `${name}=${value}`).join(', ')}`);
};

/** A body as JSON, or undefined when it is not JSON. */
export const parseOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
