import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ResultSchema,
  ToolListChangedNotificationSchema,
  type Implementation,
  type Result,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../core/config/schema.js';
import { isConnectionLost, isSessionGone } from './upstream-errors.js';
import { listToolsResultSchema, type UpstreamTool, type UpstreamToolPage } from './upstream-results.js';

export interface UpstreamConnectionOptions {
  server: McpServerConfig;
  resolveSecret: (value: string, field: string) => Promise<string>;
  fetch?: typeof fetch;
  /** How long a tool list is trusted before it is fetched again. */
  toolListTtlMs?: number;
  clientInfo?: Implementation;
  now?: () => number;
}

/** What the upstream said when it was initialized. */
export interface UpstreamSession {
  client: Client;
  capabilities: ServerCapabilities;
  serverInfo?: Implementation;
  instructions?: string;
}

export interface UpstreamRequest {
  method: string;
  params?: Record<string, unknown>;
}

const maxToolPages = 50;
/** Lets a request's own timeout fire (a clean MCP error) before the HTTP exchange under it is torn down. */
const fetchGraceMs = 1_000;

/**
 * One upstream MCP server, per process: a `Client` initialized once (lazily;
 * concurrent first uses share the initialization) and reused with its session.
 * When the upstream says the session is gone, the client is replaced and
 * re-initialized once and the request retried once.
 */
export class UpstreamConnection {
  readonly name: string;
  readonly timeoutMs: number;
  private session: Promise<UpstreamSession> | undefined;
  private toolList: { tools: UpstreamTool[]; expiresAt: number } | undefined;
  private toolListLoading: Promise<UpstreamTool[]> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: UpstreamConnectionOptions) {
    this.name = options.server.name;
    this.timeoutMs = options.server.timeout_ms;
    this.now = options.now ?? Date.now;
  }

  /** The initialized session (initializing it on first use). */
  connect(): Promise<UpstreamSession> {
    if (!this.session) {
      const session = this.open();
      this.session = session;
      session.catch(() => {
        if (this.session === session) this.session = undefined;
      });
    }
    return this.session;
  }

  /** Sends one request and returns the upstream's result as it came (only its shape as a JSON-RPC result checked). */
  request(request: UpstreamRequest, signal?: AbortSignal): Promise<Result> {
    return this.withSession((session) => session.client.request(request, ResultSchema, { timeout: this.timeoutMs, signal }));
  }

  /** One page of the upstream's tools, cursor passed through. */
  listToolsPage(cursor: string | undefined, signal?: AbortSignal): Promise<UpstreamToolPage> {
    const params = cursor === undefined ? {} : { cursor };
    return this.withSession((session) =>
      session.client.request({ method: 'tools/list', params }, listToolsResultSchema, { timeout: this.timeoutMs, signal }),
    );
  }

  /** Every tool of the upstream (all pages), cached briefly and dropped when the upstream says its list changed. */
  tools(options: { fresh?: boolean } = {}): Promise<UpstreamTool[]> {
    if (options.fresh) this.toolList = undefined;
    if (this.toolList && this.toolList.expiresAt > this.now()) return Promise.resolve(this.toolList.tools);
    if (!this.toolListLoading) {
      const loading = this.loadTools();
      this.toolListLoading = loading;
      const clear = () => {
        if (this.toolListLoading === loading) this.toolListLoading = undefined;
      };
      loading.then(clear, clear);
    }
    return this.toolListLoading;
  }

  /** Closes the client (the process is ending, or a test is done). */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.then((open) => open.client.close()).catch(() => undefined);
  }

  private async loadTools(): Promise<UpstreamTool[]> {
    const tools: UpstreamTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxToolPages; page += 1) {
      const result = await this.listToolsPage(cursor);
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    this.toolList = { tools, expiresAt: this.now() + (this.options.toolListTtlMs ?? 30_000) };
    return tools;
  }

  private async withSession<T>(operation: (session: UpstreamSession) => Promise<T>): Promise<T> {
    const used = this.connect();
    const session = await used;
    try {
      return await operation(session);
    } catch (error) {
      // A request that never reached the upstream's tools is safe to send again, once, on a fresh session.
      const replaced = this.session !== used;
      if (!isSessionGone(error) && !(replaced && isConnectionLost(error))) throw error;
      if (!replaced) this.discard(used);
      return operation(await this.connect());
    }
  }

  private discard(session: Promise<UpstreamSession>) {
    this.session = undefined;
    session.then((open) => open.client.close()).catch(() => undefined);
  }

  private async open(): Promise<UpstreamSession> {
    const { server } = this.options;
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: await this.resolveHeaders() },
      fetch: upstreamFetch(this.options.fetch ?? fetch, this.timeoutMs + fetchGraceMs),
    });
    const client = new Client(this.options.clientInfo ?? { name: 'tollway', version: '0.1.0' }, { capabilities: {} });
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.toolList = undefined;
    });
    try {
      await client.connect(transport, { timeout: this.timeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return {
      client,
      capabilities: client.getServerCapabilities() ?? {},
      serverInfo: client.getServerVersion(),
      instructions: client.getInstructions(),
    };
  }

  private async resolveHeaders(): Promise<Record<string, string>> {
    const entries = Object.entries(this.options.server.headers ?? {});
    const resolved = await Promise.all(
      entries.map(async ([header, value]) => [header, await this.options.resolveSecret(value, `mcp_servers.${this.name}.headers.${header}`)] as const),
    );
    return Object.fromEntries(resolved);
  }
}

/**
 * The fetch the upstream transport uses. It never opens the optional
 * standalone GET stream (answering 405 as a server without one would): a
 * Lambda container cannot hold a stream between invocations, and results
 * arrive on the POST that asked for them. Every POST is torn down after the
 * call's deadline, so a hanging upstream leaks no sockets.
 */
const upstreamFetch =
  (baseFetch: typeof fetch, deadlineMs: number): FetchLike =>
  async (url, init) => {
    if ((init?.method ?? 'GET').toUpperCase() === 'GET') return new Response(null, { status: 405 });
    const deadline = AbortSignal.timeout(deadlineMs);
    return baseFetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
  };
