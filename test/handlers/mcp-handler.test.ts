/**
 * The real mcp handler (middy, Powertools, the gateway runtime, dynalite)
 * streaming through the Lambda streaming globals, in front of a real MCP
 * server (the MCP SDK) whose `gated` tool reports progress, then waits for
 * the test to open its gate: what the client sees before the gate opens was
 * streamed, not buffered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../../functions/core/config/schema.js';
import { toWebRequest, writeWebResponse } from '../../functions/http/node-adapter.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../functions/local/local-dynamodb.js';
import { lambdaContext as lambdaInvocationContext, lambdaStreamingGlobals, proxyEvent as apiGatewayEvent, ResponseStream, startSecretsManager, type BufferedHandler, type StreamingHandler } from '../support/lambda-runtime.js';

const masterKey = 'Hm3Qw8Zt1Rk6Vb0Nc5Xp9Ls2Jd7Fg4Ye1Ua8Ti3Ko6Wr0Mq';
const masterKeySecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TollwayMasterKeySecret-AbC123';

let invocation = 0;
const lambdaContext = (functionName: string): Context => {
  invocation += 1;
  return lambdaInvocationContext(functionName, { awsRequestId: `00000000-0000-4000-9000-${String(invocation).padStart(12, '0')}`, remainingMs: 900_000 });
};
const proxyEvent = (method: string, resource: string, path: string, headers: Record<string, string>, body?: unknown) => apiGatewayEvent({ method, resource, path, headers, body });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitFor = async (condition: () => boolean, what: string) => {
  for (let tries = 0; tries < 200 && !condition(); tries += 1) await sleep(20);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

/** The fixture: an SDK server whose `gated` tool reports progress 1, waits for `openGate`, reports 2 and answers; it records a cancelled call. */
const startGatedServer = async () => {
  let openGate: () => void = () => undefined;
  const state = { cancelled: 0, gateOpened: false };
  const mcpServer = () => {
    const server = new McpServer({ name: 'gated', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'gated', inputSchema: { type: 'object' as const } }] }));
    server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
      const progressToken = request.params._meta?.progressToken ?? 'none';
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1, total: 2 } });
      extra.signal.addEventListener('abort', () => (state.cancelled += 1));
      await new Promise<void>((resolve) => {
        openGate = resolve;
        extra.signal.addEventListener('abort', () => resolve());
      });
      state.gateOpened = true;
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 2, total: 2 } });
      return { content: [{ type: 'text' as const, text: 'through the gate' }] };
    });
    return server;
  };
  const http = createServer(async (incoming, outgoing) => {
    const gone = new AbortController();
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) gone.abort();
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcpServer().connect(transport);
    const request = await toWebRequest(incoming, gone.signal);
    gone.signal.addEventListener('abort', () => void transport.close());
    await writeWebResponse(await transport.handleRequest(request), outgoing);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    state,
    openGate: () => openGate(),
    close: () => new Promise<void>((resolve) => (http.closeAllConnections(), http.close(() => resolve()))),
  };
};

