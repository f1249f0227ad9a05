/**
 * A fast OpenAI-compatible upstream for the benchmarks: node:http with
 * keep-alive, response bodies serialised once at start, an optional fixed
 * latency before answering, and an SSE mode (`"stream": true`) that sends N
 * content chunks at a fixed interval. It does as little work per request as an
 * HTTP server can, so that what the bench measures is the gateway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamSettings {
  /** Milliseconds before the response (non-streamed) or the first chunk (streamed); a request's `x-bench-latency-ms` header overrides it. */
  latencyMs: number;
  /** Content chunks in a streamed response. */
  streamChunks: number;
  /** Milliseconds between streamed content chunks. */
  chunkIntervalMs: number;
}

export interface BenchUpstream {
  /** The OpenAI base URL (`.../v1`). */
  baseUrl: string;
  port: number;
  /** When each chat request arrived (epoch ms, `performance.timeOrigin` based), oldest first; `reset` forgets them. */
  arrivals(reset: boolean): number[];
  close(): Promise<void>;
}

/** Arrivals kept at most (the soak sends tens of thousands): the oldest are dropped first. */
const maxArrivals = 100_000;

const created = 1_700_000_000;
const identity = { id: 'chatcmpl-bench', created, model: 'bench-model' };
const completionText = 'Tollway benchmark answer: a short completion of roughly fifty tokens, which is what a typical chat reply costs to serialise, parse and forward. '.repeat(2).trim();
const usage = { prompt_tokens: 42, completion_tokens: 50, total_tokens: 92 };

const completionBody = Buffer.from(
  JSON.stringify({
    ...identity,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: completionText }, finish_reason: 'stop', logprobs: null }],
    usage,
  }),
);

const chunkEvent = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  Buffer.from(`data: ${JSON.stringify({ ...identity, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);

/** Every content chunk starts with `tok`, so clients can spot the first token in either path's stream. */
export const contentToken = (index: number) => `tok${index} `;

const streamEvents = (chunks: number) => ({
  content: Array.from({ length: chunks }, (_, index) =>
    chunkEvent([{ index: 0, delta: index === 0 ? { role: 'assistant', content: contentToken(index) } : { content: contentToken(index) }, finish_reason: null }]),
  ),
  // The finish reason, usage and the terminator leave together, as OpenAI sends them.
  end: Buffer.concat([
    chunkEvent([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunkEvent([], { usage: { prompt_tokens: 42, completion_tokens: chunks, total_tokens: 42 + chunks } }),
    Buffer.from('data: [DONE]\n\n'),
  ]),
});

const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(completionBody.length) };
const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
/** Sent by the bench client on direct calls and by the gateway (a model's configured `headers`) on proxied ones. */
export const latencyHeaderName = 'x-bench-latency-ms';
const after = (milliseconds: number, run: () => void) => (milliseconds > 0 ? setTimeout(run, milliseconds) : run());

/** Starts the upstream on a free port of 127.0.0.1. */
export const startBenchUpstream = async (settings: UpstreamSettings, port = 0): Promise<BenchUpstream> => {
  const events = streamEvents(settings.streamChunks);
  let arrivals: number[] = [];

  const streamResponse = (response: ServerResponse) => {
    response.writeHead(200, sseHeaders);
    let index = 0;
    const next = () => {
      if (response.destroyed) return;
      response.write(events.content[index]);
      index += 1;
      if (index < events.content.length) setTimeout(next, settings.chunkIntervalMs);
      else response.end(events.end);
    };
    next();
  };

  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    // The receive time lets the bench tell which DynamoDB calls a request made before it reached the model.
    arrivals.push(performance.timeOrigin + performance.now());
    if (arrivals.length > maxArrivals) arrivals = arrivals.slice(-maxArrivals / 2);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      if (incoming.method !== 'POST' || !incoming.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      // A regular expression rather than JSON.parse: the upstream's own CPU time stays near zero.
      const streamed = /"stream"\s*:\s*true/.test(Buffer.concat(chunks).toString('latin1'));
      const latencyHeader = incoming.headers[latencyHeaderName];
      const latencyMs = typeof latencyHeader === 'string' ? Number(latencyHeader) : settings.latencyMs;
      after(latencyMs, () => (streamed ? streamResponse(response) : response.writeHead(200, jsonHeaders).end(completionBody)));
    });
  });
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    port: address.port,
    arrivals(reset) {
      const recorded = arrivals;
      if (reset) arrivals = [];
      return recorded;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
