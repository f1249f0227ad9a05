import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One JSON-RPC message as the server received it, loosely typed: the tests look at what the client sent. */
export interface ReceivedMessage {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export interface ReceivedPost {
  message: ReceivedMessage;
  headers: IncomingHttpHeaders;
}

/** Answers one request: write to `response` (see `answerJson` and `answerEvents`), or never, to hang. */
export type ScriptedHandler = (post: ReceivedPost, response: ServerResponse) => void | Promise<void>;

export interface ScriptedMcpServer {
  url: string;
  /** Every POST, in order: requests, notifications and the client's answers to our requests. */
  posts: ReceivedPost[];
  /** The requests (and notifications) with this method. */
  received(method: string): ReceivedPost[];
  /** The client's answer to the server's request `id`, once it is POSTed. */
  answerTo(id: string | number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

export const sessionId = 'session-1';

/** The result a server-everything-like upstream answers `initialize` with. */
export const initializeResult = (protocolVersion = '2025-11-25') => ({
  protocolVersion,
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: 'scripted', version: '1.0.0' },
});

export const answerJson = (response: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(200, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};

/** Starts an event stream and writes the messages as `message` events; the stream stays open unless `end`. */
export const answerEvents = (response: ServerResponse, messages: unknown[], options: { end?: boolean } = {}) => {
  if (!response.headersSent) response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const message of messages) response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  if (options.end) response.end();
};

export const result = (id: string | number | undefined, body: unknown) => ({ jsonrpc: '2.0', id, result: body });

const readBody = async (incoming: AsyncIterable<unknown>): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A Streamable HTTP MCP endpoint on node:http whose answers each test
 * scripts per method, for what server-everything cannot be made to do (event
 * streams with server requests, forgotten sessions, silence). `initialize`
 * answers with a session id unless scripted; notifications and the client's
 * answers are accepted with 202.
 */
export const startScriptedMcpServer = async (handlers: Record<string, ScriptedHandler>): Promise<ScriptedMcpServer> => {
  const posts: ReceivedPost[] = [];
  const answers = new Map<string | number, (message: ReceivedMessage) => void>();
  const answered = new Map<string | number, ReceivedMessage>();
  const fallback: Record<string, ScriptedHandler> = {
    initialize: ({ message }, response) => answerJson(response, result(message.id, initializeResult()), { 'mcp-session-id': sessionId }),
  };

  const http = createServer(async (incoming, response) => {
    if (incoming.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    const message = JSON.parse(await readBody(incoming)) as ReceivedMessage;
    const post = { message, headers: incoming.headers };
    posts.push(post);
    if (message.method === undefined) {
      if (message.id !== undefined) {
        answered.set(message.id, message);
        answers.get(message.id)?.(message);
      }
      response.writeHead(202).end();
      return;
    }
    const handler = handlers[message.method] ?? fallback[message.method];
    if (message.id === undefined || !handler) {
      response.writeHead(202).end();
      return;
    }
    await handler(post, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    posts,
    received: (method) => posts.filter((post) => post.message.method === method),
    answerTo: (id) => {
      const known = answered.get(id);
      return known ? Promise.resolve(known) : new Promise((resolve) => answers.set(id, resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
};
