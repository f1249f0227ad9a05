import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport, type EventStore, type JSONRPCMessage, type McpServer } from '@modelcontextprotocol/server';

const jsonRpcError = (status: number, code: number, message: string): Response =>
  Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });

/** An in-memory event store, so a 2025-11-25 client can resume an SSE stream with Last-Event-ID (SEP-1699). */
const createEventStore = (): EventStore => {
  const events: Array<{ eventId: string; streamId: string; message: JSONRPCMessage }> = [];
  return {
    async storeEvent(streamId, message) {
      const eventId = `${streamId}::${events.length.toString().padStart(8, '0')}`;
      events.push({ eventId, streamId, message });
      return eventId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const streamId = lastEventId.split('::')[0];
      const after = events.findIndex((event) => event.eventId === lastEventId);
      for (const event of events.slice(after + 1)) {
        if (event.streamId === streamId) await send(event.eventId, event.message);
      }
      return streamId;
    },
  };
};

/**
 * The 2025-11-25 side of the fixture: sessionful Streamable HTTP, one
 * transport and server instance per session, so the server can push
 * requests (sampling, elicitation) and stream on GET, and DELETE ends the
 * session. The SDK's `createMcpHandler` serves 2025 traffic only statelessly,
 * which cannot carry a server-to-client request; its documentation routes
 * sessionful 2025 serving with `isLegacyRequest` in front of it, as here.
 */
export class LegacySessions {
  private readonly transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  private readonly servers = new Map<string, McpServer>();

  constructor(private readonly createServer: () => McpServer) {}

  /** Serves one 2025-era request: to its session, or (an initialize without one) to a new session. */
  async handle(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const transport = this.transports.get(sessionId);
      return transport ? transport.handleRequest(request) : jsonRpcError(404, -32001, 'Session not found');
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    return this.open(request);
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    const servers = [...this.servers.values()];
    this.transports.clear();
    this.servers.clear();
    await Promise.all(servers.map((server) => server.close().catch(() => undefined)));
  }

  private async open(request: Request): Promise<Response> {
    const server = this.createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: createEventStore(),
      retryInterval: 1000,
      onsessioninitialized: (id) => {
        this.transports.set(id, transport);
        this.servers.set(id, server);
      },
      onsessionclosed: (id) => this.forget(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.forget(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    // Anything but an initialize (which the transport answers 400) leaves no session behind.
    if (transport.sessionId === undefined) await server.close();
    return response;
  }

  private forget(sessionId: string): void {
    const server = this.servers.get(sessionId);
    this.transports.delete(sessionId);
    this.servers.delete(sessionId);
    server?.close().catch(() => undefined);
  }
}
