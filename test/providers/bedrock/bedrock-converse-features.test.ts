import { afterEach, describe, expect, it } from 'vitest';
import type { ModelRequest, ToolDefinition } from '../../../functions/core/language-model.js';
import type { BedrockModelSettings } from '../../../functions/providers/bedrock/prepare-bedrock-request.js';
import { stopLocalBedrocks } from '../../support/local-bedrock.js';
import { claude, collect, loadResponseFixture, loadStreamFixture, modelAnswering, userText } from './bedrock-test-helpers.js';

const nova = 'us.amazon.nova-pro-v1:0';
const llama = 'us.meta.llama3-3-70b-instruct-v1:0';
const cachePoint = { cachePoint: { type: 'default' } };

/** The Converse body (as JSON travelled) that reached Bedrock for `request`. */
const sentBody = async (request: ModelRequest, options: { modelId?: string; settings?: BedrockModelSettings } = {}) => {
  const { model, received } = await modelAnswering(() => ({ json: loadResponseFixture('text') }), options.modelId ?? claude, options.settings);
  await model.generate(request);
  return received[0].body as Record<string, any>;
};

const weather: ToolDefinition = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const time: ToolDefinition = { name: 'get_time', parameters: { type: 'object', properties: {} } };

describe('Bedrock prompt caching', () => {
  afterEach(stopLocalBedrocks);

  it('puts a cachePoint after each part, system message and tool that carries a cache hint', async () => {
    // Prepare
    const request: ModelRequest = {
      messages: [
        { role: 'system', content: 'A long system prompt.', cachePoint: true },
        { role: 'user', content: [{ type: 'text', text: 'A long document.', cachePoint: true }, { type: 'text', text: 'The question.' }] },
      ],
      tools: [{ ...weather, cachePoint: true }, time],
    };

    // Act
    const body = await sentBody(request);

    // Assess
    expect(body.system).toEqual([{ text: 'A long system prompt.' }, cachePoint]);
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'A long document.' }, cachePoint, { text: 'The question.' }] }]);
    expect(body.toolConfig.tools.map((tool: Record<string, unknown>) => Object.keys(tool)[0])).toEqual(['toolSpec', 'cachePoint', 'toolSpec']);
  });

  it('with prompt_caching auto, caches the system prompt and the tool definitions of every request', async () => {
    const body = await sentBody(
      { messages: [{ role: 'system', content: 'You are terse.' }, userText('Hi')], tools: [weather, time] },
      { settings: { prompt_caching: 'auto' } },
    );

    expect(body.system).toEqual([{ text: 'You are terse.' }, cachePoint]);
    expect(body.toolConfig.tools.at(-1)).toEqual(cachePoint);
    expect(body.toolConfig.tools.filter((tool: Record<string, unknown>) => 'cachePoint' in tool)).toHaveLength(1);
    expect(body.messages).toEqual([{ role: 'user', content: [{ text: 'Hi' }] }]);
  });

  it('adds no second cache point where the client already put one, and none without system or tools', async () => {
    const hinted = await sentBody({ messages: [{ role: 'system', content: 'S', cachePoint: true }, userText('Hi')] }, { settings: { prompt_caching: 'auto' } });
    const bare = await sentBody({ messages: [userText('Hi')] }, { settings: { prompt_caching: 'auto' } });

    expect(hinted.system).toEqual([{ text: 'S' }, cachePoint]);
    expect(bare.system).toBeUndefined();
    expect(JSON.stringify(bare)).not.toContain('cachePoint');
  });

  it('keeps at most the four cache points Bedrock allows, the latest ones', async () => {
    const parts = ['one', 'two', 'three', 'four', 'five'].map((text) => ({ type: 'text' as const, text, cachePoint: true }));

    const body = await sentBody({ messages: [{ role: 'user', content: parts }] });

    expect(body.messages[0].content).toEqual([{ text: 'one' }, { text: 'two' }, cachePoint, { text: 'three' }, cachePoint, { text: 'four' }, cachePoint, { text: 'five' }, cachePoint]);
  });

  it('caches on Nova too, and drops cache hints for models without prompt caching', async () => {
    const request: ModelRequest = { messages: [{ role: 'system', content: 'S', cachePoint: true }, userText('Hi')] };

    expect((await sentBody(request, { modelId: nova })).system).toEqual([{ text: 'S' }, cachePoint]);
    expect((await sentBody(request, { modelId: llama, settings: { prompt_caching: 'auto' } })).system).toEqual([{ text: 'S' }]);
  });

  it('reports cache reads and writes apart from input tokens, as Bedrock counts them', async () => {
    const recorded = loadResponseFixture('text') as Record<string, any>;
    const cachedAnswer = { ...recorded, usage: { inputTokens: 12, outputTokens: 57, cacheReadInputTokens: 2048, cacheWriteInputTokens: 512, totalTokens: 2629 } };
    const { model } = await modelAnswering(() => ({ json: cachedAnswer }));

    const result = await model.generate({ messages: [userText('Hi')] });

    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 57, cacheReadTokens: 2048, cacheWriteTokens: 512 });
  });
});

