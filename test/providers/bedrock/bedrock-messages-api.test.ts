import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import type { MessagesStreamEvent } from '../../../functions/core/language-model.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import { isBedrockClaude } from '../../../functions/providers/bedrock/bedrock-messages-api.js';
import { bedrockClientAt, chunkEvents, countedBodyOf, modelIdOf, stopLocalBedrocks, type Answerer } from '../../support/local-bedrock.js';
import { claude, loadInvokeEvents, loadInvokeFixture, modelAnswering } from './bedrock-test-helpers.js';

const messagesApiAnswering = async (answer: Answerer, modelId = claude, settings = {}) => {
  const { model, received } = await modelAnswering(answer, modelId, settings);
  if (!model.messagesApi) throw new Error(`${modelId} has no Messages API`);
  return { api: model.messagesApi, received };
};

const body = {
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral', ttl: '5m' } }] }],
  thinking: { type: 'enabled', budget_tokens: 2048 },
  metadata: { user_id: 'dev-7' },
};

const collect = async (events: AsyncIterable<MessagesStreamEvent>) => {
  const seen: MessagesStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

describe('Claude on Bedrock through InvokeModel (the Anthropic-native path)', () => {
  afterEach(stopLocalBedrocks);

  it('is offered for Claude model ids, inference profiles and their ARNs only', () => {
    const at = (modelId: string) => new BedrockLanguageModel({ modelId, client: bedrockClientAt('http://127.0.0.1:9') }).messagesApi !== undefined;
    expect(at('anthropic.claude-3-5-haiku-20241022-v1:0')).toBe(true);
    expect(at(claude)).toBe(true);
    expect(at('arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-opus-4-5-20251101-v1:0')).toBe(true);
    expect(at('amazon.nova-pro-v1:0')).toBe(false);
    expect(at('meta.llama3-70b-instruct-v1:0')).toBe(false);
    expect(isBedrockClaude('us.amazon.nova-anthropic.claudeish')).toBe(false);
  });

  it('sends the body as the client wrote it, with anthropic_version and the betas, and returns Bedrock’s message', async () => {
    const { api, received } = await messagesApiAnswering(() => ({ json: loadInvokeFixture('cache-usage') }));

    const message = await api.create(body, { betas: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'] });

    expect(received).toHaveLength(1);
    expect(received[0].path).toBe(`/model/${encodeURIComponent(claude)}/invoke`);
    expect(received[0].body).toEqual({ ...body, anthropic_version: 'bedrock-2023-05-31', anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'] });
    expect(message).toEqual(loadInvokeFixture('cache-usage'));
  });

  it('leaves anthropic_beta out when no beta is sent', async () => {
    const { api, received } = await messagesApiAnswering(() => ({ json: loadInvokeFixture('text') }));
    await api.create({ max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { betas: [] });
    expect(received[0].body).not.toHaveProperty('anthropic_beta');
    expect(received[0].body).toHaveProperty('anthropic_version', 'bedrock-2023-05-31');
  });

  it.each(['text', 'tool-use', 'thinking', 'cache-usage'])('streams the %s chunks as the Anthropic events they carry, in order', async (fixture) => {
    const { api, received } = await messagesApiAnswering(() => ({ events: chunkEvents(loadInvokeEvents(fixture)) }));

    const events = await collect(await api.stream(body, { betas: [] }));

    expect(modelIdOf(received[0])).toBe(claude);
    expect(received[0].path).toMatch(/\/invoke-with-response-stream$/);
    expect(received[0].body).not.toHaveProperty('stream');
    expect(events).toEqual(loadInvokeEvents(fixture));
  });

  it('fails the stream as Bedrock named the exception that ended it', async () => {
    const events = loadInvokeEvents('text').slice(0, 3);
    const { api } = await messagesApiAnswering(() => ({ events: chunkEvents(events), then: { exception: 'throttlingException', message: 'Too many tokens' } }));

    const seen: MessagesStreamEvent[] = [];
    const failure = await (async () => {
      for await (const event of await api.stream(body, { betas: [] })) seen.push(event);
    })().catch((error: unknown) => error);

    expect(seen).toEqual(events);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryable: true });
  });

  it('maps a refused request (ValidationException) to a 400 the client can read', async () => {
    const { api } = await messagesApiAnswering(() => ({ status: 400, errorType: 'ValidationException', message: 'invalid beta flag' }));
    await expect(api.create(body, { betas: [] })).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', message: 'invalid beta flag' });
  });

  it('rejects a body that is not a JSON object as an invalid upstream response', async () => {
    const { api } = await messagesApiAnswering(() => ({ status: 200, contentType: 'application/json', text: '[1, 2]' }));
    await expect(api.create(body, { betas: [] })).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response' });
  });

  it('counts tokens with CountTokens over the InvokeModel body', async () => {
    const { api, received } = await messagesApiAnswering(() => ({ json: { inputTokens: 1234 } }));

    const counted = await api.countTokens({ messages: body.messages, system: body.system }, { betas: ['context-1m-2025-08-07'] });

    expect(counted).toBe(1234);
    expect(received[0].path).toBe(`/model/${encodeURIComponent(claude)}/count-tokens`);
    expect(countedBodyOf(received[0])).toEqual({
      max_tokens: 1,
      messages: body.messages,
      system: body.system,
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['context-1m-2025-08-07'],
    });
  });

  it('counts for the foundation model when Bedrock refuses CountTokens for the inference profile', async () => {
    const { api, received } = await messagesApiAnswering((request) =>
      modelIdOf(request) === claude ? { status: 400, errorType: 'ValidationException', message: "The provided model doesn't support counting tokens." } : { json: { inputTokens: 77 } },
    );

    expect(await api.countTokens({ messages: body.messages }, { betas: [] })).toBe(77);
    expect(received.map(modelIdOf)).toEqual([claude, 'anthropic.claude-sonnet-4-5-20250929-v1:0']);
  });

  it('does not try another id when the count failed for another reason', async () => {
    const { api, received } = await messagesApiAnswering(() => ({ status: 429, errorType: 'ThrottlingException', message: 'slow down' }));
    await expect(api.countTokens({ messages: body.messages }, { betas: [] })).rejects.toMatchObject({ status: 429 });
    expect(received).toHaveLength(1);
  });

  it('applies the entry’s guardrail, service tier and latency setting as InvokeModel headers', async () => {
    const settings = { guardrail: { id: 'wkx4h2uq6z8p', version: '3', trace: 'enabled' as const }, service_tier: 'priority' as const, performance_config: { latency: 'optimized' as const } };
    const { api, received } = await messagesApiAnswering(() => ({ json: loadInvokeFixture('text') }), claude, settings);

    await api.create(body, { betas: [] });

    expect(received[0].headers).toMatchObject({
      'x-amzn-bedrock-guardrailidentifier': 'wkx4h2uq6z8p',
      'x-amzn-bedrock-guardrailversion': '3',
      'x-amzn-bedrock-trace': 'ENABLED',
      'x-amzn-bedrock-service-tier': 'priority',
      'x-amzn-bedrock-performanceconfig-latency': 'optimized',
    });
  });
});
