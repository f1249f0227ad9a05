import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config/load.js';
import { environmentResolver, resolveReferences } from '../../functions/core/config/references.js';
import type { GatewayLogger } from '../../functions/core/logger.js';
import type { McpAccess } from '../../functions/core/mcp/mcp-service.js';
import type { GatewayMetrics } from '../../functions/core/metrics.js';
import { createMcpService, type BuiltInTool, type ClosableMcpService } from '../../functions/mcp/index.js';
import { firstText } from './mcp-fixtures.js';
import { startTinyMcpServer, type TinyMcpServer } from './tiny-mcp-server.js';

interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

const access = (overrides: Partial<McpAccess> = {}): McpAccess => ({
  keyId: 'key-1',
  teamId: 'team-1',
  requestId: 'request-1',
  allowsServer: () => true,
  allowsTool: () => true,
  allowsKnowledgeBase: () => true,
  ...overrides,
});

const searchTool: BuiltInTool = {
  server: 'knowledge_base',
  name: 'search',
  description: 'Searches the knowledge bases',
  inputSchema: { type: 'object', properties: { query: { type: 'string' } } },
  allowedFor: (caller) => caller.keyId !== 'no-kb',
  call: async (args) => ({ content: [{ type: 'text', text: `found: ${String(args.query)}` }] }),
};