describe('the mcp Lambda handler, streamed', () => {
  let dynamo: LocalDynamoDB;
  let secretsManager: Server;
  let fixture: Awaited<ReturnType<typeof startGatedServer>>;
  let mcpHandler: StreamingHandler;
  let key: string;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:');
    secretsManager = await startSecretsManager(masterKeySecretArn, masterKey);
    fixture = await startGatedServer();
    const config = configSchema.parse({ models: [{ name: 'echo', provider: 'echo' }], mcp_servers: [{ name: 'gated', url: fixture.url }] });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`,
      TOLLWAY_KEYS_TABLE: dynamo.tableNames.keys,
      TOLLWAY_BUDGETS_TABLE: dynamo.tableNames.budgets,
      TOLLWAY_USAGE_TABLE: dynamo.tableNames.usage,
      TOLLWAY_RESPONSES_TABLE: dynamo.tableNames.responses,
      TOLLWAY_MASTER_KEY_SECRET_ARN: masterKeySecretArn,
      TOLLWAY_CONFIG_JSON: JSON.stringify(config),
      POWERTOOLS_SERVICE_NAME: 'tollway',
      POWERTOOLS_METRICS_NAMESPACE: 'Tollway',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      // Short, so a quiet stream shows its keep-alive comments within the test.
      TOLLWAY_SSE_KEEP_ALIVE_MS: '100',
    });
    Object.assign(globalThis, { awslambda: lambdaStreamingGlobals });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    mcpHandler = (await import('../../functions/handlers/mcp.js')).handler as unknown as StreamingHandler;
    const adminHandler = (await import('../../functions/handlers/admin.js')).handler as unknown as BufferedHandler;
    const created = await adminHandler(
      proxyEvent('POST', '/key/generate', '/key/generate', { Authorization: `Bearer ${masterKey}`, 'Content-Type': 'application/json' }, { key_alias: 'mcp-stream' }),
      lambdaContext('admin'),
    );
    key = (JSON.parse(created.body) as { key: string }).key;
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await fixture?.close();
    await dynamo?.close();
    await new Promise<void>((resolve) => (secretsManager ? secretsManager.close(() => resolve()) : resolve()));
  });

  const mcpHeaders = () => ({
    Authorization: `Bearer ${key}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    'Mcp-Protocol-Version': '2025-11-25',
  });
  const gatedCall = (id: number) =>
    proxyEvent('POST', '/mcp/{server}', '/mcp/gated', mcpHeaders(), { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'gated', arguments: {}, _meta: { progressToken: `p${id}` } } });

  it('writes each progress event as the upstream sends it: the first one arrives while the tool still waits', async () => {
    const stream = new ResponseStream();

    const invoked = mcpHandler(gatedCall(1), stream, lambdaContext('mcp'));
    await waitFor(() => stream.text.includes('"progress":1'), 'the first progress event');

    expect(fixture.state.gateOpened).toBe(false);
    expect(stream.prelude.statusCode).toBe(200);
    expect(stream.prelude.headers['content-type']).toMatch(/^text\/event-stream/);
    fixture.openGate();
    await invoked;
    const messages = stream.text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { method?: string; params?: { progress?: number }; result?: { content: { text: string }[] } });
    expect(messages.map((message) => message.params?.progress ?? message.result?.content[0]?.text)).toEqual([1, 2, 'through the gate']);
  });

  it('writes keep-alive comments while the upstream stream is quiet, between events', async () => {
    const stream = new ResponseStream();

    const invoked = mcpHandler(gatedCall(4), stream, lambdaContext('mcp'));
    await waitFor(() => stream.text.includes(': keep-alive\n\n'), 'a keep-alive comment');
    fixture.openGate();
    await invoked;

    const text = stream.text;
    expect(text.indexOf(': keep-alive')).toBeGreaterThan(text.indexOf('"progress":1'));
    expect(text.indexOf(': keep-alive')).toBeLessThan(text.indexOf('"progress":2'));
    // Every comment sits between events, never inside one.
    expect(text.split('\n\n').every((block) => !block.includes(': keep-alive') || block.trim() === ': keep-alive')).toBe(true);
  });

  it('aborts the upstream call when the client goes away mid-stream', async () => {
    const stream = new ResponseStream();
    const cancelledBefore = fixture.state.cancelled;

    const invoked = mcpHandler(gatedCall(2), stream, lambdaContext('mcp'));
    await waitFor(() => stream.text.includes('"progress":1'), 'the first progress event');
    stream.destroy();
    await invoked;

    await waitFor(() => fixture.state.cancelled > cancelledBefore, 'the upstream to see the call cancelled');
    expect(fixture.state.cancelled).toBe(cancelledBefore + 1);
  });

  it('keeps its status and JSON-RPC envelope for an error before the first byte', async () => {
    const stream = new ResponseStream();

    await mcpHandler(
      proxyEvent('POST', '/mcp/{server}', '/mcp/gated', { ...mcpHeaders(), Authorization: 'Bearer sk-not-a-key' }, { jsonrpc: '2.0', id: 3, method: 'tools/list' }),
      stream,
      lambdaContext('mcp'),
    );

    expect(stream.prelude.statusCode).toBe(401);
    expect(JSON.parse(stream.text)).toMatchObject({ error: expect.anything() });
  });
});
