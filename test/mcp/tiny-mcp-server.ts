import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { writeWebResponse } from '../../functions/http/node-adapter.js';

export interface TinyMcpServerOptions {
  /** Keep sessions (ids from the server, 404 for ids it does not know), as stateful upstreams do. */
  stateful?: boolean;
  /** Tool names offered; `echo`-like tools answering `<name>: <arguments as JSON>`, but `oops` answers with `isError` and `fail` with a JSON-RPC error. */
  tools?: string[];
  /** How long `tools/list` takes. */
  listDelayMs?: number;
}

export interface TinyMcpServer {
  url: string;
  /** JSON-RPC methods received, in order. */
  methods: string[];
  /** Request headers of every POST, in order. */
  headers: Record<string, string | string[] | undefined>[];
  count(method: string): number;
  /** Forget every session, as a restarted server would: old session ids now get 404. */
  forgetSessions(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const readBody = async (incoming: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const methodsOf = (body: unknown): string[] =>
  (Array.isArray(body) ? body : [body]).flatMap((message) =>
    typeof message === 'object' && message !== null && 'method' in message && typeof message.method === 'string' ? [message.method] : [],
  );

/** A small MCP server built with the SDK, on node:http, whose behaviour a test controls and observes. */
export const startTinyMcpServer = async (options: TinyMcpServerOptions = {}): Promise<TinyMcpServer> => {
  const toolNames = options.tools ?? ['echo'];
  const methods: string[] = [];
  const headers: TinyMcpServer['headers'] = [];
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

  const mcpServer = () => {
    const server = new Server({ name: 'tiny', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => {
      if (options.listDelayMs) await sleep(options.listDelayMs);
      return {
        tools: toolNames.map((name) => ({
          name,
          description: `The ${name} tool`,
          inputSchema: { type: 'object' as const, properties: { text: { type: 'string' } } },
        })),
      };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const text = `${request.params.name}: ${JSON.stringify(request.params.arguments ?? {})}`;
      if (request.params.name === 'fail') throw new Error('the tool broke');
      return { content: [{ type: 'text' as const, text }], isError: request.params.name === 'oops' ? true : undefined };
    });
    return server;
  };

  const transportFor = async (sessionId: string | undefined) => {
    if (sessionId) return sessions.get(sessionId);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: options.stateful ? () => randomUUID() : undefined,
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
    });
    await mcpServer().connect(transport);
    return transport;
  };

  const http = createServer(async (incoming, outgoing) => {
    if (incoming.method !== 'POST') {
      outgoing.writeHead(405).end();
      return;
    }
    headers.push(incoming.headers);
    const parsedBody: unknown = JSON.parse(await readBody(incoming));
    methods.push(...methodsOf(parsedBody));
    const sessionId = options.stateful ? (incoming.headers['mcp-session-id'] as string | undefined) : undefined;
    const transport = await transportFor(sessionId);
    if (!transport) {
      outgoing.writeHead(404, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
      return;
    }
    const request = new Request(`http://127.0.0.1${incoming.url ?? '/'}`, {
      method: 'POST',
      headers: Object.entries(incoming.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : [])),
    });
    await writeWebResponse(await transport.handleRequest(request, { parsedBody }), outgoing);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    methods,
    headers,
    count: (method) => methods.filter((received) => received === method).length,
    forgetSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
};
