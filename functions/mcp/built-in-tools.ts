import type { McpAccess, McpToolResult } from '../core/mcp/mcp-service.js';

/**
 * A tool the gateway serves itself on `POST /mcp` and through the REST tool
 * routes, federated as `<server>__<name>` beside the upstream tools (the
 * knowledge-base issue adds `knowledge_base__search`). `server` must not be a
 * configured MCP server name; one with an underscore never is.
 */
export interface BuiltInTool {
  /** The pseudo-server the tool belongs to, e.g. `knowledge_base`: its metric dimension and name prefix. */
  server: string;
  /** The tool's own name, e.g. `search`. */
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  /** Whether the caller may list and call it; allowed to everyone when absent. */
  allowedFor?(access: McpAccess): boolean;
  call(args: Record<string, unknown>, access: McpAccess, signal?: AbortSignal): Promise<McpToolResult>;
}
