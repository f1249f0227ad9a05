import type { Caller } from '../auth/authenticate.js';

/** What a caller may reach over MCP: the key's and team's server allowlists and per-tool permissions. */
export interface McpAccess {
  keyId: string;
  teamId?: string;
  /** Request id, for the tool-call audit log. */
  requestId: string;
  allowsServer(server: string): boolean;
  allowsTool(server: string, tool: string): boolean;
  allowsKnowledgeBase(name: string): boolean;
  /** Runs one upstream tool call under the caller's budgets (priced tools); absent, calls are free. */
  meterToolCall?<Result>(target: { server: string; tool: string }, call: () => Promise<Result>): Promise<Result>;
}

/**
 * A tool the gateway serves itself on `POST /mcp` and the REST tool routes,
 * federated as `<server>__<name>` beside the upstream tools. `server` must not
 * be a configured MCP server name; one with an underscore never is.
 */
export interface BuiltInMcpTool {
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

/** A tool as offered to clients and models: federated name `<server>__<tool>`. */
export interface McpToolDescription {
  /** The federated name (at most 64 characters, unique). */
  name: string;
  /** Upstream server name (or `knowledge_base` for built-in tools). */
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  description?: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
}

/** An MCP `tools/call` result: content blocks and the error flag, passed through unchanged. */
export interface McpToolResult {
  content: Array<Record<string, unknown>>;
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

/** Port: the MCP gateway (functions/mcp implements it). */
export interface McpService {
  /** Serves `POST /mcp` (federated, `server` undefined) or `POST /mcp/{server}` (one upstream, unprefixed). */
  handle(request: Request, access: McpAccess, server?: string): Promise<Response>;
  /** The tools the caller may use, optionally only those of one server and of a list of tool names. */
  /**
   * The tools the caller may use. An upstream that cannot list its tools is
   * left out (and logged), unless `required` names the one server asked for:
   * then its failure is thrown (502/504 naming the server).
   */
  listTools(access: McpAccess, filter?: { server?: string; tools?: readonly string[]; required?: boolean }): Promise<McpToolDescription[]>;
  /** Calls a tool by its federated name; 403/404 style GatewayErrors for tools not allowed or unknown. */
  callTool(access: McpAccess, name: string, args: Record<string, unknown>, options?: { abortSignal?: AbortSignal }): Promise<McpToolResult>;
}

const allows = (list: readonly string[], name: string) => list.length === 0 || list.includes(name);

/** The MCP access of a caller: both key and team must allow a server and, where they list tools for it, the tool. */
export const mcpAccessOf = (caller: Caller, requestId: string): McpAccess => {
  const records = caller.team ? [caller.key, caller.team] : [caller.key];
  return {
    keyId: caller.key.keyId,
    teamId: caller.team?.teamId,
    requestId,
    allowsServer: (server) => records.every((record) => allows(record.mcpServers, server)),
    allowsTool: (server, tool) =>
      records.every((record) => allows(record.mcpServers, server) && allows(record.mcpToolPermissions[server] ?? [], tool)),
    allowsKnowledgeBase: (name) => records.every((record) => allows(record.knowledgeBases, name)),
  };
};
