import type { McpServerConfig } from '../core/config/schema.js';
import { UpstreamConnection, type UpstreamConnectionOptions } from './upstream-connection.js';

export type UpstreamPoolOptions = Omit<UpstreamConnectionOptions, 'server'>;

/** The configured upstream MCP servers, one connection each per process, created on first use. */
export class UpstreamPool {
  private readonly servers: Map<string, McpServerConfig>;
  private readonly connections = new Map<string, UpstreamConnection>();

  constructor(servers: readonly McpServerConfig[], private readonly options: UpstreamPoolOptions) {
    this.servers = new Map(servers.map((server) => [server.name, server]));
  }

  /** Configured server names, in config order. */
  names(): string[] {
    return [...this.servers.keys()];
  }

  has(name: string): boolean {
    return this.servers.has(name);
  }

  /** The connection to a configured server, or undefined for a name not in the config. */
  get(name: string): UpstreamConnection | undefined {
    const server = this.servers.get(name);
    if (!server) return undefined;
    let connection = this.connections.get(name);
    if (!connection) {
      connection = new UpstreamConnection({ ...this.options, server });
      this.connections.set(name, connection);
    }
    return connection;
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
    this.connections.clear();
  }
}
