import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { freePort, startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { generateKey } from '../support/gateway.js';
import { connectMcp, firstText, startMcpGateway } from './mcp-fixtures.js';
import { startTinyMcpServer, type TinyMcpServer } from './tiny-mcp-server.js';

const slowTimeoutMs = 400;
/** The slow server would answer after 5 s; anything well below that shows the gateway stopped waiting (with room for a busy machine). */
const withinTimeoutMs = 2_500;

describe('upstream MCP servers that are down or slow', () => {
  let everything: EverythingServer;
  let slow: TinyMcpServer;
  let gateway: LocalGateway;
  let key: string;
  let federated: Client;

  beforeAll(async () => {
    [everything, slow] = await Promise.all([startEverythingServer(), startTinyMcpServer({ tools: ['wait'], listDelayMs: 5_000 })]);
    const closedPort = await freePort();
    gateway = await startMcpGateway([
      { name: 'everything', url: everything.url },
      { name: 'down', url: `http://127.0.0.1:${closedPort}/mcp`, timeout_ms: 2_000 },
      { name: 'slow', url: slow.url, timeout_ms: slowTimeoutMs },
    ]);
    key = await generateKey(gateway, { key_alias: 'failures' });
    federated = await connectMcp(gateway, '/mcp', key);
  });

  afterAll(async () => {
    await federated?.close();
    await gateway?.close();
    await slow?.close();
    await everything?.stop();
  });

  it('lists the healthy server tools on /mcp within the slow server timeout', async () => {
    const startedAt = performance.now();
    const { tools } = await federated.listTools();
    const elapsedMs = performance.now() - startedAt;

    const servers = new Set(tools.map((tool) => tool.name.split('__')[0]));
    expect(servers).toEqual(new Set(['everything']));
    expect(elapsedMs).toBeLessThan(withinTimeoutMs);
  });

  it('still calls the healthy server tools', async () => {
    const result = await federated.callTool({ name: 'everything__get-sum', arguments: { a: 1, b: 1 } });

    expect(firstText(result)).toBe('The sum of 1 and 1 is 2.');
  });

  it('answers a call to a down server on /mcp with an isError result naming it', async () => {
    const result = await federated.callTool({ name: 'down__anything', arguments: {} });

    expect(result.isError).toBe(true);
    expect(firstText(result)).toMatch(/MCP server "down" is unavailable/);
  });

  it('answers /mcp/down with a clean JSON-RPC error, not a 500', async () => {
    const response = await fetch(`${gateway.url}/mcp/down`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 1, error: { code: -32603, message: 'MCP server "down" is unavailable.' } });
  });

  it('times out a slow server on /mcp/slow with a JSON-RPC timeout error within its timeout', async () => {
    const client = await connectMcp(gateway, '/mcp/slow', key);
    const startedAt = performance.now();

    await expect(client.listTools()).rejects.toMatchObject({ code: -32001, message: expect.stringContaining(`within ${slowTimeoutMs} ms`) });
    expect(performance.now() - startedAt).toBeLessThan(withinTimeoutMs);
    await client.close();
  });

  it('answers REST calls to a slow server with 504 and to a down one with 502', async () => {
    const call = (name: string) =>
      fetch(`${gateway.url}/v1/mcp/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, arguments: {} }),
      });

    const [slowCall, downCall] = await Promise.all([call('slow__wait'), call('down__anything')]);

    expect(slowCall.status).toBe(504);
    expect((await slowCall.json()).error).toMatchObject({ type: 'timeout_error', code: 'mcp_timeout' });
    expect(downCall.status).toBe(502);
    expect((await downCall.json()).error).toMatchObject({ type: 'upstream_error', code: 'mcp_server_unavailable' });
  });
});
