import { describe, expect, it } from 'vitest';
import { matchRoute, routes, type Route } from '../../functions/core/routes.js';

describe('the route table', () => {
  it('matches static paths by method', () => {
    expect(matchRoute('POST', '/v1/chat/completions').match?.route.operation).toBe('chat.completions');
    expect(matchRoute('GET', '/v1/chat/completions')).toEqual({ allowedMethods: ['POST'] });
    expect(matchRoute('GET', '/v1/unknown')).toEqual({ allowedMethods: [] });
  });

  it('captures {param} segments, decoded', () => {
    const table: Route[] = [{ method: 'POST', path: '/mcp/{server}', function: 'chat', streaming: false, auth: 'key', operation: 'health' }];
    expect(matchRoute('POST', '/mcp/git%20hub', table).match?.params).toEqual({ server: 'git hub' });
    expect(matchRoute('POST', '/mcp/%E0%A4%A', table).match).toBeUndefined();
  });

  it('has one entry per method and path, every path starting with /', () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(routes.every((route) => route.path.startsWith('/'))).toBe(true);
    expect(routes.filter((route) => route.streaming).map((route) => route.path)).toEqual([
      '/v1/chat/completions',
      '/v1/messages',
      '/v1/responses',
      '/mcp',
      '/mcp/{server}',
      '/mcp/{server}',
      '/mcp/{server}',
    ]);
  });
});
