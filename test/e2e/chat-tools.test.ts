import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

const knowledgeFolder = new URL('../../knowledge', import.meta.url).pathname;

interface ExecutedCall {
  name: string;
  server: string;
  tool: string;
  arguments: string;
  output: string;
  is_error: boolean;
}
interface Source {
  index: number;
  knowledge_base: string;
  filename: string;
  score: number;
  text: string;
}
type Extended = { mcp_tool_calls?: ExecutedCall[]; sources?: Source[] };

describe('gateway-run tools in chat: MCP tool execution and file_search', () => {
  let everything: EverythingServer;
  let gateway: LocalGateway;
  let client: OpenAI;
  let key: string;

  beforeAll(async () => {
    everything = await startEverythingServer();
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
  - name: echo-prompt
    provider: echo
    model: prompt
  - name: echo-docs
    provider: echo
    model: prompt
    knowledge_bases: [docs]
mcp_servers:
  - name: everything
    url: ${everything.url}
knowledge_bases:
  - name: docs
    provider: local
    path: ${knowledgeFolder}
`);
    key = await generateKey(gateway, { key_alias: 'tools' });
    client = openaiClient(gateway, key);
  });

  afterAll(async () => {
    await gateway?.close();
    await everything?.stop();
  });

  const mcpTool = { type: 'mcp', server_label: 'everything', allowed_tools: ['echo'] } as never;

  it('runs the MCP tool the model calls and answers with its result, reporting the call and summing usage', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'echo', tools: [mcpTool], tool_choice: 'required', messages: [{ role: 'user', content: '{"message":"hello from chat"}' }] })
      .withResponse();
    const extended = data as typeof data & Extended;

    expect(data.choices[0].message.content).toBe('Echo: hello from chat');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(extended.mcp_tool_calls).toEqual([
      expect.objectContaining({ name: 'everything__echo', server: 'everything', tool: 'echo', arguments: '{"message":"hello from chat"}', output: 'Echo: hello from chat', is_error: false }),
    ]);
    // two rounds: the second prompt holds the first, the call and its result
    const single = await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: '{"message":"hello from chat"}' }] });
    expect(data.usage!.prompt_tokens).toBeGreaterThan(2 * single.usage!.prompt_tokens);
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${key}&limit=5`)).body;
    const record = logs.data.find((entry: { request_id: string }) => entry.request_id === response.headers.get('x-request-id'));
    expect(record.spend).toBeCloseTo(Number(response.headers.get('x-tollway-cost-usd')), 12);
    expect(record.prompt_tokens).toBe(data.usage!.prompt_tokens);
  });

  it('does the same streamed: only the answer reaches the client, the calls come in the final chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'echo',
      tools: [mcpTool],
      tool_choice: 'required',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: '{"message":"streamed"}' }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk as typeof chunk & Extended);

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Echo: streamed');
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.mcp_tool_calls?.map((call) => call.output)).toEqual(['Echo: streamed']);
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('returns client function calls to the client next to MCP tools', async () => {
    const data = await client.chat.completions.create({
      model: 'echo',
      tools: [mcpTool, { type: 'function', function: { name: 'client_side', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'client_side' } },
      messages: [{ role: 'user', content: '{"x":1}' }],
    });
    const call = data.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toEqual({ name: 'client_side', arguments: '{"x":1}' });
    expect((data as typeof data & Extended).mcp_tool_calls).toEqual([]);
  });

  it('refuses MCP tools of a server the key may not use, and client-supplied server URLs', async () => {
    const restricted = openaiClient(gateway, await generateKey(gateway, { mcp_servers: ['other'] }));
    const forbidden = await restricted.chat.completions.create({ model: 'echo', tools: [mcpTool], messages: [{ role: 'user', content: 'x' }] }).catch((error) => error);
    expect(forbidden.status).toBe(403);
    const withUrl = await client.chat.completions
      .create({ model: 'echo', tools: [{ type: 'mcp', server_label: 'evil', server_url: 'http://169.254.169.254/' } as never], messages: [{ role: 'user', content: 'x' }] })
      .catch((error) => error);
    expect(withUrl.status).toBe(400);
  });

  it('injects retrieved passages as numbered context and returns the sources, through echo', async () => {
    const data = await client.chat.completions.create({
      model: 'echo-prompt',
      tools: [{ type: 'file_search', vector_store_ids: ['docs'], max_num_results: 3 } as never],
      messages: [{ role: 'user', content: 'How do budgets stop concurrent requests from overspending?' }],
    });
    const sources = (data as typeof data & Extended).sources!;
    const prompt = data.choices[0].message.content!;

    expect(sources.length).toBeGreaterThan(0);
    expect(sources.length).toBeLessThanOrEqual(3);
    expect(sources[0]).toMatchObject({ index: 1, knowledge_base: 'docs' });
    expect(prompt).toContain('system: Answer using the numbered context passages');
    expect(prompt).toContain(`[1] ${sources[0].filename}`);
    expect(prompt).toContain(sources[0].text.slice(0, 80));
    expect(prompt.indexOf('[1]')).toBeLessThan(prompt.indexOf('user: How do budgets'));
    expect(sources.map((source) => source.score)).toEqual([...sources.map((source) => source.score)].sort((left, right) => right - left));
  });

  it('searches a model entry’s knowledge bases on every request, streamed too', async () => {
    const stream = await client.chat.completions.create({
      model: 'echo-docs',
      stream: true,
      messages: [{ role: 'user', content: 'How do I run the gateway locally?' }],
    });
    let text = '';
    let sources: Source[] | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      sources ??= (chunk as typeof chunk & Extended).sources;
    }
    expect(sources?.length).toBeGreaterThan(0);
    expect(text).toContain('[1]');
  });

  it('refuses file_search on a knowledge base the key may not use', async () => {
    const restricted = openaiClient(gateway, await generateKey(gateway, { knowledge_bases: ['handbook'] }));
    const error = await restricted.chat.completions
      .create({ model: 'echo', tools: [{ type: 'file_search', vector_store_ids: ['docs'] } as never], messages: [{ role: 'user', content: 'x' }] })
      .catch((caught) => caught);
    expect(error.status).toBe(403);
  });

  it('serves knowledge_base__search on /mcp to keys allowed a knowledge base', async () => {
    const connect = async (apiKey: string) => {
      const mcp = new Client({ name: 'test', version: '1.0.0' });
      await mcp.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${apiKey}` } } }));
      return mcp;
    };
    const allowed = await connect(key);
    const { tools } = await allowed.listTools();
    expect(tools.map((tool) => tool.name)).toContain('knowledge_base__search');
    const result = await allowed.callTool({ name: 'knowledge_base__search', arguments: { query: 'response streaming in Lambda', max_results: 2 } });
    const content = result.content as Array<{ type: string; text: string }>;
    expect(content).toHaveLength(2);
    expect(content[0].text).toMatch(/^\[1\] /);
    await allowed.close();

    const denied = await connect(await generateKey(gateway, { knowledge_bases: ['handbook'] }));
    expect((await denied.listTools()).tools.map((tool) => tool.name)).not.toContain('knowledge_base__search');
    await denied.close();
  });
});
