import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { startTinyMcpServer, type TinyMcpServer } from '../mcp/tiny-mcp-server.js';
import { generateKey, openaiClient, recordingMetrics, startTestGateway } from '../support/gateway.js';

const longTool = 'repos.list-for-authenticated-user.with.a.very.long.suffix.indeed';

type Executed = { mcp_tool_calls?: Array<{ name: string; is_error: boolean; output: string }> };

/** Chat with gateway-run MCP tools at the edges: a server that is down, a named tool_choice, tools that fail. */
describe('chat mcp tools: down servers, tool_choice by name, tool errors', () => {
  let tiny: TinyMcpServer;
  let gateway: LocalGateway;
  let client: OpenAI;
  const metrics = recordingMetrics();

  beforeAll(async () => {
    tiny = await startTinyMcpServer({ tools: ['echo', 'shout', 'oops', 'fail', longTool] });
    gateway = await startTestGateway(
      `
models:
  - name: echo
    provider: echo
mcp_servers:
  - name: tiny
    url: ${tiny.url}
  - name: down
    url: http://127.0.0.1:9/mcp
    timeout_ms: 2000
`,
      {},
      { metrics: metrics.metrics },
    );
    client = openaiClient(gateway, await generateKey(gateway));
  });
  afterAll(async () => {
    await gateway?.close();
    await tiny?.close();
  });

  const ask = (text: string) => [{ role: 'user' as const, content: text }];

  it('answers 502 naming a configured server that is down, or leaves it out with on_unavailable: "skip"', async () => {
    const refused = await client.chat.completions.create({ model: 'echo', tools: [{ type: 'mcp', server_label: 'down' } as never], messages: ask('hi') }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toContain('"down"');

    const skipped = await client.chat.completions.create({
      model: 'echo',
      tools: [{ type: 'mcp', server_label: 'down', on_unavailable: 'skip' } as never, { type: 'mcp', server_label: 'tiny', allowed_tools: ['echo'] } as never],
      tool_choice: 'required',
      messages: ask('{"text":"still here"}'),
    });
    expect((skipped as Executed).mcp_tool_calls).toEqual([expect.objectContaining({ name: 'tiny__echo', is_error: false })]);
  });

  it('lets tool_choice name an MCP tool as <server>__<tool>, and refuses a name no server offers', async () => {
    const named = await client.chat.completions.create({
      model: 'echo',
      tools: [{ type: 'mcp', server_label: 'tiny' } as never],
      tool_choice: { type: 'function', function: { name: 'tiny__shout' } },
      messages: ask('{"text":"louder"}'),
    });
    expect((named as Executed).mcp_tool_calls?.map((call) => call.name)).toEqual(['tiny__shout']);

    const unknown = await client.chat.completions
      .create({ model: 'echo', tools: [{ type: 'mcp', server_label: 'tiny' } as never], tool_choice: { type: 'function', function: { name: 'tiny__nope' } }, messages: ask('x') })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('tool_choice');
  });

  it('shortens a tool name past 64 characters or outside [A-Za-z0-9_-] reversibly, shows the map in /v1/mcp/tools, and calls it by the short name', async () => {
    const key = await generateKey(gateway);
    const listed = (await (await fetch(`${gateway.url}/v1/mcp/tools`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
      data: Array<{ function: { name: string }; server: string; tool: string }>;
    };
    const entry = listed.data.find((tool) => tool.tool === longTool);

    expect(entry?.function.name).toMatch(/^tiny__[A-Za-z0-9_-]+$/);
    expect(entry!.function.name.length).toBeLessThanOrEqual(64);
    const called = await client.chat.completions.create({
      model: 'echo',
      tools: [{ type: 'mcp', server_label: 'tiny' } as never],
      tool_choice: { type: 'function', function: { name: entry!.function.name } },
      messages: ask('{"text":"long"}'),
    });
    expect((called as Executed).mcp_tool_calls).toEqual([expect.objectContaining({ name: entry!.function.name, is_error: false, output: expect.stringContaining(longTool) })]);
  });

  it('reports failing tool calls in mcp_tool_calls and counts them in ToolErrors', async () => {
    const before = metrics.total('ToolErrors', { server: 'tiny' });
    const results = [];
    for (const name of ['tiny__oops', 'tiny__fail']) {
      results.push(
        await client.chat.completions.create({ model: 'echo', tools: [{ type: 'mcp', server_label: 'tiny' } as never], tool_choice: { type: 'function', function: { name } }, messages: ask('{"text":"x"}') }),
      );
    }
    const calls = results.flatMap((result) => (result as Executed).mcp_tool_calls ?? []);

    expect(calls.map((call) => [call.name, call.is_error])).toEqual([
      ['tiny__oops', true],
      ['tiny__fail', true],
    ]);
    expect(metrics.total('ToolErrors', { server: 'tiny' }) - before).toBe(2);
  });
});
