import * as z from 'zod';
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
