import { GatewayError } from '../core/errors.js';
import { describeError, type GatewayLogger } from '../core/logger.js';
import type { McpAccess, McpToolDescription, McpToolResult } from '../core/mcp/mcp-service.js';
import type { BuiltInTool } from './built-in-tools.js';
import { auditToolCall, type ToolCallAudit } from './tool-call-audit.js';
import { federatedToolName, federateToolNames, serverOfToolName } from './tool-names.js';
import type { UpstreamConnection } from './upstream-connection.js';
import { toUpstreamError } from './upstream-errors.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { UpstreamResult, UpstreamTool } from './upstream-results.js';

/** A tool of the federated catalogue: its description, its MCP definition under the federated name, and who serves it. */
export interface FederatedTool extends McpToolDescription {
  /** The tool as `tools/list` on `POST /mcp` offers it: the upstream definition, renamed. */
  definition: UpstreamTool;
  builtIn?: BuiltInTool;
}

export interface ToolFilter {
  server?: string;
  /** With `server`: its failure to list is thrown instead of leaving it out. */
  required?: boolean;
  /** Tool names, each either the tool's own name or its federated name. */
  tools?: readonly string[];
}

export interface FederatedToolsOptions {
  pool: UpstreamPool;
  builtInTools: readonly BuiltInTool[];
  audit: ToolCallAudit;
  logger: GatewayLogger;
}

/**
 * The tools of every upstream (and the built-in tools) under federated
 * names, as one caller may see them: listed in parallel with a deadline per
 * upstream, resolved by name back to their server, and called there.
 */
export class FederatedTools {
  private readonly builtIns: Map<string, FederatedTool>;

  constructor(private readonly options: FederatedToolsOptions) {
    this.builtIns = new Map(options.builtInTools.map((tool) => [federatedToolName(tool.server, tool.name), describeBuiltIn(tool)]));
    for (const tool of options.builtInTools) {
      if (options.pool.has(tool.server)) throw new Error(`Built-in tool server "${tool.server}" clashes with a configured MCP server.`);
    }
  }

  /** The tools the caller may use; an upstream that fails or is slower than its timeout is left out and logged. */
  async list(access: McpAccess, filter: ToolFilter = {}): Promise<FederatedTool[]> {
    const servers = this.options.pool.names().filter((server) => access.allowsServer(server) && (filter.server ?? server) === server);
    const upstreamTools = await Promise.all(servers.map((server) => this.serverTools(access, server, filter.required === true && filter.server === server)));
    const builtInTools = [...this.builtIns.values()].filter(
      (tool) => (filter.server ?? tool.server) === tool.server && builtInAllowed(tool, access),
    );
    const tools = [...upstreamTools.flat(), ...builtInTools];
    const wanted = filter.tools;
    return wanted ? tools.filter((tool) => wanted.includes(tool.tool) || wanted.includes(tool.name)) : tools;
  }

  /** The tool a federated name names, if the caller may call it: 404 `tool_not_found`, 403 `tool_not_allowed`. */
  async resolve(access: McpAccess, name: string): Promise<FederatedTool> {
    const builtIn = this.builtIns.get(name);
    if (builtIn) {
      if (!builtInAllowed(builtIn, access)) throw this.refuse(access, name, 'not_allowed');
      return builtIn;
    }
    const server = serverOfToolName(name);
    const connection = server === undefined ? undefined : this.options.pool.get(server);
    if (server === undefined || !connection) throw this.refuse(access, name, 'not_found');
    if (!access.allowsServer(server)) throw this.refuse(access, name, 'not_allowed');
    // A name missing from a cached list may be a tool added since: look once more, fresh.
    const tool = (await this.findTool(connection, name, false)) ?? (await this.findTool(connection, name, true));
    if (!tool) throw this.refuse(access, name, 'not_found');
    if (!access.allowsTool(server, tool.tool)) throw this.refuse(access, name, 'not_allowed');
    return tool;
  }

  /** Calls a resolved tool on its server, accounted; upstream failures become UpstreamErrors, `isError` results stay results. */
  call(access: McpAccess, tool: FederatedTool, args: Record<string, unknown>, signal?: AbortSignal): Promise<UpstreamResult | McpToolResult> {
    return auditToolCall(this.options.audit, access, tool, async () => {
      if (tool.builtIn) return this.callBuiltIn(tool.builtIn, access, args, signal);
      const connection = this.options.pool.get(tool.server);
      if (!connection) throw new GatewayError(404, `Unknown MCP server "${tool.server}".`, { code: 'mcp_server_not_found' });
      try {
        return await connection.request({ method: 'tools/call', params: { name: tool.tool, arguments: args } }, signal);
      } catch (error) {
        throw toUpstreamError(tool.server, connection.timeoutMs, error);
      }
    });
  }

  private async callBuiltIn(tool: BuiltInTool, access: McpAccess, args: Record<string, unknown>, signal?: AbortSignal) {
    try {
      return await tool.call(args, access, signal);
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      this.options.logger.error('built-in tool failed', { requestId: access.requestId, server: tool.server, tool: tool.name, ...describeError(error) });
      throw new GatewayError(500, `Tool "${federatedToolName(tool.server, tool.name)}" failed.`, { type: 'server_error', code: 'tool_failed' });
    }
  }

  private async serverTools(access: McpAccess, server: string, required: boolean): Promise<FederatedTool[]> {
    const connection = this.options.pool.get(server);
    if (!connection) return [];
    try {
      const tools = await withDeadline(connection.tools(), connection.timeoutMs);
      return federate(server, tools).filter((tool) => access.allowsTool(server, tool.tool));
    } catch (error) {
      if (required) throw toUpstreamError(server, connection.timeoutMs, error);
      this.options.logger.warn('mcp server left out of tools/list', { requestId: access.requestId, server, ...describeError(error) });
      return [];
    }
  }

  private async findTool(connection: UpstreamConnection, name: string, fresh: boolean): Promise<FederatedTool | undefined> {
    try {
      return federate(connection.name, await connection.tools({ fresh })).find((tool) => tool.name === name);
    } catch (error) {
      throw toUpstreamError(connection.name, connection.timeoutMs, error);
    }
  }

  private refuse(access: McpAccess, name: string, reason: 'not_found' | 'not_allowed'): GatewayError {
    const code = `tool_${reason}`;
    this.options.logger.warn('tool call refused', { requestId: access.requestId, keyId: access.keyId, teamId: access.teamId, tool: name, code });
    return reason === 'not_found'
      ? new GatewayError(404, `Unknown tool "${name}".`, { code })
      : new GatewayError(403, `Tool "${name}" is not allowed for this API key.`, { code });
  }
}

const federate = (server: string, tools: readonly UpstreamTool[]): FederatedTool[] => {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return [...federateToolNames(server, [...byName.keys()])].map(([name, toolName]) => {
    const upstream = byName.get(toolName) as UpstreamTool;
    return {
      name,
      server,
      tool: toolName,
      description: upstream.description,
      inputSchema: upstream.inputSchema,
      definition: { ...upstream, name },
    };
  });
};

const describeBuiltIn = (tool: BuiltInTool): FederatedTool => {
  const name = federatedToolName(tool.server, tool.name);
  const definition = { name, description: tool.description, inputSchema: tool.inputSchema };
  return { ...definition, server: tool.server, tool: tool.name, definition, builtIn: tool };
};

const builtInAllowed = (tool: FederatedTool, access: McpAccess) => tool.builtIn?.allowedFor?.(access) ?? true;

/** Rejects with a TimeoutError when the work takes longer than `ms` (the work itself goes on and may fill a cache). */
const withDeadline = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
};
