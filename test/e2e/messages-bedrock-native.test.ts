/**
 * `/v1/messages` on Claude on Bedrock: the Anthropic-native path (InvokeModel,
 * InvokeModelWithResponseStream, CountTokens) through the AWS SDK, which finds
 * the local Bedrock through `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`; the bodies and
 * events are derived from recorded Anthropic answers (test/fixtures/bedrock-invoke).
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { claudeCodeBetas, claudeCodeBetasOnBedrock, claudeCodeRequest } from '../support/claude-code-request.js';
import { echoingOpenAIUpstream } from '../support/echoing-openai-upstream.js';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-openai-upstream.js';
import { admin, generateKey, startTestGateway } from '../support/gateway.js';
import { chunkEvents, countedBodyOf, modelIdOf, startLocalBedrock, stopLocalBedrocks, type LocalBedrock, type ReceivedRequest } from '../support/local-bedrock.js';
import { loadInvokeEvents, loadInvokeFixture } from '../providers/bedrock/bedrock-test-helpers.js';

const claude = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const flakyClaude = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
/** USD per million tokens: input 3, output 15, cache read 0.3, cache write 3.75. */
const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const costOf = (usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null }) =>
  (usage.input_tokens * price.input + usage.output_tokens * price.output + (usage.cache_read_input_tokens ?? 0) * price.cacheRead + (usage.cache_creation_input_tokens ?? 0) * price.cacheWrite) / 1e6;

/** The fixture a request asks for, by a word in it. */
const fixtureFor = (request: ReceivedRequest): string => {
  const text = JSON.stringify(request.body.messages ?? '');
  if (text.includes('think')) return 'thinking';
  if (text.includes('weather')) return 'tool-use';
  if (text.includes('cached')) return 'cache-usage';
  return 'text';
};

