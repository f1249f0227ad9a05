import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';
import { connectMcp } from '../mcp/mcp-fixtures.js';
import { startTinyMcpServer, type TinyMcpServer } from '../mcp/tiny-mcp-server.js';

interface Ledger {
  counter_spend: number;
  usage_records: number;
  difference: number;
  live_holds: unknown[];
}

describe('MCP tool prices: reserved and settled like tokens', () => {
  let paid: TinyMcpServer;
  let free: TinyMcpServer;
  let gateway: LocalGateway;

  beforeAll(async () => {
    [paid, free] = await Promise.all([startTinyMcpServer({ tools: ['lookup', 'search', 'oops', 'fail'] }), startTinyMcpServer({ tools: ['lookup'] })]);
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
mcp_servers:
  - name: paid
    url: ${paid.url}
    tool_prices: { lookup: 0.25 }
    default_tool_price: 0.1
  - name: free
    url: ${free.url}
`);
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([paid?.close(), free?.close()]);
  });

  const callRest = (key: string, name: string) =>
    fetch(`${gateway.url}/v1/mcp/tools/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, arguments: { q: 'x' } }),
    });
  /** Settlement and the usage record are written after the response. */
  const ledgerOf = async (key: string): Promise<Ledger> => {
    await gateway.settled();
    return (await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body as Ledger;
  };

  it('charges each call its price, refuses the call that does not fit without calling upstream, and reconciles to 0', async () => {
    // Prepare
    const key = await generateKey(gateway, { max_budget: 1 });
    const before = paid.count('tools/call');

    // Act
    const statuses: number[] = [];
    let refusal: unknown;
    for (let index = 0; index < 5; index += 1) {
      const response = await callRest(key, 'paid__lookup');
      statuses.push(response.status);
      if (response.status !== 200) refusal = await response.json();
      else await response.text();
    }
    const ledger = await ledgerOf(key);
    const spendLogs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}`)).body as { data: Array<{ model: string; spend: number }> };

    // Assess
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(refusal).toMatchObject({ error: { code: 'budget_exceeded' } });
    expect(paid.count('tools/call') - before).toBe(4);
    expect(ledger).toMatchObject({ counter_spend: 1, usage_records: 4, difference: 0, live_holds: [] });
    expect(spendLogs.data.map((record) => [record.model, record.spend])).toEqual(Array(4).fill(['mcp/paid/lookup', 0.25]));
  });

  it('charges the default price for tools without their own, an isError result too, and nothing for a failed call or a free server (over /mcp)', async () => {
    // Prepare
    const key = await generateKey(gateway, { max_budget: 5 });
    const client = await connectMcp(gateway, '/mcp', key);

    // Act
    await client.callTool({ name: 'paid__search', arguments: {} });
    const oops = await client.callTool({ name: 'paid__oops', arguments: {} });
    const failed = await client.callTool({ name: 'paid__fail', arguments: {} });
    await client.callTool({ name: 'free__lookup', arguments: {} });
    await client.close();
    const ledger = await ledgerOf(key);

    // Assess
    expect(oops.isError).toBe(true);
    // The upstream's JSON-RPC error reaches the client as an isError result naming the failure; the call was not answered.
    expect(failed).toMatchObject({ isError: true });
    expect(ledger).toMatchObject({ counter_spend: 0.2, usage_records: 3, difference: 0, live_holds: [] });
  });

  it('refuses a priced call over /mcp that does not fit the budget as a tool error the agent can read, without calling upstream', async () => {
    // Prepare
    const key = await generateKey(gateway, { max_budget: 0.05 });
    const client = await connectMcp(gateway, '/mcp', key);
    const before = paid.count('tools/call');

    // Act
    const refused = await client.callTool({ name: 'paid__search', arguments: {} });
    await client.close();

    // Assess
    expect(refused).toEqual({ isError: true, content: [{ type: 'text', text: "The request's worst-case cost ($0.1) is more than the whole budget of this key ($0.05)." }] });
    expect(paid.count('tools/call')).toBe(before);
  });

  it('charges calls on /mcp/{server} and the tools the gateway runs in a chat completion', async () => {
    // Prepare
    const key = await generateKey(gateway, { max_budget: 5 });
    const direct = await connectMcp(gateway, '/mcp/paid', key);

    // Act
    await direct.callTool({ name: 'lookup', arguments: {} });
    await direct.close();
    const completion = await openaiClient(gateway, key).chat.completions.create({
      model: 'echo',
      tools: [{ type: 'mcp', server_label: 'paid', allowed_tools: ['lookup'] } as never],
      tool_choice: 'required',
      messages: [{ role: 'user', content: '{"q":"from chat"}' }],
    });
    const ledger = await ledgerOf(key);

    // Assess
    expect((completion as typeof completion & { mcp_tool_calls?: unknown[] }).mcp_tool_calls).toHaveLength(1);
    // Two tool calls at 0.25 each, plus the echo completion's own cost (its records count too).
    expect(ledger.difference).toBe(0);
    expect(ledger.usage_records).toBe(3);
    expect(ledger.counter_spend).toBeGreaterThanOrEqual(0.5);
    expect(ledger.live_holds).toEqual([]);
  });
});
