/**
 * The Lambda host's translation layer: API Gateway (REST, proxy integration)
 * events become web-standard `Request`s, and the core's `Response`s become
 * either a buffered proxy result or a streamed result for middy to pipe.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { GatewayError } from '../core/errors.js';
import type { RequestContext } from '../core/gateway-types.js';
import { routes } from '../core/routes.js';

const fallbackHost = 'tollway.local';
const hostPattern = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** The origin requests appear to come from; only ever a plain host name, never a path. */
const originOf = (event: APIGatewayProxyEvent): string => {
  const candidates = [event.requestContext?.domainName, event.headers?.Host, event.headers?.host];
  const host = candidates.find((candidate): candidate is string => typeof candidate === 'string' && hostPattern.test(candidate));
  return `https://${host ?? fallbackHost}`;
};

const queryOf = (event: APIGatewayProxyEvent): URLSearchParams => {
  const query = new URLSearchParams();
  const multiValue = event.multiValueQueryStringParameters;
  if (multiValue) {
    for (const [name, values] of Object.entries(multiValue)) values?.forEach((value) => query.append(name, value));
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query.append(name, value);
  }
  return query;
};

const headersOf = (event: APIGatewayProxyEvent): Headers => {
  const headers = new Headers();
  const multiValue = event.multiValueHeaders;
  if (multiValue && Object.keys(multiValue).length > 0) {
    for (const [name, values] of Object.entries(multiValue)) values?.forEach((value) => headers.append(name, value));
  } else {
    for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.append(name, value);
  }
  return headers;
};

/**
 * A REST API proxy event as a web `Request`. `event.path` is the resource path
 * without the stage (`/v1/chat/completions`), which is what the route table holds.
 * `signal` becomes the request's own: on Lambda, the invocation's deadline.
 */
export const toWebRequest = (event: APIGatewayProxyEvent, signal?: AbortSignal): Request => {
  const method = event.httpMethod.toUpperCase();
  const path = event.path?.startsWith('/') ? event.path : `/${event.path ?? ''}`;
  // Concatenated rather than resolved, so a path like `//host/x` stays a path.
  const url = new URL(`${originOf(event)}${path}`);
  url.search = queryOf(event).toString();
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== null && event.body !== undefined;
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : (event.body ?? '')) : undefined;
  return new Request(url, { method, headers: headersOf(event), body, signal });
};

/** Whether the route table serves this event's route through a streaming integration. */
export const isStreamedRoute = (event: APIGatewayProxyEvent): boolean =>
  routes.some((route) => route.streaming && route.method === event.httpMethod && route.path === event.resource);

interface SplitHeaders {
  headers: Record<string, string>;
  /** Only `set-cookie`, the one header that cannot be comma-joined. */
  multiValueHeaders?: Record<string, string[]>;
}

const splitHeaders = (source: Headers): SplitHeaders => {
  const headers: Record<string, string> = {};
  source.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = source.getSetCookie();
  return cookies.length > 0 ? { headers, multiValueHeaders: { 'set-cookie': cookies } } : { headers };
};

const textualContentType = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-ndjson|x-www-form-urlencoded)\b)/i;

/** A buffered API Gateway proxy result: text bodies as they are, anything else base64. */
export const toBufferedResult = async (response: Response): Promise<APIGatewayProxyResult> => {
  const bytes = Buffer.from(await response.arrayBuffer());
  const contentType = response.headers.get('content-type');
  const textual = bytes.length === 0 || (contentType !== null && textualContentType.test(contentType));
  return {
    statusCode: response.status,
    ...splitHeaders(response.headers),
    body: textual ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !textual,
  };
};

/**
 * What a middy 6 `streamifyResponse` handler returns: middy writes everything
 * but `body` as the HTTP prelude (`awslambda.HttpResponseStream.from`) and
 * then pipes `body` into the response stream.
 */
export interface StreamedResult extends SplitHeaders {
  statusCode: number;
  body: Readable | string;
}

/** A streamed result whose body is read from the `Response` as the client consumes it. */
export const toStreamedResult = (response: Response): StreamedResult => ({
  statusCode: response.status,
  ...splitHeaders(response.headers),
  // The DOM and Node typings describe the same WHATWG stream class.
  body: response.body ? Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>) : '',
});

/** Work the core hands over with `waitUntil`, kept until the invocation settles it. */
export class BackgroundTasks {
  readonly #pending: Promise<PromiseSettledResult<unknown>>[] = [];
  readonly #cleanups: Array<() => void> = [];

  /** Runs `cleanup` once every task has settled (the invocation is over). */
  onSettled(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  /** Keeps `task`; its failure is reported by `settle`, never as an unhandled rejection. */
  add(task: Promise<unknown>): void {
    this.#pending.push(Promise.allSettled([task]).then(([result]) => result));
  }

  /** Waits for every task, including ones added while waiting; returns the failures' reasons. */
  async settle(): Promise<unknown[]> {
    const failures: unknown[] = [];
    while (this.#pending.length > 0) {
      const results = await Promise.all(this.#pending.splice(0));
      for (const result of results) if (result.status === 'rejected') failures.push(result.reason);
    }
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    return failures;
  }
}

/** Time kept back from the invocation's end for settling holds and writing usage records (a few DynamoDB calls, retries included). */
export const settlementReserveMs = 15_000;

/**
 * The core's per-request context on Lambda. Lambda tells a function nothing
 * when the caller of a streamed response goes away (writes keep succeeding
 * until the invocation ends), so the one thing to abort on is the
 * invocation's own end: the signal fires `settlementReserveMs` before it, so
 * the upstream call (retries and stream included) stops in time for the
 * settlement and the usage record, instead of Lambda killing all three.
 */
export const lambdaRequestContext = (requestId: string, tasks: BackgroundTasks, remainingMs: number = Number.POSITIVE_INFINITY): RequestContext => {
  const deadline = new AbortController();
  if (Number.isFinite(remainingMs)) {
    const timer = setTimeout(
      () => deadline.abort(new GatewayError(504, 'The gateway function ran out of time for this request.', { type: 'server_error', code: 'invocation_deadline' })),
      Math.max(0, remainingMs - settlementReserveMs),
    );
    timer.unref?.();
    tasks.onSettled(() => clearTimeout(timer));
  }
  return { requestId, waitUntil: (task) => tasks.add(task), clientSignal: deadline.signal };
};
