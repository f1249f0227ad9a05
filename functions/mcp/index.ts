// Placeholder until the MCP gateway lands: the port answers 501 everywhere.
import type { TollwayConfig } from '../core/config/schema.js';
import { GatewayError } from '../core/errors.js';
import type { GatewayLogger } from '../core/logger.js';
import type { McpService } from '../core/mcp/mcp-service.js';
import type { GatewayMetrics } from '../core/metrics.js';

export interface McpServiceOptions {
  config: TollwayConfig;
  /** Resolves `env:`/`secret:` references inside header values; `field` names the config field in errors. */
  resolveSecret: (value: string, field: string) => Promise<string>;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  fetch?: typeof fetch;
}

const notYet = () => new GatewayError(501, 'The MCP gateway is not available yet.', { type: 'server_error', code: 'not_implemented' });

export const createMcpService = (_options: McpServiceOptions): McpService => ({
  handle: async () => {
    throw notYet();
  },
  listTools: async () => {
    throw notYet();
  },
  callTool: async () => {
    throw notYet();
  },
});
