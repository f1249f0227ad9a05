import { GatewayError } from '../errors.js';
import type { ModelMessage, ToolCallPart, ToolDefinition } from '../language-model.js';
import { type McpAccess, type McpService, type McpToolDescription, type McpToolResult } from '../mcp/mcp-service.js';
import type { ChatRequest, McpChatTool } from './chat-request-schema.js';

/** The MCP tools a chat request offers the model, by the name the model calls them. */
export interface ChatMcpTools {
  access: McpAccess;
  byName: Map<string, McpToolDescription>;
  definitions: ToolDefinition[];
}

/** A tool call the gateway ran for the model, as reported back (`mcp_tool_calls`). */
export interface ExecutedToolCall {
  id: string;
  name: string;
  server: string;
  tool: string;
  arguments: string;
  output: string;
  is_error: boolean;
  latency_ms: number;
}

export const allowedToolsOf = (tool: McpChatTool): string[] | undefined => {
  const allowed = tool.allowed_tools;
  if (!allowed) return undefined;
  return Array.isArray(allowed) ? allowed : allowed.tool_names;
};

/** One MCP server a request offers the model, and the tools of it (all when absent). */
export interface McpServerChoice {
  server: string;
  tools?: readonly string[];
  /** The request field that named it, for a 403. */
  param: string;
  /** Leave the server's tools out when it cannot list them (`on_unavailable: "skip"`); otherwise its failure fails the request. */
  skipUnavailable?: boolean;
}

/**
 * Lists the tools of the chosen servers: the caller must be allowed each
 * server (403 otherwise); `tools` narrows the list further.
 */
export const listMcpTools = async (choices: readonly McpServerChoice[], mcp: McpService, accessOf: () => McpAccess): Promise<ChatMcpTools | undefined> => {
  if (choices.length === 0) return undefined;
  const access = accessOf();
  const lists = await Promise.all(
    choices.map((choice) => {
      if (!access.allowsServer(choice.server)) {
        throw new GatewayError(403, `This key may not use MCP server "${choice.server}".`, { code: 'mcp_server_not_allowed', param: choice.param });
      }
      return mcp.listTools(access, { server: choice.server, tools: choice.tools, required: choice.skipUnavailable !== true });
    }),
  );
  const byName = new Map(lists.flat().map((tool) => [tool.name, tool]));
  const definitions = [...byName.values()].map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.inputSchema }));
  return { access, byName, definitions };
};

/** The tools of every `{type: "mcp"}` entry of a chat request. */
export const prepareMcpTools = (chat: ChatRequest, mcp: McpService, accessOf: () => McpAccess): Promise<ChatMcpTools | undefined> => {
  const entries = chat.tools?.filter((tool): tool is McpChatTool => tool.type === 'mcp') ?? [];
  return listMcpTools(
    entries.map((entry) => ({ server: entry.server_label, tools: allowedToolsOf(entry), param: 'tools', skipUnavailable: entry.on_unavailable === 'skip' })),
    mcp,
    accessOf,
  );
};

/** MCP content as text for the model: text blocks as they are, other blocks described. */
const resultText = (result: McpToolResult): string =>
  result.content
    .map((block) => {
      if (block.type === 'text' && typeof block.text === 'string') return block.text;
      if (block.type === 'resource' && typeof block.resource === 'object' && block.resource !== null) {
        const resource = block.resource as { uri?: string; text?: string };
        return resource.text ?? `[resource ${resource.uri ?? ''}]`;
      }
      return `[${String(block.type)}${typeof block.mimeType === 'string' ? ` ${block.mimeType}` : ''}]`;
    })
    .join('\n');

const parseArguments = (text: string): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(text || '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Runs the model's MCP tool calls in parallel and turns each result into a
 * tool message. A failing call becomes an error result the model can read,
 * never a failed request.
 */
export const executeMcpCalls = async (
  calls: ToolCallPart[],
  tools: ChatMcpTools,
  mcp: McpService,
  abortSignal?: AbortSignal,
): Promise<{ messages: ModelMessage[]; executed: ExecutedToolCall[] }> => {
  const executed = await Promise.all(
    calls.map(async (call): Promise<ExecutedToolCall> => {
      const description = tools.byName.get(call.name)!;
      const startedAt = performance.now();
      const args = parseArguments(call.arguments);
      let output: string;
      let isError: boolean;
      if (!args) {
        output = 'The arguments were not a JSON object.';
        isError = true;
      } else {
        try {
          const result = await mcp.callTool(tools.access, call.name, args, { abortSignal });
          output = resultText(result);
          isError = result.isError === true;
        } catch (error) {
          output = `The tool could not be called: ${error instanceof Error ? error.message : String(error)}`;
          isError = true;
        }
      }
      return {
        id: call.id,
        name: call.name,
        server: description.server,
        tool: description.tool,
        arguments: call.arguments,
        output,
        is_error: isError,
        latency_ms: Math.round((performance.now() - startedAt) * 100) / 100,
      };
    }),
  );
  return { messages: executed.map((call): ModelMessage => ({ role: 'tool', toolCallId: call.id, content: call.output, ...(call.is_error ? { isError: true } : {}) })), executed };
};
