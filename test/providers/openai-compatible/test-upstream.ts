import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the test upstream received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Resolves when the connection closes before the response finished (the client went away). */
  clientGone: Promise<void>;
}

export type UpstreamHandler = (request: ReceivedRequest, response: ServerResponse) => void;

/** A real HTTP server on a free local port standing in for an OpenAI-compatible API. */
export interface TestUpstream {
  /** Base URL including `/v1`. */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Sets how the next requests are answered. */
  handle(handler: UpstreamHandler): void;
  /** The JSON body of the last request. */
  lastBody(): Record<string, unknown>;
  close(): Promise<void>;
}

export const startTestUpstream = async (): Promise<TestUpstream> => {
  const requests: ReceivedRequest[] = [];
  let handler: UpstreamHandler = (_request, response) => sendJson(response, 500, { error: { message: 'no handler' } });
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    const clientGone = new Promise<void>((resolve) => {
      response.on('close', () => {
        if (!response.writableFinished) resolve();
      });
    });
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientGone,
      };
      requests.push(request);
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    handle: (next) => {
      handler = next;
    },
    lastBody: () => JSON.parse(requests[requests.length - 1].body) as Record<string, unknown>,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
};

export const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

/** Sends each line as one SSE `data:` event, then `[DONE]` unless told not to. */
export const sendEvents = (response: ServerResponse, lines: string[], { done = true }: { done?: boolean } = {}) => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const line of lines) response.write(`data: ${line}\n\n`);
  if (done) response.write('data: [DONE]\n\n');
  response.end();
};

const fixturesDirectory = new URL('../../fixtures/openai-chat/', import.meta.url);

export const readFixtureJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixturesDirectory), 'utf8'));

export const readFixtureChunks = (name: string): string[] =>
  readFileSync(new URL(name, fixturesDirectory), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');

/** Reads a whole stream of parts. */
export const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** The error a promise rejects with; fails the test when it resolves. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
};