describe('the MCP service against upstreams it controls', () => {
  let tiny: TinyMcpServer;
  let hanging: HttpServer;
  let hangingUrl: string;
  let service: ClosableMcpService;
  let logs: LogLine[];
  let metrics: Array<{ name: string; value: number; dimensions: Record<string, string> }>;

  const logger: GatewayLogger = {
    info: (message, fields = {}) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => logs.push({ level: 'error', message, fields }),
  };
  const recorder: GatewayMetrics = { record: (name, value, dimensions) => metrics.push({ name, value, dimensions }) };

  beforeAll(async () => {
    tiny = await startTinyMcpServer({ stateful: true, tools: ['echo', 'files.read', 'oops', 'fail'] });
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/mcp`;
    const config = parseConfig(`
models:
  - name: echo
    provider: echo
mcp_servers:
  - name: tiny
    url: ${tiny.url}
    headers: { Authorization: "Bearer env:TINY_TOKEN" }
  - name: hanging
    url: ${hangingUrl}
    timeout_ms: 300
`);
    const resolver = environmentResolver({ TINY_TOKEN: 'tiny-secret' });
    service = createMcpService({
      config,
      resolveSecret: (value, field) => resolveReferences(value, resolver, field),
      logger,
      metrics: recorder,
      builtInTools: [searchTool],
      toolListTtlMs: 60_000,
    });
  });

  beforeEach(() => {
    logs = [];
    metrics = [];
  });

  afterAll(async () => {
    await service?.close();
    await tiny?.close();
    hanging?.closeAllConnections();
    await new Promise((resolve) => hanging?.close(resolve));
  });

  it('initializes the upstream once, shared by concurrent first uses, and reuses its session', async () => {
    const tinyOnly = access({ allowsServer: (server) => server === 'tiny' });

    await Promise.all([
      service.listTools(tinyOnly),
      service.listTools(tinyOnly),
      service.callTool(tinyOnly, 'tiny__echo', { text: 'one' }),
      service.callTool(tinyOnly, 'tiny__echo', { text: 'two' }),
    ]);
    await service.callTool(tinyOnly, 'tiny__echo', { text: 'three' });

    expect(tiny.count('initialize')).toBe(1);
    expect(tiny.count('tools/list')).toBe(1);
    expect(tiny.count('tools/call')).toBe(3);
    const sessionIds = new Set(tiny.headers.slice(1).map((headers) => headers['mcp-session-id']));
    expect(sessionIds.size).toBe(1);
    expect([...sessionIds][0]).toEqual(expect.any(String));
  });

  it('sends the configured headers with their references resolved', () => {
    expect(tiny.headers.length).toBeGreaterThan(0);
    expect(tiny.headers.every((headers) => headers.authorization === 'Bearer tiny-secret')).toBe(true);
  });

  it('re-initializes once when the upstream forgets the session, and retries the call', async () => {
    const initializedBefore = tiny.count('initialize');
    const callsBefore = tiny.count('tools/call');
    tiny.forgetSessions();

    const result = await service.callTool(access(), 'tiny__echo', { text: 'again' });
    const next = await service.callTool(access(), 'tiny__echo', { text: 'and again' });

    expect(firstText(result)).toBe('echo: {"text":"again"}');
    expect(firstText(next)).toBe('echo: {"text":"and again"}');
    expect(tiny.count('initialize')).toBe(initializedBefore + 1);
    expect(tiny.count('tools/call')).toBe(callsBefore + 3);
  });

  it('federates a tool name that is not a valid function name and routes it back', async () => {
    const tools = await service.listTools(access(), { server: 'tiny' });
    const files = tools.find((tool) => tool.tool === 'files.read');

    expect(files?.name).toMatch(/^tiny__files_read_[0-9a-f]{8}$/);
    const result = await service.callTool(access(), files?.name ?? '', { text: 'x' });
    expect(firstText(result)).toBe('files.read: {"text":"x"}');
  });

  it('accounts every tool call in one log line and its metrics, never with arguments or results', async () => {
    await service.callTool(access(), 'tiny__echo', { text: 'secret argument' });

    const lines = logs.filter((line) => line.message === 'tool call');
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'tool call',
        fields: { requestId: 'request-1', keyId: 'key-1', teamId: 'team-1', server: 'tiny', tool: 'echo', latencyMs: expect.any(Number), outcome: 'success' },
      },
    ]);
    expect(JSON.stringify(logs)).not.toContain('secret argument');
    expect(metrics).toEqual([
      { name: 'ToolCalls', value: 1, dimensions: { server: 'tiny' } },
      { name: 'ToolLatency', value: expect.any(Number), dimensions: { server: 'tiny' } },
    ]);
  });

  it('accounts isError results as tool errors and failed calls as errors', async () => {
    const oops = await service.callTool(access(), 'tiny__oops', {});
    await expect(service.callTool(access(), 'tiny__fail', {})).rejects.toMatchObject({ status: 502, code: 'mcp_upstream_error' });

    expect(oops.isError).toBe(true);
    const outcomes = logs.filter((line) => line.message === 'tool call').map((line) => [line.fields.tool, line.fields.outcome]);
    expect(outcomes).toEqual([
      ['oops', 'tool_error'],
      ['fail', 'error'],
    ]);
    expect(metrics.filter((metric) => metric.name === 'ToolErrors')).toHaveLength(2);
  });

  it('answers a call to an upstream that never answers with 504 within its timeout', async () => {
    const startedAt = performance.now();

    await expect(service.callTool(access(), 'hanging__anything', {})).rejects.toMatchObject({ status: 504, code: 'mcp_timeout' });
    expect(performance.now() - startedAt).toBeLessThan(2_000);
  });

  it('leaves an upstream that never answers initialize out of the list within its timeout', async () => {
    const startedAt = performance.now();
    const tools = await service.listTools(access());

    expect(performance.now() - startedAt).toBeLessThan(2_000);
    expect(new Set(tools.map((tool) => tool.server))).toEqual(new Set(['tiny', 'knowledge_base']));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'mcp server left out of tools/list', fields: expect.objectContaining({ server: 'hanging' }) }));
  });

  it('offers built-in tools beside the upstream ones, with their own permission', async () => {
    const listed = await service.listTools(access(), { tools: ['search'] });
    const result = await service.callTool(access(), 'knowledge_base__search', { query: 'refunds' });

    expect(listed).toEqual([
      { name: 'knowledge_base__search', server: 'knowledge_base', tool: 'search', description: 'Searches the knowledge bases', inputSchema: searchTool.inputSchema },
    ]);
    expect(firstText(result)).toBe('found: refunds');
    expect(metrics).toContainEqual({ name: 'ToolCalls', value: 1, dimensions: { server: 'knowledge_base' } });
    expect(await service.listTools(access({ keyId: 'no-kb' }), { server: 'knowledge_base' })).toEqual([]);
    await expect(service.callTool(access({ keyId: 'no-kb' }), 'knowledge_base__search', {})).rejects.toMatchObject({ status: 403, code: 'tool_not_allowed' });
  });

  it('refuses unknown and disallowed names without calling the upstream', async () => {
    const callsBefore = tiny.count('tools/call');
    const noTiny = access({ allowsServer: (server) => server !== 'tiny' });
    const echoOnly = access({ allowsTool: (_, tool) => tool === 'echo' });

    await expect(service.callTool(access(), 'tiny__missing', {})).rejects.toMatchObject({ status: 404, code: 'tool_not_found' });
    await expect(service.callTool(access(), 'unconfigured__echo', {})).rejects.toMatchObject({ status: 404 });
    await expect(service.callTool(noTiny, 'tiny__echo', {})).rejects.toMatchObject({ status: 403, code: 'tool_not_allowed' });
    await expect(service.callTool(echoOnly, 'tiny__fail', {})).rejects.toMatchObject({ status: 403, code: 'tool_not_allowed' });
    expect(tiny.count('tools/call')).toBe(callsBefore);
    expect(logs.filter((line) => line.message === 'tool call refused')).toHaveLength(4);
  });
});
