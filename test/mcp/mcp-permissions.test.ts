import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { generateKey } from '../support/gateway.js';
import { connectMcp, firstText, startMcpGateway } from './mcp-fixtures.js';

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('MCP permissions, authentication and REST tools', () => {
  let everything: EverythingServer;
  let gateway: LocalGateway;
  let fullKey: string;
  let otherServerKey: string;
  let echoOnlyKey: string;

  const post = (path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    everything = await startEverythingServer();
    gateway = await startMcpGateway([{ name: 'everything', url: everything.url }]);
    [fullKey, otherServerKey, echoOnlyKey] = await Promise.all([
      generateKey(gateway, { key_alias: 'full' }),
      generateKey(gateway, { key_alias: 'other-only', mcp_servers: ['other'] }),
      generateKey(gateway, { key_alias: 'echo-only', mcp_tool_permissions: { everything: ['echo'] } }),
    ]);
  });

  afterAll(async () => {
    await gateway?.close();
    await everything?.stop();
  });

  describe('a key without the server allowed', () => {
    it('sees no tools on /mcp and cannot call them', async () => {
      const client = await connectMcp(gateway, '/mcp', otherServerKey);

      const { tools } = await client.listTools();
      const call = client.callTool({ name: 'everything__echo', arguments: { message: 'hi' } });

      expect(tools).toEqual([]);
      await expect(call).rejects.toMatchObject({ code: -32602, data: { code: 'tool_not_allowed' } });
      await client.close();
    });

    it('gets 403 on /mcp/everything', async () => {
      const response = await post('/mcp/everything', otherServerKey, initialize);

      expect(response.status).toBe(403);
      expect((await response.json()).error).toMatchObject({ type: 'permission_error', code: 'mcp_server_not_allowed' });
    });
  });

  describe('a key with a per-tool allowlist', () => {
    it('sees and calls only the allowed tools on /mcp', async () => {
      const client = await connectMcp(gateway, '/mcp', echoOnlyKey);

      const { tools } = await client.listTools();
      const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'allowed' } });

      expect(tools.map((tool) => tool.name)).toEqual(['everything__echo']);
      expect(firstText(echo)).toBe('Echo: allowed');
      await expect(client.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({ code: -32602 });
      await client.close();
    });

    it('sees and calls only the allowed tools on /mcp/everything', async () => {
      const client = await connectMcp(gateway, '/mcp/everything', echoOnlyKey);

      const { tools } = await client.listTools();

      expect(tools.map((tool) => tool.name)).toEqual(['echo']);
      await expect(client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } })).rejects.toMatchObject({
        code: -32602,
        data: { code: 'tool_not_allowed' },
      });
      await client.close();
    });
  });

  describe('HTTP edges', () => {
    it('answers a missing key with 401 and a Bearer challenge', async () => {
      const response = await post('/mcp', undefined, initialize);

      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('answers GET and DELETE on /mcp with 405', async () => {
      const get = await fetch(`${gateway.url}/mcp`, { headers: { authorization: `Bearer ${fullKey}`, accept: 'text/event-stream' } });
      const remove = await fetch(`${gateway.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${fullKey}` } });

      expect(get.status).toBe(405);
      expect(remove.status).toBe(405);
    });

    it('answers an unknown server with 404 in the OpenAI envelope', async () => {
      const response = await post('/mcp/nowhere', fullKey, initialize);

      expect(response.status).toBe(404);
      expect((await response.json()).error).toMatchObject({ code: 'mcp_server_not_found' });
    });

    it('answers malformed JSON-RPC with JSON-RPC errors, never 500', async () => {
      const notJson = await post('/mcp', fullKey, '{"jsonrpc": ');
      const notRpc = await post('/mcp', fullKey, { hello: 'world' });
      const unknownMethod = await post('/mcp', fullKey, { jsonrpc: '2.0', id: 7, method: 'resources/list' });

      expect(notJson.status).toBe(400);
      expect((await notJson.json()).error.code).toBe(-32700);
      expect(notRpc.status).toBe(400);
      expect(unknownMethod.status).toBe(200);
      // The 2025 side answers as JSON or as one SSE event (the SDK v2 stateless fallback streams).
      const answer = (await unknownMethod.text()).replace(/^event: message\r?\ndata: /, '');
      expect(JSON.parse(answer)).toMatchObject({ id: 7, error: { code: -32601 } });
    });
  });

  describe('REST tools', () => {
    const rest = (path: string, key: string, body?: unknown) =>
      fetch(`${gateway.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('lists the tools as OpenAI function definitions', async () => {
      const response = await rest('/v1/mcp/tools', fullKey);
      const body = await response.json();

      expect(response.status).toBe(200);
      expect(body.object).toBe('list');
      expect(body.data).toContainEqual({
        type: 'function',
        function: { name: 'everything__get-sum', description: 'Returns the sum of two numbers', parameters: expect.objectContaining({ type: 'object' }) },
        server: 'everything',
        tool: 'get-sum',
      });
    });

    it('calls a tool by its federated name', async () => {
      const response = await rest('/v1/mcp/tools/call', fullKey, { name: 'everything__get-sum', arguments: { a: 2, b: 3 } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ content: [{ type: 'text', text: 'The sum of 2 and 3 is 5.' }] });
    });

    it('answers unknown tools with 404 and tools not allowed with 403', async () => {
      const unknown = await rest('/v1/mcp/tools/call', fullKey, { name: 'everything__nope', arguments: {} });
      const refused = await rest('/v1/mcp/tools/call', echoOnlyKey, { name: 'everything__get-sum', arguments: { a: 1, b: 1 } });
      const listed = await (await rest('/v1/mcp/tools', otherServerKey)).json();

      expect(unknown.status).toBe(404);
      expect((await unknown.json()).error.code).toBe('tool_not_found');
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.code).toBe('tool_not_allowed');
      expect(listed.data).toEqual([]);
    });

    it('returns a tool error as a result, not an HTTP error', async () => {
      const response = await rest('/v1/mcp/tools/call', fullKey, { name: 'everything__get-sum', arguments: { a: 'x', b: 1 } });

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ isError: true });
    });
  });
});
