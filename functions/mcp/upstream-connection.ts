import type { McpServerConfig } from '../core/config/schema.js';
import { StreamableHttpClient } from './streamable-http-client.js';
import { isConnectionLost, isSessionGone } from './upstream-errors.js';
import {
  listToolsResultSchema,
  resultSchema,
  type InitializeResult,
  type UpstreamCapabilities,
  type UpstreamResult,
  type UpstreamTool,
  type UpstreamToolPage,
} from './upstream-results.js';

export interface UpstreamConnectionOptions {
  server: McpServerConfig;
  resolveSecret: (value: string, field: string) => Promise<string>;
  fetch?: typeof fetch;
  /** How long a tool list is trusted before it is fetched again. */
  toolListTtlMs?: number;
  clientInfo?: { name: string; version: string };
  now?: () => number;
}

/** What the upstream said when it was initialized. */
export interface UpstreamSession {
  capabilities: UpstreamCapabilities;
  serverInfo: InitializeResult['serverInfo'];
  instructions?: string;
}

/** A session and the client that speaks on it. */
interface OpenSession {
  client: StreamableHttpClient;
  session: UpstreamSession;
}

export interface UpstreamRequest {
  method: string;
  params?: Record<string, unknown>;
}

const maxToolPages = 50;

/**
 * One upstream MCP server, per process: a session initialized once (lazily;
 * concurrent first uses share the initialization) and reused. When the
 * upstream says the session is gone, a new one is initialized and the request
 * retried, once.
 */
export class UpstreamConnection {
  readonly name: string;
  readonly timeoutMs: number;
  private session: Promise<OpenSession> | undefined;
  private toolList: { tools: UpstreamTool[]; expiresAt: number } | undefined;
  private toolListLoading: Promise<UpstreamTool[]> | undefined;
  private readonly now: () => number;
  private resolvedHeaders: Promise<Record<string, string>> | undefined;

  constructor(private readonly options: UpstreamConnectionOptions) {
    this.name = options.server.name;
    this.timeoutMs = options.server.timeout_ms;
    this.now = options.now ?? Date.now;
  }

  /** The initialized session (initializing it on first use). */
  async connect(): Promise<UpstreamSession> {
    return (await this.openSession()).session;
  }

  /** Where and how the upstream is reached: its URL, the configured headers (references resolved once), the fetch to use. */
  async endpoint(): Promise<{ url: string; headers: Record<string, string>; fetch: typeof fetch }> {
    this.resolvedHeaders ??= this.resolveHeaders();
    this.resolvedHeaders.catch(() => {
      this.resolvedHeaders = undefined;
    });
    return { url: this.options.server.url, headers: await this.resolvedHeaders, fetch: this.options.fetch ?? fetch };
  }

  /** Sends one request and returns the upstream's result as it came (only its shape as a JSON-RPC result checked). */
  request(request: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamResult> {
    return this.withSession(({ client }) => client.request(request.method, request.params, resultSchema, signal));
  }

  /** One page of the upstream's tools, cursor passed through. */
  listToolsPage(cursor: string | undefined, signal?: AbortSignal): Promise<UpstreamToolPage> {
    const params = cursor === undefined ? {} : { cursor };
    return this.withSession(({ client }) => client.request('tools/list', params, listToolsResultSchema, signal));
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

  /** Closes the session (the process is ending, or a test is done). */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.then(({ client }) => client.close()).catch(() => undefined);
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

  private async withSession<T>(operation: (session: OpenSession) => Promise<T>): Promise<T> {
    const used = this.openSession();
    const session = await used;
    try {
      return await operation(session);
    } catch (error) {
      // A request that never reached the upstream's tools is safe to send again, once, on a fresh session.
      const replaced = this.session !== used;
      if (!isSessionGone(error) && !(replaced && isConnectionLost(error))) throw error;
      if (!replaced) this.discard(used);
      return operation(await this.openSession());
    }
  }

  /** The session, opened on first use (concurrent callers share the opening); a failed opening is forgotten. */
  private openSession(): Promise<OpenSession> {
    if (!this.session) {
      const session = this.open();
      this.session = session;
      session.catch(() => {
        if (this.session === session) this.session = undefined;
      });
    }
    return this.session;
  }

  private discard(session: Promise<OpenSession>) {
    this.session = undefined;
    session.then(({ client }) => client.close()).catch(() => undefined);
  }

  private async open(): Promise<OpenSession> {
    const client = new StreamableHttpClient({
      url: this.options.server.url,
      headers: await this.resolveHeaders(),
      fetch: this.options.fetch ?? fetch,
      timeoutMs: this.timeoutMs,
      clientInfo: this.options.clientInfo ?? { name: 'tollway', version: '0.1.0' },
      onNotification: (notification) => {
        if (notification.method === 'notifications/tools/list_changed') this.toolList = undefined;
      },
    });
    try {
      const { capabilities, serverInfo, instructions } = await client.initialize();
      return { client, session: { capabilities, serverInfo, instructions } };
    } catch (error) {
      client.close();
      throw error;
    }
  }

  private async resolveHeaders(): Promise<Record<string, string>> {
    const entries = Object.entries(this.options.server.headers ?? {});
    const resolved = await Promise.all(
      entries.map(async ([header, value]) => [header, await this.options.resolveSecret(value, `mcp_servers.${this.name}.headers.${header}`)] as const),
    );
    return Object.fromEntries(resolved);
  }
}
