/**
 * `/v1/messages` with Anthropic's MCP connector shape: the gateway's own MCP
 * servers (server-everything, the built-in knowledge_base) named in
 * `mcp_servers`, the calls run by the gateway, shown as `mcp_tool_use` and
 * `mcp_tool_result` blocks, metered like chat's tool loop.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { admin, generateKey, startTestGateway } from '../support/gateway.js';

const knowledgeFolder = new URL('../../knowledge', import.meta.url).pathname;

describe('POST /v1/messages with mcp_servers (the MCP connector on the gateway’s servers)', () => {
  let everything: EverythingServer;
  let gateway: LocalGateway;

  beforeAll(async () => {
    everything = await startEverythingServer();
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
mcp_servers:
  - name: everything
    url: ${everything.url}
knowledge_bases:
  - name: docs
    provider: local
    path: ${knowledgeFolder}
`);
  });

  afterAll(async () => {
    await gateway?.close();
    await everything?.stop();
  });

  const client = (apiKey: string) => new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0, timeout: 20_000 });
  const everythingServer = () => ({ type: 'url' as const, name: 'everything', url: `${gateway.url}/mcp/everything`, tool_configuration: { allowed_tools: ['echo'] } });
  const ask = (text: string) => ({ model: 'echo', max_tokens: 200, tool_choice: { type: 'any' as const }, messages: [{ role: 'user' as const, content: text }] });

  it('runs the tool the model calls and answers with its result, as mcp_tool_use and mcp_tool_result blocks', async () => {
    const key = await generateKey(gateway, { max_budget: 1 });

    const { data: message, response } = await client(key)
      .beta.messages.create({ ...ask('{"message":"hello over MCP"}'), mcp_servers: [everythingServer()], betas: ['mcp-client-2025-04-04'] })
      .withResponse();

    expect(message.content.map((block) => block.type)).toEqual(['mcp_tool_use', 'mcp_tool_result', 'text']);
    expect(message.content[0]).toMatchObject({ type: 'mcp_tool_use', name: 'everything__echo', server_name: 'everything', input: { message: 'hello over MCP' } });
    expect(message.content[1]).toMatchObject({ type: 'mcp_tool_result', is_error: false, content: [{ type: 'text', text: 'Echo: hello over MCP' }] });
    expect(message.content[2]).toMatchObject({ type: 'text', text: 'Echo: hello over MCP' });
    expect(message.stop_reason).toBe('end_turn');

    // Both rounds are billed: the record, the spend and the header agree.
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}`)).body as { data: Array<Record<string, number>> };
    expect(logs.data).toHaveLength(1);
    expect(logs.data[0].input_tokens).toBe(message.usage.input_tokens);
    expect(logs.data[0].completion_tokens).toBe(message.usage.output_tokens);
    expect(logs.data[0].spend).toBeCloseTo(Number(response.headers.get('x-tollway-cost-usd')), 12);
    expect(logs.data[0].spend).toBeCloseTo((message.usage.input_tokens * 1 + message.usage.output_tokens * 2) / 1e6, 12);
    expect((await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body).toMatchObject({ difference: 0, live_holds: [] });
  });

  it('streams the loop, which the SDK assembles with finalMessage()', async () => {
    const key = await generateKey(gateway);
    const message = await client(key)
      .beta.messages.stream({ ...ask('{"message":"streamed over MCP"}'), mcp_servers: [everythingServer()], betas: ['mcp-client-2025-04-04'] })
      .finalMessage();

    expect(message.content.map((block) => block.type)).toEqual(['mcp_tool_use', 'mcp_tool_result', 'text']);
    expect(message.content[2]).toMatchObject({ type: 'text', text: 'Echo: streamed over MCP' });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('takes the blocks back on the next turn, so a conversation goes on', async () => {
    const key = await generateKey(gateway);
    const first = await client(key).beta.messages.create({ ...ask('{"message":"turn one"}'), mcp_servers: [everythingServer()] });
    const second = await client(key).beta.messages.create({
      model: 'echo',
      max_tokens: 200,
      mcp_servers: [everythingServer()],
      messages: [
        { role: 'user', content: '{"message":"turn one"}' },
        { role: 'assistant', content: first.content as Anthropic.Beta.BetaContentBlockParam[] },
        { role: 'user', content: 'and turn two' },
      ],
    });
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: 'and turn two' })]);
  });

  it('searches a knowledge base through the built-in knowledge_base server', async () => {
    const key = await generateKey(gateway);
    const message = await client(key).beta.messages.create({
      ...ask('{"query":"which error code does an expired key get?","knowledge_base":"docs","max_results":1}'),
      mcp_servers: [{ type: 'url', name: 'knowledge_base', url: `${gateway.url}/mcp/knowledge_base` }],
    });
    expect(message.content[0]).toMatchObject({ type: 'mcp_tool_use', server_name: 'knowledge_base' });
    expect(JSON.stringify(message.content[1])).toContain('key_expired');
  });

  it('refuses a URL that is not configured, an unknown server and a server the key may not use, in Anthropic’s envelope', async () => {
    const key = await generateKey(gateway);
    const limited = await generateKey(gateway, { mcp_servers: ['other'] });
    const failures = await Promise.all([
      client(key).beta.messages.create({ ...ask('hi'), mcp_servers: [{ type: 'url', name: 'everything', url: 'https://mcp.example.com/sse' }] }).catch((error: unknown) => error),
      client(key).beta.messages.create({ ...ask('hi'), mcp_servers: [{ type: 'url', name: 'nowhere', url: `${gateway.url}/mcp/nowhere` }] }).catch((error: unknown) => error),
      client(limited).beta.messages.create({ ...ask('hi'), mcp_servers: [everythingServer()] }).catch((error: unknown) => error),
    ]);

    expect(failures[0]).toBeInstanceOf(Anthropic.BadRequestError);
    expect((failures[0] as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code: 'mcp_server_url_not_configured' } });
    expect(failures[1]).toBeInstanceOf(Anthropic.NotFoundError);
    expect(failures[2]).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });
});