const answerFor = (request: ReceivedRequest) => {
  if (modelIdOf(request) === flakyClaude) return { status: 503, errorType: 'ServiceUnavailableException', message: 'Bedrock is unavailable' };
  if (JSON.stringify(request.body).includes('slow down')) return { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' };
  if (request.path.endsWith('/count-tokens')) {
    if (JSON.stringify(countedBodyOf(request)).includes('uncountable')) return { status: 400, errorType: 'ValidationException', message: "The provided model doesn't support counting tokens." };
    return { json: { inputTokens: 4321 } };
  }
  if (request.path.endsWith('/invoke-with-response-stream')) return { events: chunkEvents(loadInvokeEvents(fixtureFor(request))) };
  return { json: loadInvokeFixture(fixtureFor(request)) };
};

describe('POST /v1/messages on Claude on Bedrock (Anthropic-native path)', () => {
  let bedrock: LocalBedrock;
  let relay: FakeUpstream;
  let gateway: LocalGateway;

  beforeAll(async () => {
    bedrock = await startLocalBedrock(answerFor);
    relay = await startFakeUpstream(echoingOpenAIUpstream);
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', bedrock.endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDLOCALBEDROCK');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local-bedrock-secret');
    gateway = await startTestGateway(`
settings:
  router: { num_retries: 0 }
models:
  - name: claude
    provider: bedrock
    model: ${claude}
    region: us-east-1
    price: { input_per_mtok: ${price.input}, output_per_mtok: ${price.output}, cache_read_per_mtok: ${price.cacheRead}, cache_write_per_mtok: ${price.cacheWrite} }
  - name: claude-flaky
    provider: bedrock
    model: ${flakyClaude}
    region: us-east-1
    fallbacks: [relay]
  - name: relay
    provider: openai-compatible
    base_url: ${relay.baseUrl}
    model: relay-model
    price: { input_per_mtok: 1, output_per_mtok: 2 }
`);
  });

  afterAll(async () => {
    await gateway?.close();
    await relay?.close();
    await stopLocalBedrocks();
    vi.unstubAllEnvs();
  });

  const client = (apiKey: string, headers: Record<string, string> = {}) => new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0, timeout: 20_000, defaultHeaders: headers });
  const lastReceived = () => bedrock.received[bedrock.received.length - 1];

  it('sends Bedrock the body as written, with anthropic_version and the allowed betas, and prices cache reads and writes', async () => {
    const key = await generateKey(gateway, { max_budget: 1 });
    const system = [{ type: 'text' as const, text: 'You review code.', cache_control: { type: 'ephemeral' as const } }];
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Read the cached prompt.', cache_control: { type: 'ephemeral' as const, ttl: '5m' as const } }] }];

    const { data: message, response } = await client(key, { 'anthropic-beta': 'interleaved-thinking-2025-05-14,claude-code-20250219' })
      .messages.create({ model: 'claude', max_tokens: 512, system, messages, stop_sequences: ['END'] })
      .withResponse();
    const sent = lastReceived();

    expect(sent.path).toBe(`/model/${encodeURIComponent(claude)}/invoke`);
    expect(sent.body).toEqual({ max_tokens: 512, system, messages, stop_sequences: ['END'], anthropic_version: 'bedrock-2023-05-31', anthropic_beta: ['interleaved-thinking-2025-05-14'] });
    expect(response.headers.get('x-tollway-dropped-betas')).toBe('claude-code-20250219');
    const recorded = loadInvokeFixture('cache-usage');
    expect(message).toEqual({ ...recorded, model: 'claude' });
    expect(Number(response.headers.get('x-tollway-cost-usd'))).toBeCloseTo(costOf(message.usage), 9);

    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}`)).body as { data: Array<Record<string, unknown>> };
    expect(logs.data[0]).toMatchObject({ model: 'claude', provider: 'bedrock', input_tokens: 12, completion_tokens: message.usage.output_tokens, cache_read_tokens: 2048, cache_write_tokens: 512, spend: costOf(message.usage) });
  });

  it.each([
    ['thinking', 'think it through'],
    ['tool-use', 'what is the weather?'],
    ['text', 'hello'],
  ])('streams the %s events through in Bedrock’s order, which the SDK assembles', async (fixture, question) => {
    const key = await generateKey(gateway);
    const seen: Array<Record<string, unknown>> = [];

    const stream = client(key).messages.stream({ model: 'claude', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: question }] });
    // The SDK assembles its message in the message_start event's object, so each event is copied as it arrives.
    stream.on('streamEvent', (event) => seen.push(JSON.parse(JSON.stringify(event)) as Record<string, unknown>));
    const message = await stream.finalMessage();

    expect(lastReceived().path).toBe(`/model/${encodeURIComponent(claude)}/invoke-with-response-stream`);
    expect(lastReceived().body).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, anthropic_version: 'bedrock-2023-05-31' });
    // Bedrock's events, in order, as the client's own: the model named as the client named it, Bedrock's metrics left out.
    const expected = loadInvokeEvents(fixture).map(({ 'amazon-bedrock-invocationMetrics': _metrics, ...event }) =>
      event.type === 'message_start' ? { ...event, message: { ...(event.message as object), model: 'claude' } } : event,
    );
    expect(seen).toEqual(expected);
    const assembled = loadInvokeFixture(fixture).content as Array<Record<string, unknown>>;
    expect(message.content.map((block) => block.type)).toEqual(assembled.map((block) => block.type));
    if (fixture === 'thinking') expect(message.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^Ev/) });
    if (fixture === 'tool-use') expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'json', input: { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] } });
  });

  it('counts tokens with Bedrock’s CountTokens', async () => {
    const key = await generateKey(gateway);
    const counted = await client(key).messages.countTokens({ model: 'claude', system: 'be brief', messages: [{ role: 'user', content: 'count me' }] });
    expect(counted.input_tokens).toBe(4321);
    expect(lastReceived().path).toBe(`/model/${encodeURIComponent(claude)}/count-tokens`);
    expect(countedBodyOf(lastReceived())).toMatchObject({ system: 'be brief', messages: [{ role: 'user', content: 'count me' }], anthropic_version: 'bedrock-2023-05-31' });
  });

  it('answers the gateway’s upper bound when Bedrock cannot count for the model, rather than failing Claude Code', async () => {
    const key = await generateKey(gateway);
    const { data: counted, response } = await client(key).messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'uncountable words' }] }).withResponse();

    expect(counted.input_tokens).toBeGreaterThanOrEqual('uncountable words'.length);
    expect(response.headers.get('x-tollway-token-count')).toBe('estimate');
  });

  it('answers Bedrock’s throttling as a 429 rate_limit_error and releases the hold', async () => {
    const key = await generateKey(gateway, { max_budget: 1 });
    const failure = await client(key).messages.create({ model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'slow down' }] }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
    expect((failure as InstanceType<typeof Anthropic.RateLimitError>).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    await gateway.settled();
    expect((await admin(gateway, 'GET', `/spend/reconcile?key=${hashKey(key)}`)).body).toMatchObject({ usage_records: 1, difference: 0, live_holds: [] });
  });

  it('falls back from an unavailable Claude to a translated model, body and all', async () => {
    const key = await generateKey(gateway);
    const { data: message, response } = await client(key).messages.create({ model: 'claude-flaky', max_tokens: 100, messages: [{ role: 'user', content: 'fall back please' }] }).withResponse();

    expect(modelIdOf(lastReceived())).toBe(flakyClaude);
    expect(message).toMatchObject({ model: 'claude-flaky', content: [{ type: 'text', text: 'fall back please' }] });
    expect(response.headers.get('x-tollway-model')).toBe('relay');
  });

  it.each([
    ['Bedrock, natively', 'claude'],
    ['the translation path', 'relay'],
  ])('serves a Claude Code request (system blocks, 20 tools, thinking, several betas) on %s', async (_path, model) => {
    const key = await generateKey(gateway, { max_budget: 5 });
    const claudeCode = client(key, { 'anthropic-beta': claudeCodeBetas.join(','), 'X-Claude-Code-Session-Id': `cc-${model}` });
    const before = bedrock.received.length;

    const message = await claudeCode.messages.stream(claudeCodeRequest(model)).finalMessage();

    expect(message.stop_reason).toBe('end_turn');
    expect(message.content.some((block) => block.type === 'text')).toBe(true);
    if (model === 'claude') {
      const sent = bedrock.received[before];
      const { model: _model, ...body } = claudeCodeRequest(model);
      expect(sent.body).toEqual({ ...body, anthropic_version: 'bedrock-2023-05-31', anthropic_beta: claudeCodeBetasOnBedrock });
    } else {
      const sent = relay.received[relay.received.length - 1].body;
      expect(bedrock.received.length).toBe(before);
      expect(sent.tools).toHaveLength(20);
      expect(sent.messages[0]).toMatchObject({ role: 'system' });
    }
    await gateway.settled();
    const logs = (await admin(gateway, 'GET', `/spend/logs?key=${hashKey(key)}&session_id=cc-${model}`)).body as { data: Array<Record<string, unknown>> };
    expect(logs.data).toEqual([expect.objectContaining({ model, session_id: `cc-${model}`, status: 200 })]);
  });
});
