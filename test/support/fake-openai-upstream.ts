import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake upstream received. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

export type UpstreamHandler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  baseUrl: string;
  received: ReceivedRequest[];
  setHandler(handler: UpstreamHandler): void;
  close(): Promise<void>;
}

/** A real HTTP server speaking just enough of the OpenAI Chat Completions API for tests. */
export const startFakeUpstream = async (initial: UpstreamHandler): Promise<FakeUpstream> => {
  let handler = initial;
  const received: ReceivedRequest[] = [];
  const server: Server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request = { path: incoming.url ?? '/', headers: incoming.headers, body: text ? JSON.parse(text) : {} };
    received.push(request);
    await handler(request, outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received,
    setHandler: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

export const completionBody = (message: Record<string, unknown>, finishReason: string, usage = { prompt_tokens: 11, completion_tokens: 7 }) => ({
  id: 'chatcmpl-upstream',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'upstream-model',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
  usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
});

export const sendJson = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

export const startSse = (response: ServerResponse) => {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.flushHeaders();
};

export const sendChunk = (response: ServerResponse, delta: Record<string, unknown>, finishReason: string | null = null) =>
  response.write(
    `data: ${JSON.stringify({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`,
  );

export const sendUsageChunk = (response: ServerResponse, usage = { prompt_tokens: 11, completion_tokens: 7 }) =>
  response.write(
    `data: ${JSON.stringify({ id: 'chatcmpl-upstream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'upstream-model', choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
  );

export const endSse = (response: ServerResponse) => {
  response.write('data: [DONE]\n\n');
  response.end();
};
