import type { McpServerConfig } from '../config/schema.js';
import { invalidRequest } from '../errors.js';
import type { McpAccess, McpService } from '../mcp/mcp-service.js';
import { isServerUrl } from '../mcp/server-url.js';
import type { FileSearchTool, McpChatTool } from '../chat/chat-request-schema.js';
import { allowedToolsOf, listMcpTools, type ChatMcpTools } from '../chat/mcp-chat-tools.js';
import type { ResponsesRequest, ResponsesTool } from './responses-request-schema.js';


type ResponsesMcpTool = Extract<ResponsesTool, { type: 'mcp' }>;

/**
 * The gateway MCP tools a Responses request offers (`{type: "mcp",
 * server_label, allowed_tools, require_approval: "never"}`): the label names a
 * configured server (404 otherwise), the key must be allowed it (403), and a
 * `server_url` is accepted only when it is that server's configured URL.
 */
export const mcpToolsForResponses = (
  request: ResponsesRequest,
  servers: readonly McpServerConfig[],
  mcp: McpService,
  accessOf: () => McpAccess,
): Promise<ChatMcpTools | undefined> => {
  const entries: Array<{ tool: ResponsesMcpTool; index: number }> = [];
  (request.tools ?? []).forEach((tool, index) => {
    if (tool.type === 'mcp') entries.push({ tool, index });
  });
  for (const { tool, index } of entries) {
    if (tool.server_url === undefined) continue;
    const configured = servers.find((server) => server.name === tool.server_label);
    if (!configured || !isServerUrl(tool.server_url, configured.url)) {
      throw invalidRequest(
        `tools[${index}].server_url is not the URL of a configured MCP server; name the server by server_label alone.`,
        `tools[${index}].server_url`,
        'mcp_server_url_not_configured',
      );
    }
  }
  return listMcpTools(
    entries.map(({ tool, index }) => ({ server: tool.server_label, tools: allowedToolsOf(tool as McpChatTool), param: `tools[${index}]`, skipUnavailable: tool.on_unavailable === 'skip' })),
    mcp,
    accessOf,
  );
};

/** The request's `file_search` tools. */
export const fileSearchToolsOf = (request: ResponsesRequest): FileSearchTool[] =>
  (request.tools ?? []).filter((tool): tool is FileSearchTool => tool.type === 'file_search');
