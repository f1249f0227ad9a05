import { Readable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  BackgroundTasks,
  isStreamedRoute,
  lambdaRequestContext,
  settlementReserveMs,
  toBufferedResult,
  toStreamedResult,
  toWebRequest,
} from '../../functions/handlers/lambda-host.js';

/** A REST API proxy event as API Gateway sends it (trimmed to the fields the host reads). */
const proxyEvent = (overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  resource: '/v1/chat/completions',
  path: '/v1/chat/completions',
  httpMethod: 'POST',
  headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'Content-Type': 'application/json' },
  multiValueHeaders: {
    Host: ['abc123.execute-api.eu-west-1.amazonaws.com'],
    'Content-Type': ['application/json'],
  },
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    authorizer: undefined,
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    httpMethod: 'POST',
    identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
    path: '/prod/v1/chat/completions',
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTimeEpoch: 1_700_000_000_000,
    resourceId: 'xyz',
    resourcePath: '/v1/chat/completions',
    stage: 'prod',
  },
  body: '{"model":"echo"}',
  isBase64Encoded: false,
  ...overrides,
});

const readAll = async (stream: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
};

describe('toWebRequest', () => {
  it('keeps the method, the stage-less path and the API domain as origin', async () => {
    const request = toWebRequest(proxyEvent());

    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/chat/completions');
    expect(await request.text()).toBe('{"model":"echo"}');
  });

  it('carries every value of repeated headers', () => {
    const request = toWebRequest(
      proxyEvent({
        headers: { Authorization: 'Bearer sk-one', 'X-Tag': 'b' },
        multiValueHeaders: { Authorization: ['Bearer sk-one'], 'X-Tag': ['a', 'b'] },
      }),
    );

    expect(request.headers.get('authorization')).toBe('Bearer sk-one');
    expect(request.headers.get('x-tag')).toBe('a, b');
  });

  it('falls back to single-value headers when multi-value ones are absent', () => {
    const request = toWebRequest(proxyEvent({ headers: { 'x-api-key': 'sk-two' }, multiValueHeaders: {} }));

    expect(request.headers.get('x-api-key')).toBe('sk-two');
  });

  it('rebuilds the query string from multi-value parameters, encoding as needed', () => {
    const request = toWebRequest(
      proxyEvent({
        httpMethod: 'GET',
        path: '/key/list',
        body: null,
        queryStringParameters: { team_id: 'b', q: 'a b&c' },
        multiValueQueryStringParameters: { team_id: ['a', 'b'], q: ['a b&c'] },
      }),
    );

    const url = new URL(request.url);
    expect(url.pathname).toBe('/key/list');
    expect(url.searchParams.getAll('team_id')).toEqual(['a', 'b']);
    expect(url.searchParams.get('q')).toBe('a b&c');
  });

  it('decodes a base64 body into the original bytes', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const request = toWebRequest(proxyEvent({ body: bytes.toString('base64'), isBase64Encoded: true }));

    expect(Buffer.from(await request.arrayBuffer())).toEqual(bytes);
  });

  it('drops a body on GET', async () => {
    const request = toWebRequest(proxyEvent({ httpMethod: 'GET', path: '/v1/models', body: 'ignored' }));

    expect(request.body).toBeNull();
  });

  it('never lets a path or Host header change the origin', () => {
    const request = toWebRequest(
      proxyEvent({
        path: '//evil.example/x',
        headers: { Host: 'evil.example/path' },
        multiValueHeaders: {},
        requestContext: { ...proxyEvent().requestContext, domainName: undefined },
      }),
    );

    const url = new URL(request.url);
    expect(url.host).toBe('tollway.local');
    expect(url.pathname).toBe('//evil.example/x');
  });
});

describe('isStreamedRoute', () => {
  it('is true for the completions route and false for the models route', () => {
    expect(isStreamedRoute(proxyEvent())).toBe(true);
    expect(isStreamedRoute(proxyEvent({ httpMethod: 'GET', resource: '/v1/models', path: '/v1/models' }))).toBe(false);
  });
});

describe('toBufferedResult', () => {
  it('returns a JSON body as text with its status and headers', async () => {
    const response = new Response('{"ok":true}', {
      status: 201,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
    });

    const result = await toBufferedResult(response);

    expect(result).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it('base64-encodes a binary body', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const response = new Response(bytes, { headers: { 'content-type': 'image/png' } });

    const result = await toBufferedResult(response);

    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('keeps each set-cookie header separate', async () => {
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');

    const result = await toBufferedResult(new Response('hi', { headers }));

    expect(result.headers).toEqual({ 'content-type': 'text/plain' });
    expect(result.multiValueHeaders).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
  });

  it('answers an empty body as empty text', async () => {
    const result = await toBufferedResult(new Response(null, { status: 204 }));

    expect(result).toMatchObject({ statusCode: 204, body: '', isBase64Encoded: false });
  });
});

describe('toStreamedResult', () => {
  it('streams the body chunk by chunk behind the status and headers', async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: one\n\n'));
        controller.enqueue(encoder.encode('data: [DONE]\n\n'));
        controller.close();
      },
    });
    const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });

    const result = toStreamedResult(response);

    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual({ 'content-type': 'text/event-stream' });
    expect(result.body).toBeInstanceOf(Readable);
    expect(await readAll(result.body as Readable)).toBe('data: one\n\ndata: [DONE]\n\n');
  });

  it('uses an empty string when there is no body, which middy still writes', () => {
    expect(toStreamedResult(new Response(null, { status: 204 })).body).toBe('');
  });
});

describe('BackgroundTasks', () => {
  it('waits for tasks added while settling and reports the failures', async () => {
    const tasks = new BackgroundTasks();
    const context = lambdaRequestContext('req-1', tasks);
    const finished: string[] = [];
    context.waitUntil(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          finished.push('first');
          context.waitUntil(Promise.resolve().then(() => finished.push('second')));
          resolve();
        }, 5),
      ),
    );
    context.waitUntil(Promise.reject(new Error('usage write failed')));

    const failures = await tasks.settle();

    expect(context.requestId).toBe('req-1');
    expect(finished).toEqual(['first', 'second']);
    expect(failures).toEqual([new Error('usage write failed')]);
  });
});

describe('lambdaRequestContext: the invocation deadline', () => {
  it('aborts the request settlementReserveMs before the invocation ends, with a 504 naming the deadline', async () => {
    const tasks = new BackgroundTasks();
    const startedAt = performance.now();

    const context = lambdaRequestContext('req-2', tasks, settlementReserveMs + 100);
    await new Promise((resolve) => context.clientSignal!.addEventListener('abort', resolve, { once: true }));

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(90);
    expect(context.clientSignal!.reason).toMatchObject({ status: 504, code: 'invocation_deadline' });
  });

  it('never fires once the invocation has settled, nor without a deadline', async () => {
    const tasks = new BackgroundTasks();
    const settled = lambdaRequestContext('req-3', tasks, settlementReserveMs + 50);
    const unbounded = lambdaRequestContext('req-4', new BackgroundTasks());

    await tasks.settle();
    await new Promise((resolve) => setTimeout(resolve, 120));

    expect(settled.clientSignal!.aborted).toBe(false);
    expect(unbounded.clientSignal!.aborted).toBe(false);
  });
});