describe('Bedrock guardrails, service tier and performance', () => {
  afterEach(stopLocalBedrocks);

  it('sends the model entry’s guardrail as guardrailConfig', async () => {
    const body = await sentBody({ messages: [userText('Hi')] }, { settings: { guardrail: { id: 'wkx4h2uq6z8p', version: '3', trace: 'enabled' } } });

    expect(body.guardrailConfig).toEqual({ guardrailIdentifier: 'wkx4h2uq6z8p', guardrailVersion: '3', trace: 'enabled' });
  });

  it('sends service_tier and performance_config as serviceTier and performanceConfig, and neither when unset', async () => {
    const tuned = await sentBody({ messages: [userText('Hi')] }, { settings: { service_tier: 'flex', performance_config: { latency: 'optimized' } } });
    const plain = await sentBody({ messages: [userText('Hi')] });

    expect(tuned).toMatchObject({ serviceTier: { type: 'flex' }, performanceConfig: { latency: 'optimized' } });
    expect(plain.serviceTier).toBeUndefined();
    expect(plain.performanceConfig).toBeUndefined();
    expect(plain.guardrailConfig).toBeUndefined();
  });

  it('answers a recorded guardrail intervention with content_filter and the guardrail’s message', async () => {
    const { model } = await modelAnswering(() => ({ json: loadResponseFixture('guardrail-intervened') }));

    const result = await model.generate({ messages: [userText('Which stocks should I buy?')] });

    expect(result.finishReason).toBe('content_filter');
    expect(result.content).toEqual([{ type: 'text', text: 'Sorry, the model cannot answer this question.' }]);
  });

  it('ends a streamed guardrail intervention with content_filter', async () => {
    const { model } = await modelAnswering(() => ({ events: loadStreamFixture('guardrail-intervened') }));

    const parts = await collect(await model.stream({ messages: [userText('Which stocks should I buy?')] }));

    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content_filter' });
    expect(parts.filter((part) => part.type === 'text-delta').map((part) => (part as { text: string }).text).join('')).toBe('Sorry, the model cannot answer this question.');
  });
});

describe('Bedrock documents and tool results', () => {
  afterEach(stopLocalBedrocks);

  const pdf = new Uint8Array(Buffer.from('%PDF-1.7 a small document'));

  it('sends a file part as a document block: format, a name Bedrock accepts, the bytes as base64', async () => {
    const body = await sentBody({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', mediaType: 'application/pdf', data: pdf, filename: 'Q3 report (final)_v2.pdf' },
            { type: 'file', mediaType: 'text/csv', data: new Uint8Array(Buffer.from('a,b\n1,2\n')) },
            { type: 'text', text: 'Summarise both.' },
          ],
        },
      ],
    });

    expect(body.messages[0].content).toEqual([
      { document: { format: 'pdf', name: 'Q3 report (final) v2 1', source: { bytes: Buffer.from(pdf).toString('base64') } } },
      { document: { format: 'csv', name: 'document 2', source: { bytes: Buffer.from('a,b\n1,2\n').toString('base64') } } },
      { text: 'Summarise both.' },
    ]);
  });

  it('refuses a file type Bedrock cannot read, naming the part', async () => {
    const { model, received } = await modelAnswering(() => ({ json: loadResponseFixture('text') }));

    const rejection = model.generate({ messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'application/zip', data: pdf }] }] });

    await expect(rejection).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0]', code: 'unsupported_file' });
    expect(received).toHaveLength(0);
  });

  const toolTurn = (content: string, isError?: boolean): ModelRequest => ({
    messages: [
      userText('Weather in Paris?'),
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call-1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', toolCallId: 'call-1', content, ...(isError ? { isError } : {}) },
    ],
    tools: [weather],
  });

  it('sends a tool result that is a JSON object as json content, and other results as text', async () => {
    const json = await sentBody(toolTurn('{"temperature": 21, "sky": "clear"}'));
    const text = await sentBody(toolTurn('Sunny, 21 degrees'));

    expect(json.messages[2].content[0].toolResult).toEqual({ toolUseId: 'call-1', content: [{ json: { temperature: 21, sky: 'clear' } }] });
    expect(text.messages[2].content[0].toolResult).toEqual({ toolUseId: 'call-1', content: [{ text: 'Sunny, 21 degrees' }] });
  });

  it('marks a failed tool result with status error for Claude, and leaves the field out for models that refuse it', async () => {
    const forClaude = await sentBody(toolTurn('The tool could not be called: timeout', true));
    const forNova = await sentBody(toolTurn('The tool could not be called: timeout', true), { modelId: nova });

    expect(forClaude.messages[2].content[0].toolResult.status).toBe('error');
    expect(forNova.messages[2].content[0].toolResult).not.toHaveProperty('status');
  });
});
