import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { echoingOpenAIUpstream } from '../support/echoing-openai-upstream.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, startTestGateway } from '../support/gateway.js';

/** Two upstreams that answer alike, each behind the model names `echo` (priced) and `other`. */
const backends = [
  { name: 'the echo model', overHttp: false, entry: () => 'provider: echo' },
  { name: 'an OpenAI-compatible upstream over HTTP', overHttp: true, entry: (upstream?: FakeUpstream) => `provider: openai-compatible\n    base_url: ${upstream?.baseUrl}\n    model: relay-model` },
];

/** The official Anthropic SDK against the local gateway, over the translation path. */
describe.each(backends)('POST /v1/messages with @anthropic-ai/sdk, translated to $name', ({ overHttp, entry }) => {
  let gateway: LocalGateway;
  let upstream: FakeUpstream | undefined;

  beforeAll(async () => {
    if (overHttp) upstream = await startFakeUpstream(echoingOpenAIUpstream);
    gateway = await startTestGateway(`
models:
  - name: echo
    ${entry(upstream)}
    price: { input_per_mtok: 1, output_per_mtok: 2 }
  - name: other
    ${entry(upstream)}
`);
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const client = (apiKey: string, headers: Record<string, string> = {}) =>
    new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0, timeout: 20_000, defaultHeaders: headers });

  it('answers a message with text, usage, and the cost header', async () => {
    const key = await generateKey(gateway);

    const { data: message, response } = await client(key)
      .messages.create({ model: 'echo', max_tokens: 100, system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();

    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'echo', stop_reason: 'end_turn', content: [{ type: 'text', text: 'hello there' }] });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-tollway-cost-usd'))).toBeGreaterThan(0);
    // Over HTTP, the upstream got the translation: the system blocks as a system message, then the user's.
    if (upstream) expect(upstream.received.at(-1)?.body.messages).toEqual([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello there' }]);
  });

  it('streams events in Anthropic’s order, which the SDK assembles with finalMessage()', async () => {
    const key = await generateKey(gateway);
    const seen: string[] = [];

    const stream = client(key).messages.stream({ model: 'echo', max_tokens: 100, messages: [{ role: 'user', content: 'streamed words here' }] });
    stream.on('streamEvent', (event) => seen.push(event.type));
    const message = await stream.finalMessage();

    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'streamed words here' })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(seen[0]).toBe('message_start');
    expect(seen).toContain('content_block_start');
    expect(seen).toContain('content_block_delta');
    expect(seen.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('runs a tool_use → tool_result round trip, streamed and not', async () => {
    const key = await generateKey(gateway);
    const tools = [{ name: 'lookup', description: 'looks up', input_schema: { type: 'object' as const, properties: { q: { type: 'string' } } } }];

    const first = await client(key).messages.create({ model: 'echo', max_tokens: 100, tools, tool_choice: { type: 'tool', name: 'lookup' }, messages: [{ role: 'user', content: '{"q":"tollway"}' }] });
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    const streamed = await client(key)
      .messages.stream({ model: 'echo', max_tokens: 100, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: '{"q":"again"}' }] })
      .finalMessage();
    const second = await client(key).messages.create({
      model: 'echo',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: '{"q":"tollway"}' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.type === 'tool_use' ? toolUse!.id : '', content: 'found it' }] },
      ],
    });

    expect(first.stop_reason).toBe('tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'lookup', input: { q: 'tollway' } });
    expect(streamed.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'lookup', input: { q: 'again' } });
    expect(second.content).toEqual([expect.objectContaining({ type: 'text', text: 'found it' })]);
  });

  it('counts tokens with an upper bound of what it would send', async () => {
    const key = await generateKey(gateway);
    const counted = await client(key).messages.countTokens({ model: 'echo', messages: [{ role: 'user', content: 'count these words' }] });
    expect(counted.input_tokens).toBeGreaterThanOrEqual('count these words'.length);
  });

  it('answers 401, 403, 404 and 429 budget_exceeded in Anthropic’s envelope', async () => {
    const limited = await generateKey(gateway, { models: ['echo'] });
    const poor = await generateKey(gateway, { max_budget: 0.000001 });
    const body = { model: 'echo', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

    const failures = await Promise.all([
      client('sk-wrong').messages.create(body).catch((error: unknown) => error),
      client(limited).messages.create({ ...body, model: 'other' }).catch((error: unknown) => error),
      client(limited).messages.create({ ...body, model: 'nope' }).catch((error: unknown) => error),
      client(poor).messages.create(body).catch((error: unknown) => error),
    ]);

    expect(failures[0]).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(failures[1]).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(failures[2]).toBeInstanceOf(Anthropic.NotFoundError);
    expect(failures[3]).toBeInstanceOf(Anthropic.RateLimitError);
    expect((failures[3] as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', code: 'budget_exceeded' } });
  });

  it('counts Messages requests in the key’s rpm and tpm windows, refusing past them with retry-after', async () => {
    const byRequests = await generateKey(gateway, { rpm_limit: 2 });
    // tpm counts input plus max_tokens at admission: 20 + 100 fits in 130 once, not twice.
    const byTokens = await generateKey(gateway, { tpm_limit: 130 });
    const body = { model: 'echo', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

    await client(byRequests).messages.create(body);
    await client(byRequests).messages.stream(body).finalMessage();
    const thirdRequest = await client(byRequests).messages.create(body).catch((error: unknown) => error);
    const concurrent = await Promise.all([0, 1].map(() => client(byTokens).messages.create(body).catch((error: unknown) => error)));
    const served = concurrent.filter((outcome) => (outcome as { type?: string }).type === 'message');
    const secondByTokens = concurrent.find((outcome) => outcome instanceof Error);
    expect(served).toHaveLength(1);

    for (const refused of [thirdRequest, secondByTokens]) {
      expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
      expect((refused as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
      expect(Number((refused as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('lists models in Anthropic’s shape for clients that send anthropic-version', async () => {
    const key = await generateKey(gateway);
    const page = await client(key).models.list();
    expect(page.data.map((model) => model.id)).toEqual(['echo', 'other']);
    expect(page.data[0]).toMatchObject({ type: 'model', display_name: 'echo' });
  });

  it('records usage and spend per request, with Claude Code’s session and agent ids filterable in /spend/logs', async () => {
    const key = await generateKey(gateway, { max_budget: 1 });
    const claudeCode = client(key, { 'X-Claude-Code-Session-Id': 'session-42', 'X-Claude-Code-Agent-Id': 'agent-7', 'X-Claude-Code-Parent-Agent-Id': 'agent-1' });

    await claudeCode.messages.create({ model: 'echo', max_tokens: 50, messages: [{ role: 'user', content: 'one' }] });
    await claudeCode.messages.stream({ model: 'echo', max_tokens: 50, messages: [{ role: 'user', content: 'two' }] }).finalMessage();
    await client(key).messages.create({ model: 'echo', max_tokens: 50, messages: [{ role: 'user', content: 'other session' }] });
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}&session_id=session-42`)).body as { data: Array<Record<string, unknown>> };
    const ledger = (await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body;

    expect(logs.data).toHaveLength(2);
    expect(logs.data[0]).toMatchObject({ session_id: 'session-42', agent_id: 'agent-7', parent_agent_id: 'agent-1', model: 'echo', route: 'messages.create' });
    expect(ledger).toMatchObject({ usage_records: 3, difference: 0, live_holds: [] });
    expect(ledger.counter_spend).toBeGreaterThan(0);
  });
});
