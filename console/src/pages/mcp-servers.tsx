import { ApiError, type Api, type Json } from '../api';
import { Badge, Loading, Notice, useLoad } from '../components/ui';
import { milliseconds } from '../format';

/** On Lambda only the admin function holds the master key; the MCP and retrieve functions answer it 401. */
export const masterNotHeldHere = (error: unknown, role: 'master' | 'key') =>
  role === 'master' && error instanceof ApiError && error.status === 401
    ? 'This deployment checks the master key in the admin function only; sign in with a virtual key to use this page.'
    : undefined;

/** MCP servers: each one asked for its tools now (reachable or not, and why), with the tools' descriptions. */
export const McpServers = ({ api, role }: { api: Api; role: 'master' | 'key' }) => {
  const servers = useLoad(async () => {
    try {
      const [listed, tools] = await Promise.all([api.get('/v1/mcp/servers'), api.get('/v1/mcp/tools')]);
      return { servers: listed.data as Json[], tools: tools.data as Json[] };
    } catch (error) {
      throw new Error(masterNotHeldHere(error, role) ?? (error as Error).message);
    }
  }, []);
  const describe = (server: string, tool: string) => servers.value?.tools.find((entry) => entry.server === server && entry.tool === tool)?.function.description ?? '';
  return (
    <section aria-labelledby="mcp-title">
      <header class="page-header">
        <h1 id="mcp-title">MCP servers</h1>
        <button type="button" onClick={servers.reload}>Check again</button>
      </header>
      {servers.error && <Notice kind="error">{servers.error}</Notice>}
      {servers.loading && <Loading what="MCP servers" />}
      {servers.value && servers.value.servers.length === 0 && <p class="muted">No MCP servers are configured for this key.</p>}
      <div class="cards">
        {servers.value?.servers.map((server) => (
          <article class="card" key={server.name} aria-labelledby={`mcp-${server.name}`} data-server={server.name}>
            <h2 id={`mcp-${server.name}`}>{server.name}</h2>
            <p>
              {server.reachable ? <Badge tone="good">reachable</Badge> : <Badge tone="bad">unreachable</Badge>} <span class="muted">{milliseconds(server.latency_ms)}</span>
            </p>
            <p><code>{server.url}</code></p>
            {server.error && <p class="error-text">{server.error}</p>}
            {server.tools.length > 0 && (
              <details>
                <summary>{server.tools.length} tools</summary>
                <ul>
                  {(server.tools as string[]).map((tool) => (
                    <li key={tool}>
                      <code>{tool}</code> <span class="muted">{describe(server.name, tool)}</span>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </article>
        ))}
      </div>
    </section>
  );
};
