import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JsonRpcNotification } from '../../functions/mcp/mcp-protocol.js';
import { McpConnectionError, McpHttpError, McpRequestError } from '../../functions/mcp/mcp-client-errors.js';
import { StreamableHttpClient } from '../../functions/mcp/streamable-http-client.js';
import { UpstreamConnection } from '../../functions/mcp/upstream-connection.js';
import { toJsonRpcError, toUpstreamError } from '../../functions/mcp/upstream-errors.js';
import { listToolsResultSchema, resultSchema } from '../../functions/mcp/upstream-results.js';
import {
  answerEvents,
  answerJson,
  initializeResult,
  result,
  sessionId,
  startScriptedMcpServer,
  type ScriptedHandler,
  type ScriptedMcpServer,
} from './scripted-mcp-server.js';

const echoResult = { content: [{ type: 'text', text: 'done' }] };
const tool = (name: string) => ({ name, inputSchema: { type: 'object' } });

describe('the Streamable HTTP MCP client against scripted upstreams', () => {
  const servers: ScriptedMcpServer[] = [];
  const clients: StreamableHttpClient[] = [];

  const start = async (handlers: Record<string, ScriptedHandler>) => {
    const server = await startScriptedMcpServer(handlers);
    servers.push(server);
    return server;
  };
  const clientOf = (server: ScriptedMcpServer, options: { timeoutMs?: number; onNotification?: (notification: JsonRpcNotification) => void } = {}) => {
    const client = new StreamableHttpClient({
      url: server.url,
      headers: { authorization: 'Bearer upstream-token' },
      fetch,
      timeoutMs: options.timeoutMs ?? 5_000,
      clientInfo: { name: 'tollway-test', version: '1.0.0' },
      onNotification: options.onNotification,
    });
    clients.push(client);
    return client;
  };
  const connectionTo = (server: ScriptedMcpServer) =>
    new UpstreamConnection({ server: { name: 'scripted', url: server.url, timeout_ms: 5_000 }, resolveSecret: async (value) => value, toolListTtlMs: 60_000 });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('asks for the latest protocol version, then sends the session id and the negotiated version on every later POST', async () => {
    const server = await start({
      initialize: ({ message }, response) => answerJson(response, result(message.id, initializeResult('2025-06-18')), { 'mcp-session-id': sessionId }),
      'tools/list': ({ message }, response) => answerJson(response, result(message.id, { tools: [tool('echo')] })),
    });
    const client = clientOf(server);

    const introduction = await client.initialize();
    const page = await client.request('tools/list', {}, listToolsResultSchema);

    expect(introduction).toMatchObject({ protocolVersion: '2025-06-18', serverInfo: { name: 'scripted' }, capabilities: { tools: {} } });
    expect(page.tools.map((listed) => listed.name)).toEqual(['echo']);
    expect(server.posts.map((post) => post.message.method)).toEqual(['initialize', 'notifications/initialized', 'tools/list']);
    const [initialize, ...later] = server.posts;
    expect(initialize.message.params).toMatchObject({ protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'tollway-test' } });
    expect(initialize.headers).not.toHaveProperty('mcp-session-id');
    for (const { headers } of server.posts) {
      expect(headers.accept).toBe('application/json, text/event-stream');
      expect(headers.authorization).toBe('Bearer upstream-token');
    }
    for (const { headers } of later) expect(headers).toMatchObject({ 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });
  });

  it('refuses an upstream that answers initialize with a protocol version it does not speak', async () => {
    const server = await start({
      initialize: ({ message }, response) => answerJson(response, result(message.id, initializeResult('2099-01-01'))),
    });

    await expect(clientOf(server).initialize()).rejects.toBeInstanceOf(McpConnectionError);
    expect(server.received('notifications/initialized')).toHaveLength(0);
  });

  it('reads an event-stream answer past the notifications and other answers before it', async () => {
    const server = await start({
      'tools/call': ({ message }, response) =>
        answerEvents(
          response,
          [
            { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } },
            { jsonrpc: '2.0', method: 'notifications/tools/list_changed' },
            result(9_999, { content: [] }),
            result(message.id, echoResult),
          ],
          // Left open: the client stops reading once it has its answer.
          { end: false },
        ),
    });
    const notifications: string[] = [];
    const client = clientOf(server, { onNotification: (notification) => notifications.push(notification.method) });
    await client.initialize();

    const answer = await client.request('tools/call', { name: 'echo', arguments: {} }, resultSchema);

    expect(answer).toEqual(echoResult);
    expect(notifications).toEqual(['notifications/message', 'notifications/tools/list_changed']);
  });

  it('answers a ping the upstream sends mid-answer, and its other requests with method-not-found', async () => {
    let answers: unknown[] = [];
    const server = await start({
      'tools/call': async ({ message }, response) => {
        answerEvents(response, [
          { jsonrpc: '2.0', id: 'server-1', method: 'ping' },
          { jsonrpc: '2.0', id: 'server-2', method: 'sampling/createMessage', params: { messages: [], maxTokens: 10 } },
        ]);
        answers = await Promise.all([server.answerTo('server-1'), server.answerTo('server-2')]);
        answerEvents(response, [result(message.id, echoResult)], { end: true });
      },
    });
    const client = clientOf(server);
    await client.initialize();

    const answer = await client.request('tools/call', { name: 'echo', arguments: {} }, resultSchema);

    expect(answer).toEqual(echoResult);
    expect(answers).toEqual([
      { jsonrpc: '2.0', id: 'server-1', result: {} },
      { jsonrpc: '2.0', id: 'server-2', error: { code: -32601, message: 'Method not found' } },
    ]);
    const answerPosts = server.posts.filter((post) => post.message.method === undefined);
    expect(answerPosts.every((post) => post.headers['mcp-session-id'] === sessionId)).toBe(true);
  });

  it('passes the upstream JSON-RPC error through with its code, message and data', async () => {
    const error = { code: -32042, message: 'quota exceeded', data: { retryAfter: 3 } };
    const server = await start({
      'tools/call': ({ message }, response) => answerJson(response, { jsonrpc: '2.0', id: message.id, error }),
      'prompts/get': ({ message }, response) =>
        answerEvents(response, [{ jsonrpc: '2.0', id: message.id, error: { code: -32602, message: 'no such prompt' } }], { end: true }),
    });
    const client = clientOf(server);
    await client.initialize();

    const failure = await client.request('tools/call', { name: 'echo' }, resultSchema).catch((caught: unknown) => caught);
    const invalid = await client.request('prompts/get', { name: 'nope' }, resultSchema).catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(McpRequestError);
    expect(failure).toMatchObject(error);
    expect(toJsonRpcError('scripted', 5_000, failure)).toMatchObject(error);
    expect(toUpstreamError('scripted', 5_000, failure)).toMatchObject({ status: 502, code: 'mcp_upstream_error', message: 'MCP server "scripted" answered: quota exceeded' });
    expect(toJsonRpcError('scripted', 5_000, invalid)).toMatchObject({ code: -32602, message: 'no such prompt' });
    expect(toUpstreamError('scripted', 5_000, invalid)).toMatchObject({ status: 400, code: 'mcp_invalid_params' });
  });

  it('times out an upstream that never answers with the MCP request-timeout error, and cancels the request', async () => {
    const server = await start({ 'tools/call': () => undefined });
    const client = clientOf(server, { timeoutMs: 200 });
    await client.initialize();
    const startedAt = performance.now();

    const failure = await client.request('tools/call', { name: 'echo' }, resultSchema).catch((caught: unknown) => caught);

    expect(performance.now() - startedAt).toBeLessThan(1_500);
    expect(failure).toBeInstanceOf(McpRequestError);
    expect(failure).toMatchObject({ code: -32001, message: 'Request timed out' });
    expect(toUpstreamError('scripted', 200, failure)).toMatchObject({ status: 504, code: 'mcp_timeout' });
    expect(toJsonRpcError('scripted', 200, failure)).toMatchObject({ code: -32001, message: 'MCP server "scripted" did not answer within 200 ms.' });
    const callId = server.received('tools/call')[0].message.id;
    await vi.waitFor(() => expect(server.received('notifications/cancelled').map((post) => post.message.params?.requestId)).toEqual([callId]));
  });

  it('does not follow a redirect to another origin', async () => {
    const elsewhere = await start({});
    const server = await start({
      initialize: (_, response) => {
        response.writeHead(307, { location: elsewhere.url.replace('127.0.0.1', 'localhost') }).end();
      },
    });

    const failure = await clientOf(server).initialize().catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(McpHttpError);
    expect(failure).toMatchObject({ status: 307 });
    expect(elsewhere.posts).toHaveLength(0);
  });

  describe('through an UpstreamConnection', () => {
    /** Hands out session-1, session-2... and answers 404 to the sessions `forgotten` says are gone. */
    const sessionsServer = (forgotten: (session: string) => boolean) => {
      let sessions = 0;
      return start({
        initialize: ({ message }, response) => {
          sessions += 1;
          answerJson(response, result(message.id, initializeResult()), { 'mcp-session-id': `session-${sessions}` });
        },
        'tools/call': ({ message, headers }, response) => {
          if (forgotten(String(headers['mcp-session-id']))) response.writeHead(404).end('Session not found');
          else answerJson(response, result(message.id, { content: [{ type: 'text', text: String(headers['mcp-session-id']) }] }));
        },
      });
    };

    it('opens a new session once when the upstream answers 404 to the session, and retries the request on it', async () => {
      const server = await sessionsServer((session) => session === 'session-1');
      const connection = connectionTo(server);
      await connection.connect();

      const answer = await connection.request({ method: 'tools/call', params: { name: 'echo' } });

      expect(answer).toEqual({ content: [{ type: 'text', text: 'session-2' }] });
      expect(server.received('initialize')).toHaveLength(2);
      expect(server.received('tools/call').map((post) => post.headers['mcp-session-id'])).toEqual(['session-1', 'session-2']);
      await connection.close();
    });

    it('gives up when the new session is gone as well', async () => {
      const server = await sessionsServer(() => true);
      const connection = connectionTo(server);

      const failure = await connection.request({ method: 'tools/call', params: { name: 'echo' } }).catch((caught: unknown) => caught);

      expect(failure).toMatchObject({ status: 404, sessionSent: true });
      expect(toUpstreamError('scripted', 5_000, failure)).toMatchObject({ status: 502, message: 'MCP server "scripted" is unavailable (HTTP 404).' });
      expect(server.received('initialize')).toHaveLength(2);
      expect(server.received('tools/call')).toHaveLength(2);
      await connection.close();
    });

    it('drops its cached tool list when the upstream says the tools changed', async () => {
      let version = 0;
      const server = await start({
        'tools/list': ({ message }, response) => {
          version += 1;
          answerJson(response, result(message.id, { tools: [tool(`tool-v${version}`)] }));
        },
        'tools/call': ({ message }, response) =>
          answerEvents(response, [{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }, result(message.id, echoResult)], { end: true }),
      });
      const connection = connectionTo(server);

      const first = await connection.tools();
      const cached = await connection.tools();
      await connection.request({ method: 'tools/call', params: { name: 'tool-v1' } });
      const changed = await connection.tools();

      expect([first, cached, changed].map((tools) => tools[0].name)).toEqual(['tool-v1', 'tool-v1', 'tool-v2']);
      expect(server.received('tools/list')).toHaveLength(2);
      await connection.close();
    });
  });
});
