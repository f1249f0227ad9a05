import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFetch } from '../../../functions/providers/http/node-fetch.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const serve = async (handle: (request: IncomingMessage, body: string, response: ServerResponse) => void) => {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => handle(request, body, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const readAll = async (body: ReadableStream<Uint8Array> | null) => {
  const reader = body!.getReader();
  const pieces: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return pieces;
    pieces.push(new TextDecoder().decode(value));
  }
};

describe('nodeFetch', () => {
  it('posts a JSON body with its headers and reads the answer', async () => {
    // Prepare
    const seen: Array<{ method?: string; headers: IncomingMessage['headers']; body: string }> = [];
    const origin = await serve((request, body, response) => {
      seen.push({ method: request.method, headers: request.headers, body });
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'abc' });
      response.end('{"ok":true}');
    });

    // Act
    const response = await nodeFetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer sk-test' }),
      body: '{"model":"m","text":"héllo"}',
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('abc');
    expect(await response.json()).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"model":"m","text":"héllo"}' });
    expect(seen[0].headers).toMatchObject({ authorization: 'Bearer sk-test', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength('{"model":"m","text":"héllo"}')) });
  });

  it('hands a streamed answer over piece by piece, before it has ended', async () => {
    // Prepare
    let finish: () => void = () => undefined;
    const origin = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      finish = () => response.end('data: two\n\n');
    });

    // Act
    const response = await nodeFetch(origin, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    finish();
    const rest = await readAll(new ReadableStream({ pull: async (controller) => {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    } }));

    // Assess
    expect(first).toBe('data: one\n\n');
    expect(rest.join('')).toBe('data: two\n\n');
  });

  it('rejects with the caller’s reason when aborted before the answer, and errors the body when aborted during it', async () => {
    // Prepare
    const origin = await serve((request, _body, response) => {
      if (request.url === '/slow') return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
    });
    const before = new AbortController();
    const during = new AbortController();

    // Act
    const pending = nodeFetch(`${origin}/slow`, { method: 'POST', body: '{}', signal: before.signal });
    setTimeout(() => before.abort(new Error('client disconnected')), 20);
    const beforeError = await pending.catch((error: unknown) => error);
    const response = await nodeFetch(`${origin}/stream`, { method: 'POST', body: '{}', signal: during.signal });
    const reader = response.body!.getReader();
    await reader.read();
    during.abort();
    const duringError = await reader.read().catch((error: unknown) => error);

    // Assess
    expect(beforeError).toMatchObject({ message: 'client disconnected' });
    expect(duringError).toMatchObject({ name: 'AbortError' });
  });

  it('fails as fetch does, with the socket error as the cause, when nothing listens or the server drops the body', async () => {
    // Prepare
    const closed = await serve(() => undefined);
    servers[0].close();
    servers[0].closeAllConnections();
    const dropping = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n', () => response.socket?.destroy());
    });

    // Act
    const refused = await nodeFetch(closed, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    const response = await nodeFetch(dropping, { method: 'POST', body: '{}' });
    const dropped = await readAll(response.body).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(TypeError);
    expect(refused).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    expect(dropped).toMatchObject({ code: 'ECONNRESET' });
  });

  it('decompresses an answer the server compressed unasked, and gives no body for 204', async () => {
    // Prepare
    const origin = await serve((request, _body, response) => {
      if (request.url === '/empty') {
        response.writeHead(204);
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync('{"compressed":true}'));
    });

    // Act
    const compressed = await nodeFetch(`${origin}/gzip`, { method: 'POST', body: '{}' });
    const empty = await nodeFetch(`${origin}/empty`, { method: 'POST', body: '{}' });

    // Assess
    expect(await compressed.json()).toEqual({ compressed: true });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });
});
