/**
 * The route table: the single source of truth for the HTTP API. The CDK stack
 * builds API Gateway resources from it, the local server routes with it, and
 * the gateway core dispatches on `operation`.
 */

/** The Lambda function that serves a route. */
export type FunctionName = 'chat' | 'mcp' | 'retrieve' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface Route {
  method: HttpMethod;
  /** API Gateway path syntax: `/mcp/{server}`. */
  path: string;
  function: FunctionName;
  /** Served through a streaming integration (response-streaming-invocations). */
  streaming: boolean;
  /**
   * Who may call it. `key_or_master`: a virtual key sees only itself (its own
   * key info, spend logs, MCP servers and knowledge bases); the master key sees everything.
   */
  auth: 'key' | 'master' | 'key_or_master' | 'none';
  operation: Operation;
}

export type Operation =
  | 'chat.completions'
  | 'messages.create'
  | 'messages.count_tokens'
  | 'responses.create'
  | 'responses.retrieve'
  | 'responses.delete'
  | 'responses.input_items'
  | 'models.list'
  | 'embeddings'
  | 'vector_stores.list'
  | 'vector_stores.search'
  | 'mcp.endpoint'
  | 'mcp.tools.list'
  | 'mcp.tools.call'
  | 'mcp.servers'
  | 'model.info'
  | 'key.generate'
  | 'key.update'
  | 'key.delete'
  | 'key.info'
  | 'key.list'
  | 'team.new'
  | 'team.update'
  | 'team.delete'
  | 'team.info'
  | 'team.list'
  | 'spend.logs'
  | 'spend.reconcile'
  | 'health'
  | 'ui.page'
  | 'ui.asset';

export const routes: readonly Route[] = [
  { method: 'POST', path: '/v1/chat/completions', function: 'chat', streaming: true, auth: 'key', operation: 'chat.completions' },
  { method: 'POST', path: '/v1/messages', function: 'chat', streaming: true, auth: 'key', operation: 'messages.create' },
  { method: 'POST', path: '/v1/messages/count_tokens', function: 'chat', streaming: false, auth: 'key', operation: 'messages.count_tokens' },
  { method: 'POST', path: '/v1/responses', function: 'chat', streaming: true, auth: 'key', operation: 'responses.create' },
  { method: 'GET', path: '/v1/responses/{id}', function: 'chat', streaming: false, auth: 'key', operation: 'responses.retrieve' },
  { method: 'DELETE', path: '/v1/responses/{id}', function: 'chat', streaming: false, auth: 'key', operation: 'responses.delete' },
  { method: 'GET', path: '/v1/responses/{id}/input_items', function: 'chat', streaming: false, auth: 'key', operation: 'responses.input_items' },
  { method: 'GET', path: '/v1/models', function: 'chat', streaming: false, auth: 'key', operation: 'models.list' },
  { method: 'POST', path: '/v1/embeddings', function: 'chat', streaming: false, auth: 'key', operation: 'embeddings' },
  { method: 'GET', path: '/v1/vector_stores', function: 'retrieve', streaming: false, auth: 'key_or_master', operation: 'vector_stores.list' },
  { method: 'POST', path: '/v1/vector_stores/{id}/search', function: 'retrieve', streaming: false, auth: 'key_or_master', operation: 'vector_stores.search' },
  { method: 'POST', path: '/mcp', function: 'mcp', streaming: true, auth: 'key', operation: 'mcp.endpoint' },
  { method: 'POST', path: '/mcp/{server}', function: 'mcp', streaming: true, auth: 'key', operation: 'mcp.endpoint' },
  { method: 'GET', path: '/mcp/{server}', function: 'mcp', streaming: true, auth: 'key', operation: 'mcp.endpoint' },
  { method: 'DELETE', path: '/mcp/{server}', function: 'mcp', streaming: true, auth: 'key', operation: 'mcp.endpoint' },
  { method: 'GET', path: '/v1/mcp/tools', function: 'mcp', streaming: false, auth: 'key_or_master', operation: 'mcp.tools.list' },
  { method: 'GET', path: '/v1/mcp/servers', function: 'mcp', streaming: false, auth: 'key_or_master', operation: 'mcp.servers' },
  { method: 'GET', path: '/model/info', function: 'admin', streaming: false, auth: 'master', operation: 'model.info' },
  { method: 'POST', path: '/v1/mcp/tools/call', function: 'mcp', streaming: false, auth: 'key', operation: 'mcp.tools.call' },
  { method: 'POST', path: '/key/generate', function: 'admin', streaming: false, auth: 'master', operation: 'key.generate' },
  { method: 'POST', path: '/key/update', function: 'admin', streaming: false, auth: 'master', operation: 'key.update' },
  { method: 'POST', path: '/key/delete', function: 'admin', streaming: false, auth: 'master', operation: 'key.delete' },
  { method: 'GET', path: '/key/info', function: 'admin', streaming: false, auth: 'key_or_master', operation: 'key.info' },
  { method: 'GET', path: '/key/list', function: 'admin', streaming: false, auth: 'master', operation: 'key.list' },
  { method: 'POST', path: '/team/new', function: 'admin', streaming: false, auth: 'master', operation: 'team.new' },
  { method: 'POST', path: '/team/update', function: 'admin', streaming: false, auth: 'master', operation: 'team.update' },
  { method: 'POST', path: '/team/delete', function: 'admin', streaming: false, auth: 'master', operation: 'team.delete' },
  { method: 'GET', path: '/team/info', function: 'admin', streaming: false, auth: 'master', operation: 'team.info' },
  { method: 'GET', path: '/team/list', function: 'admin', streaming: false, auth: 'master', operation: 'team.list' },
  { method: 'GET', path: '/spend/logs', function: 'admin', streaming: false, auth: 'key_or_master', operation: 'spend.logs' },
  { method: 'GET', path: '/spend/reconcile', function: 'admin', streaming: false, auth: 'master', operation: 'spend.reconcile' },
  { method: 'GET', path: '/health', function: 'admin', streaming: false, auth: 'none', operation: 'health' },
  { method: 'GET', path: '/ui', function: 'admin', streaming: false, auth: 'none', operation: 'ui.page' },
  { method: 'GET', path: '/ui/assets/{file}', function: 'admin', streaming: false, auth: 'none', operation: 'ui.asset' },
];

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

const splitPath = (path: string): string[] => path.split('/').filter((segment) => segment.length > 0);

/**
 * Finds the route for a method and path. Returns `allowed` methods when the
 * path exists under another method, so the caller can answer 405.
 */
export const matchRoute = (
  method: string,
  path: string,
  table: readonly Route[] = routes,
): { match?: RouteMatch; allowedMethods: HttpMethod[] } => {
  const segments = splitPath(path);
  const allowedMethods: HttpMethod[] = [];
  for (const route of table) {
    const params = matchSegments(splitPath(route.path), segments);
    if (!params) continue;
    if (route.method === method) return { match: { route, params }, allowedMethods };
    allowedMethods.push(route.method);
  }
  return { allowedMethods };
};

const matchSegments = (pattern: string[], segments: string[]): Record<string, string> | undefined => {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index += 1) {
    const expected = pattern[index];
    const actual = segments[index];
    if (expected.startsWith('{') && expected.endsWith('}')) {
      try {
        params[expected.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
};

/** Routes served by one Lambda function. */
export const routesOf = (functionName: FunctionName): Route[] => routes.filter((route) => route.function === functionName);
