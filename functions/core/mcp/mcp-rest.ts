import * as z from 'zod';
import type { TollwayConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import { parseBody } from '../validation.js';
import type { McpAccess, McpService } from './mcp-service.js';

/** `GET /v1/mcp/tools`: the caller's MCP tools as OpenAI function definitions. */
export const listMcpFunctions = async (mcp: McpService, access: McpAccess) => ({
  object: 'list' as const,
  data: (await mcp.listTools(access)).map((tool) => ({
    type: 'function' as const,
    function: { name: tool.name, description: tool.description ?? '', parameters: tool.inputSchema },
    server: tool.server,
    // The tool's own name on its server: with `function.name`, the map of names the gateway shortened.
    tool: tool.tool,
  })),
});

const callSchema = z.looseObject({
  name: z.string().min(1).max(128),
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
});

/** `POST /v1/mcp/tools/call`: `{name, arguments}` (arguments as an object or a JSON string) → the MCP result. */
export const callMcpTool = async (mcp: McpService, access: McpAccess, body: unknown) => {
  const input = parseBody(callSchema, body);
  const args = typeof input.arguments === 'string' ? parseArguments(input.arguments) : (input.arguments ?? {});
  return mcp.callTool(access, input.name, args);
};

const parseArguments = (text: string): Record<string, unknown> => {
  const parsed = parseBody(z.string().transform((value, context) => {
    try {
      const json: unknown = JSON.parse(value || '{}');
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: 'must be a JSON object' });
    return z.NEVER;
  }), text);
  return parsed;
};

/**
 * `GET /v1/mcp/servers`: each configured MCP server the caller may use, asked
 * for its tool list now: reachable with its tools, or unreachable with the reason.
 */
export const listMcpServers = async (mcp: McpService, config: TollwayConfig, access: McpAccess) => ({
  object: 'list' as const,
  data: await Promise.all(
    config.mcp_servers
      .filter((server) => access.allowsServer(server.name))
      .map(async (server) => {
        const started = performance.now();
        // Origin and path only: a query string may carry a token.
        const url = `${new URL(server.url).origin}${new URL(server.url).pathname}`;
        try {
          const tools = await mcp.listTools(access, { server: server.name, required: true });
          return { name: server.name, url, reachable: true, latency_ms: Math.round(performance.now() - started), tools: tools.map((tool) => tool.tool), error: null };
        } catch (error) {
          const message = error instanceof GatewayError ? error.message : 'the server could not be reached';
          return { name: server.name, url, reachable: false, latency_ms: Math.round(performance.now() - started), tools: [], error: message };
        }
      }),
  ),
});
