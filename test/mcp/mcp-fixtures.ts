import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startTestGateway } from '../support/gateway.js';

/** The official MCP SDK client, connected to a gateway MCP endpoint with a virtual key. */
export const connectMcp = async (gateway: LocalGateway, path: string, apiKey: string): Promise<Client> => {
  const client = new Client({ name: 'tollway-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}${path}`), {
    requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
  });
  await client.connect(transport);
  return client;
};

/** A local gateway with the echo model and the given MCP servers. */
export const startMcpGateway = (servers: Array<{ name: string; url: string; timeout_ms?: number }>): Promise<LocalGateway> =>
  startTestGateway(`
models:
  - name: echo
    provider: echo
mcp_servers:
${servers.map((server) => `  - name: ${server.name}\n    url: ${server.url}\n    timeout_ms: ${server.timeout_ms ?? 10_000}`).join('\n')}
`);

/** The text of the first text block of a tool result. */
export const firstText = (result: object): string | undefined => {
  const content = 'content' in result ? result.content : undefined;
  const blocks = Array.isArray(content) ? (content as Array<{ type?: string; text?: string }>) : [];
  return blocks.find((block) => block.type === 'text')?.text;
};
