import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { echoingOpenAIUpstream } from '../support/echoing-openai-upstream.js';
import { startEverythingServer, type EverythingServer } from '../support/everything-server.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, openaiClient, startTestGateway } from '../support/gateway.js';

const knowledgeFolder = new URL('../../knowledge', import.meta.url).pathname;

/** The official OpenAI client's Responses API against the local gateway. */
describe('POST /v1/responses with the openai client', () => {
  let everything: EverythingServer;
  let relay: FakeUpstream;
  let gateway: LocalGateway;

  beforeAll(async () => {
    everything = await startEverythingServer();
    relay = await startFakeUpstream(echoingOpenAIUpstream);
    gateway = await startTestGateway(`
models:
  - name: echo
    provider: echo
    price: { input_per_mtok: 1, output_per_mtok: 2 }
  - name: relay
    provider: openai-compatible
    base_url: ${relay.baseUrl}
    model: relay-model
  - name: broken
    provider: openai-compatible
    base_url: http://127.0.0.1:9/v1
    model: nowhere
    fallbacks: [echo]
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
    await relay?.close();
    await everything?.stop();
  });

  const client = async (settings: Record<string, unknown> = {}) => openaiClient(gateway, await generateKey(gateway, settings));

  it('answers a response with output_text, usage and the cost header', async () => {
    const openai = await client();
    const { data: response, response: http } = await openai.responses.create({ model: 'echo', input: 'hello responses', instructions: 'be brief' }).withResponse();

    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'echo', instructions: 'be brief', store: true, error: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('hello responses');
    expect(response.output).toEqual([expect.objectContaining({ type: 'message', role: 'assistant', status: 'completed', content: [expect.objectContaining({ type: 'output_text', text: 'hello responses' })] })]);
    expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number), input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } });
    expect(response.usage!.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
    expect(Number(http.headers.get('x-tollway-cost-usd'))).toBeCloseTo((response.usage!.input_tokens * 1 + response.usage!.output_tokens * 2) / 1e6, 12);
  });

  it('streams semantic events the stream helper assembles into the final response', async () => {
    const openai = await client();
    const types: string[] = [];
    const stream = openai.responses.stream({ model: 'echo', input: 'streamed words arrive' });
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();

    expect(final.output_text).toBe('streamed words arrive');
    expect(final.status).toBe('completed');
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    await gateway.settled();
    expect((await openai.responses.retrieve(final.id)).output_text).toBe('streamed words arrive');
  });

  const lookup = { type: 'function' as const, name: 'lookup', description: 'looks up', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false };

  it('runs a function-call round trip by previous_response_id', async () => {
    const openai = await client();
    const first = await openai.responses.create({ model: 'echo', input: '{"q":"tollway"}', tools: [lookup], tool_choice: 'required' });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'lookup', arguments: '{"q":"tollway"}' });

    const second = await openai.responses.create({
      model: 'echo',
      previous_response_id: first.id,
      tools: [lookup],
      input: [{ type: 'function_call_output', call_id: call!.type === 'function_call' ? call!.call_id : '', output: 'found it by id' }],
    });
    expect(second.output_text).toBe('found it by id');
    expect(second.previous_response_id).toBe(first.id);
  });

  it('runs a function-call round trip by passing the items back, with store: false keeping nothing', async () => {
    const openai = await client();
    const input: OpenAI.Responses.ResponseInputItem[] = [{ role: 'user', content: '{"q":"stateless"}' }];
    const first = await openai.responses.create({ model: 'echo', input, tools: [lookup], tool_choice: 'required', store: false });
    const call = first.output.find((item) => item.type === 'function_call')!;
    const second = await openai.responses.create({
      model: 'echo',
      store: false,
      tools: [lookup],
      input: [...input, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.type === 'function_call' ? call.call_id : '', output: 'found it by items' }],
    });

    expect(second.output_text).toBe('found it by items');
    await expect(openai.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('retrieves, lists input items of and deletes a stored response; another key gets 404', async () => {
    const owner = await client();
    const stranger = await client();
    const created = await owner.responses.create({ model: 'echo', input: [{ role: 'user', content: 'first' }, { role: 'user', content: 'second' }] });

    expect(await owner.responses.retrieve(created.id)).toMatchObject({ id: created.id, output_text: 'second' });
    const items = await owner.responses.inputItems.list(created.id, { order: 'asc' });
    expect(items.data.map((item) => (item.type === 'message' ? (item.content[0] as { text: string }).text : item.type))).toEqual(['first', 'second']);
    for (const attempt of [() => stranger.responses.retrieve(created.id), () => stranger.responses.inputItems.list(created.id), () => stranger.responses.delete(created.id)]) {
      await expect(attempt()).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
    await expect(stranger.responses.create({ model: 'echo', input: 'x', previous_response_id: created.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    await owner.responses.delete(created.id);
    await expect(owner.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('sends text.format json_schema to the upstream as its response format', async () => {
    const openai = await client();
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const response = await openai.responses.create({ model: 'relay', input: '{"city":"Lisbon"}', text: { format: { type: 'json_schema', name: 'place', schema, strict: true } } });

    expect(relay.received.at(-1)?.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'place', schema, strict: true } });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Lisbon' });
  });

  it('runs MCP tools against server-everything, reporting mcp_list_tools and mcp_call items', async () => {
    const openai = await client({ max_budget: 1 });
    const response = await openai.responses.create({
      model: 'echo',
      input: '{"message":"hi from responses"}',
      tool_choice: 'required',
      tools: [{ type: 'mcp', server_label: 'everything', allowed_tools: ['echo'], require_approval: 'never' }],
    });

    expect(response.output.map((item) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(response.output[0]).toMatchObject({ server_label: 'everything', tools: [expect.objectContaining({ name: 'echo' })] });
    expect(response.output[1]).toMatchObject({ server_label: 'everything', name: 'echo', arguments: '{"message":"hi from responses"}', output: 'Echo: hi from responses' });
    expect(response.output_text).toBe('Echo: hi from responses');

    const refused = await openai.responses
      .create({ model: 'echo', input: 'x', tools: [{ type: 'mcp', server_label: 'everything', server_url: 'https://evil.example/mcp', require_approval: 'never' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('mcp_server_url_not_configured');
  });

  it('searches the local knowledge base with file_search, reporting a file_search_call with results when included', async () => {
    const openai = await client();
    const response = await openai.responses.create({
      model: 'echo',
      input: 'which error code does an expired key get?',
      tools: [{ type: 'file_search', vector_store_ids: ['docs'], max_num_results: 2 }],
      include: ['file_search_call.results'],
    });
    const search = response.output[0];

    expect(search).toMatchObject({ type: 'file_search_call', status: 'completed', queries: ['which error code does an expired key get?'] });
    expect(search.type === 'file_search_call' && search.results?.length).toBe(2);
    expect(JSON.stringify(search)).toContain('key_expired');
  });

  it('falls back from an upstream that cannot be reached, streamed and not', async () => {
    const openai = await client();
    const { data: whole, response: http } = await openai.responses.create({ model: 'broken', input: 'fall back' }).withResponse();
    const streamed = await openai.responses.stream({ model: 'broken', input: 'fall back streamed' }).finalResponse();

    expect(http.headers.get('x-tollway-model')).toBe('echo');
    expect(whole).toMatchObject({ model: 'broken', output_text: 'fall back' });
    expect(streamed.output_text).toBe('fall back streamed');
  });

  it('answers 401, 404 and 429 in the OpenAI envelope, and records usage per response', async () => {
    const poor = await client({ max_budget: 0.000001 });
    const failures = await Promise.all([
      openaiClient(gateway, 'sk-wrong').responses.create({ model: 'echo', input: 'x' }).catch((error: unknown) => error),
      (await client()).responses.create({ model: 'nope', input: 'x' }).catch((error: unknown) => error),
      poor.responses.create({ model: 'echo', input: 'x' }).catch((error: unknown) => error),
    ]);
    expect(failures[0]).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(failures[1]).toBeInstanceOf(OpenAI.NotFoundError);
    expect(failures[2]).toBeInstanceOf(OpenAI.RateLimitError);
    expect((failures[2] as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_exceeded');

    const key = await generateKey(gateway, { max_budget: 1 });
    await openaiClient(gateway, key).responses.create({ model: 'echo', input: 'recorded' });
    await openaiClient(gateway, key).responses.stream({ model: 'echo', input: 'recorded too' }).finalResponse();
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}`)).body as { data: Array<Record<string, unknown>> };
    expect(logs.data).toHaveLength(2);
    expect((await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body).toMatchObject({ usage_records: 2, difference: 0, live_holds: [] });
  });
});
