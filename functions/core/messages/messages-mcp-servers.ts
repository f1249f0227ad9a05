import type { McpServerConfig } from '../config/schema.js';
import { invalidRequest } from '../errors.js';
import type { McpAccess, McpService } from '../mcp/mcp-service.js';
import { isServerUrl, withoutTrailingSlash } from '../mcp/server-url.js';
import { listMcpTools, type ChatMcpTools } from '../chat/mcp-chat-tools.js';
import type { MessagesRequest } from './messages-request-schema.js';

type McpServerEntry = NonNullable<MessagesRequest['mcp_servers']>[number];


/**
 * Whether an entry's `url` names the configured server: its configured URL,
 * or the gateway's own `/mcp/<name>` on the host the request came to (its `Host` header). Any
 * other URL is refused: the gateway only ever calls the servers its config names.
 */
const urlNamesServer = (entry: McpServerEntry, configured: McpServerConfig | undefined, requestHost: string | null): boolean => {
  if (entry.url === undefined) return true;
  if (configured && isServerUrl(entry.url, configured.url)) return true;
  let url: URL;
  try {
    url = new URL(entry.url);
  } catch {
    return false;
  }
  return requestHost !== null && url.host === requestHost.toLowerCase() && withoutTrailingSlash(url.pathname) === `/mcp/${entry.name}`;
};

/**
 * The gateway MCP tools a Messages request offers through Anthropic's MCP
 * connector shape (`mcp_servers: [{type: "url", name}]`): each entry names a
 * configured server (or a built-in one such as `knowledge_base`; unknown names
 * are 404), `tool_configuration` narrows or disables it, and the key must be
 * allowed the server (403). The gateway runs the calls, with its own
 * credentials for the server; an `authorization_token` is not forwarded.
 */
export const mcpToolsForMessages = (
  request: MessagesRequest,
  requestHost: string | null,
  servers: readonly McpServerConfig[],
  mcp: McpService,
  accessOf: () => McpAccess,
): Promise<ChatMcpTools | undefined> => {
  const entries = request.mcp_servers ?? [];
  entries.forEach((entry, index) => {
    if (!urlNamesServer(entry, servers.find((server) => server.name === entry.name), requestHost)) {
      throw invalidRequest(
        `mcp_servers[${index}].url is not a configured MCP server; name one the gateway serves (its URL is /mcp/${entry.name} on the gateway).`,
        `mcp_servers[${index}].url`,
        'mcp_server_url_not_configured',
      );
    }
  });
  const choices = entries
    .map((entry, index) => ({ entry, param: `mcp_servers[${index}]` }))
    .filter(({ entry }) => entry.tool_configuration?.enabled !== false)
    .map(({ entry, param }) => ({ server: entry.name, tools: entry.tool_configuration?.allowed_tools ?? undefined, param }));
  return listMcpTools(choices, mcp, accessOf);
};
