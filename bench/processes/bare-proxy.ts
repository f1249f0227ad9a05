/**
 * Child process: the floor under any Node gateway on this machine. A node:http
 * server that forwards each request body to the upstream with `fetch` (as the
 * gateway's providers do) and writes the answer back, with no auth, no
 * database and no translation. What the gateway adds beyond this is its own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { childSettings, serveParent } from './child.js';

const { upstreamBaseUrl } = childSettings<{ upstreamBaseUrl: string }>();
const upstreamUrl = `${upstreamBaseUrl}/chat/completions`;

const server = createServer(async (incoming, outgoing) => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const latency = incoming.headers['x-bench-latency-ms'];
  const response = await fetch(upstreamUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(typeof latency === 'string' ? { 'x-bench-latency-ms': latency } : {}) },
    body: Buffer.concat(chunks),
  });
  outgoing.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
  if (response.body) Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(outgoing);
  else outgoing.end();
});
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
serveParent({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, () => new Promise<void>((resolve) => server.close(() => resolve())));
