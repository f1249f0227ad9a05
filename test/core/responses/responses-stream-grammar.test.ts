import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../functions/core/errors.js';
import { emptyUsage, type StreamPart } from '../../../functions/core/language-model.js';
import type { ResponseItem } from '../../../functions/core/responses/response-store.js';
import type { ResponsesEvent } from '../../../functions/core/responses/responses-events.js';
import { resultItems } from '../../../functions/core/responses/responses-output.js';
import { AnthropicLanguageModel } from '../../../functions/providers/anthropic/index.js';
import { OpenAICompatibleLanguageModel } from '../../../functions/providers/openai-compatible/index.js';
import { readChunksFixture, sendAnthropicEvents, simpleRequest } from '../../providers/anthropic/anthropic-test-helpers.js';
import { loadResponseFixture, loadStreamFixture, modelAnswering, userText } from '../../providers/bedrock/bedrock-test-helpers.js';
import { readFixtureChunks, sendEvents, startTestUpstream, type TestUpstream } from '../../providers/openai-compatible/test-upstream.js';
import { stopLocalBedrocks, type StreamEvent } from '../../support/local-bedrock.js';
import { assertResponsesGrammar, collectWriterEvents, grammarIdentity, grammarWriter, outlineOf, type OutlineItem } from '../../support/responses-grammar.js';

type CallOutline = Extract<OutlineItem, { type: 'function_call' }>;

/** The items a recording should become, built event by event: text and reasoning continue the item of their kind that is last. */
class ExpectedOutline {
  readonly items: OutlineItem[] = [];

  say(type: 'message' | 'reasoning', text: string | undefined): void {
    if (!text) return;
    const last = this.items.at(-1);
    if (last?.type === type) last.text += text;
    else this.items.push({ type, text });
  }

  sign(signature: string | undefined): void {
    if (!signature) return;
    const last = this.items.at(-1);
    if (last?.type === 'reasoning') last.signature = signature;
    else this.items.push({ type: 'reasoning', text: '', signature });
  }

  call(callId: string, name: string): CallOutline {
    const call: CallOutline = { type: 'function_call', call_id: callId, name, arguments: '' };
    this.items.push(call);
    return call;
  }
}

interface ConverseRecordedEvent {
  contentBlockStart?: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta?: { contentBlockIndex: number; delta: { text?: string; reasoningContent?: { text?: string; signature?: string }; toolUse?: { input: string } } };
}

const converseOutline = (events: StreamEvent[]): OutlineItem[] => {
  const outline = new ExpectedOutline();
  const calls = new Map<number, CallOutline>();
  for (const { contentBlockStart, contentBlockDelta } of events as ConverseRecordedEvent[]) {
    const toolUse = contentBlockStart?.start?.toolUse;
    if (contentBlockStart && toolUse) calls.set(contentBlockStart.contentBlockIndex, outline.call(toolUse.toolUseId, toolUse.name));
    if (!contentBlockDelta) continue;
    const { delta, contentBlockIndex } = contentBlockDelta;
    outline.say('message', delta.text);
    outline.say('reasoning', delta.reasoningContent?.text);
    outline.sign(delta.reasoningContent?.signature);
    const call = calls.get(contentBlockIndex);
    if (call && delta.toolUse) call.arguments += delta.toolUse.input;
  }
  // Bedrock streams "" for a tool without arguments, which clients get as "{}" (the tool-no-args test holds this against Converse).
  for (const call of calls.values()) call.arguments ||= '{}';
  return outline.items;
};

interface AnthropicRecordedEvent {
  type: string;
  index?: number;
  content_block?: { type: string; text?: string; thinking?: string; signature?: string; id?: string; name?: string; input?: unknown };
  delta?: { type: string; text?: string; thinking?: string; signature?: string; partial_json?: string };
}

const anthropicOutline = (lines: string[]): OutlineItem[] => {
  const outline = new ExpectedOutline();
  const calls = new Map<number, { call: CallOutline; startInput: unknown }>();
  for (const { type, index = -1, content_block: block, delta } of lines.map((line) => JSON.parse(line) as AnthropicRecordedEvent)) {
    if (type === 'content_block_start' && block) {
      if (block.type === 'tool_use') calls.set(index, { call: outline.call(block.id ?? '', block.name ?? ''), startInput: block.input });
      outline.say('message', block.text);
      outline.say('reasoning', block.thinking);
      outline.sign(block.signature);
    }
    if (type !== 'content_block_delta' || !delta) continue;
    outline.say('message', delta.text);
    outline.say('reasoning', delta.thinking);
    outline.sign(delta.signature);
    const tool = calls.get(index);
    if (tool && delta.partial_json) tool.call.arguments += delta.partial_json;
  }
  // A tool whose input is not streamed has the input its start block carries.
  for (const { call, startInput } of calls.values()) call.arguments ||= JSON.stringify(startInput);
  return outline.items;
};

interface ChatRecordedChunk {
  choices?: { delta?: { content?: string | null; reasoning_content?: string | null; tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] } }[];
}

const chatOutline = (lines: string[]): OutlineItem[] => {
  const outline = new ExpectedOutline();
  const calls = new Map<number, CallOutline>();
  for (const chunk of lines.map((line) => JSON.parse(line) as ChatRecordedChunk)) {
    const delta = chunk.choices?.[0]?.delta;
    outline.say('reasoning', delta?.reasoning_content ?? undefined);
    outline.say('message', delta?.content ?? undefined);
    for (const toolCall of delta?.tool_calls ?? []) {
      if (toolCall.id) calls.set(toolCall.index, outline.call(toolCall.id, toolCall.function?.name ?? ''));
      const call = calls.get(toolCall.index);
      if (call) call.arguments += toolCall.function?.arguments ?? '';
    }
  }
  return outline.items;
};

const terminalOf = (events: ResponsesEvent[]) => {
  const terminal = events.at(-1) as ResponsesEvent;
  return { type: terminal.type, response: terminal.response as Record<string, unknown> & { output: ResponseItem[] } };
};

const messageText = (outline: OutlineItem[]): string => outline.map((item) => (item.type === 'message' ? item.text : '')).join('');

/** The grammar holds, the stream completed, and its output is what the recording said. */
const expectCompletedAs = (events: ResponsesEvent[], expected: OutlineItem[]) => {
  expect(() => assertResponsesGrammar(events)).not.toThrow();
  const { type, response } = terminalOf(events);
  expect(type).toBe('response.completed');
  expect(outlineOf(response.output)).toEqual(expected);
  expect(response.output_text).toBe(messageText(expected));
};

describe('Responses stream grammar over Bedrock ConverseStream recordings', () => {
  afterEach(stopLocalBedrocks);

  it.each(['text', 'tool-call.1', 'reasoning', 'tool-no-args', 'json-with-tools.1'])('streams the %s recording as well-formed events whose output is the recorded content', async (fixture) => {
    // Prepare
    const recorded = loadStreamFixture(fixture);
    const { model } = await modelAnswering(() => ({ events: recorded }));

    // Act
    const events = await collectWriterEvents(await model.stream({ messages: [userText('Hi')] }));

    // Assess
    expectCompletedAs(events, converseOutline(recorded));
  });

  it('streams tool-no-args as the same output items as the Converse answer recorded for it', async () => {
    const { model } = await modelAnswering((request) =>
      request.path.endsWith('/converse-stream') ? { events: loadStreamFixture('tool-no-args') } : { json: loadResponseFixture('tool-no-args') },
    );

    const events = await collectWriterEvents(await model.stream({ messages: [userText('Hi')] }));
    const generated = await model.generate({ messages: [userText('Hi')] });

    expect(() => assertResponsesGrammar(events)).not.toThrow();
    expect(terminalOf(events).response.output).toEqual(resultItems(grammarIdentity, generated, 0));
  });

  it('ends a stream Bedrock throttles mid-way with error, then response.failed holding the items produced so far, closed', async () => {
    // Prepare
    const before = loadStreamFixture('json-with-tools.1').slice(0, 3);
    const { model } = await modelAnswering(() => ({ events: before, then: { exception: 'throttlingException', message: 'Too many tokens' } }));
    const writer = grammarWriter();
    const events = writer.start();
    let caught: unknown;

    // Act
    try {
      for await (const part of await model.stream({ messages: [userText('Hi')] })) events.push(...writer.translate(part));
    } catch (error) {
      caught = error;
      const upstream = error as UpstreamError;
      events.push(...writer.fail({ code: upstream.code ?? upstream.type, message: upstream.message }, emptyUsage()));
    }

    // Assess
    expect(caught).toBeInstanceOf(UpstreamError);
    expect(caught).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(() => assertResponsesGrammar(events)).not.toThrow();
    expect(events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({ code: 'rate_limit_exceeded', message: (caught as Error).message });
    const { response } = terminalOf(events);
    expect(response).toMatchObject({ status: 'failed', error: { code: 'rate_limit_exceeded', message: (caught as Error).message } });
    expect(outlineOf(response.output)).toEqual(converseOutline(before));
    // The message was done before the throttle; the call it cut is incomplete.
    expect(response.output.map((item) => item.status)).toEqual(['completed', 'incomplete']);
  });
});

describe('Responses stream grammar over Anthropic Messages recordings', () => {
  let upstream: TestUpstream;
  let model: AnthropicLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new AnthropicLanguageModel({ modelId: 'claude-sonnet-4-5', baseUrl: upstream.baseUrl, apiKey: async () => 'sk-ant-test' });
  });
  afterAll(() => upstream.close());

  it.each(['text', 'json-tool.1', 'clear-thinking.1', 'tool-no-args'])('streams the %s recording as well-formed events whose output is the recorded content', async (fixture) => {
    const recorded = readChunksFixture(fixture);
    upstream.handle((_request, response) => sendAnthropicEvents(response, recorded));

    const events = await collectWriterEvents(await model.stream(simpleRequest));

    expectCompletedAs(events, anthropicOutline(recorded));
  });

  // A thinking block that streams only its signature (omitted or empty thinking) is a reasoning item without a
  // summary: no summary part is announced for it, so the stream and the done item agree.
  it('streams a thinking block with only a signature (clear-thinking.1 without its thinking deltas) with a summary the item has', async () => {
    const recorded = readChunksFixture('clear-thinking.1').filter((line) => !line.includes('"thinking_delta"'));
    upstream.handle((_request, response) => sendAnthropicEvents(response, recorded));

    const events = await collectWriterEvents(await model.stream(simpleRequest));

    expectCompletedAs(events, anthropicOutline(recorded));
  });
});

describe('Responses stream grammar over OpenAI Chat Completions recordings', () => {
  let upstream: TestUpstream;
  let model: OpenAICompatibleLanguageModel;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    model = new OpenAICompatibleLanguageModel({ provider: 'openai-compatible', modelId: 'gpt-4.1-nano', baseUrl: upstream.baseUrl });
  });
  afterAll(() => upstream.close());

  it.each(['text', 'tool-calls', 'reasoning'])('streams the %s recording as well-formed events whose output is the recorded content', async (fixture) => {
    const recorded = readFixtureChunks(`${fixture}.chunks.txt`);
    upstream.handle((_request, response) => sendEvents(response, recorded));

    const events = await collectWriterEvents(await model.stream(simpleRequest));

    expectCompletedAs(events, chatOutline(recorded));
  });

  // Chat Completions addresses tool-call deltas by index, so a call's arguments may come after the next call
  // started. The writer holds the later call until the first is done (items never interleave) and keeps every delta.
  it('keeps the arguments of a tool call that arrive after the next call started (tool-calls with the second start moved up)', async () => {
    const lines = readFixtureChunks('tool-calls.chunks.txt');
    const secondStart = lines.findIndex((line) => line.includes('"id":"call_timeTokyo02"'));
    const recorded = [lines[0], lines[secondStart], ...lines.slice(1, secondStart), ...lines.slice(secondStart + 1)];
    upstream.handle((_request, response) => sendEvents(response, recorded));

    const events = await collectWriterEvents(await model.stream(simpleRequest));

    expectCompletedAs(events, chatOutline(recorded));
  });
});

describe('Responses stream grammar at the output cap', () => {
  it('ends a stream that finished for length with response.incomplete and max_output_tokens', async () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', text: 'Once upon' },
      { type: 'text-delta', text: ' a time' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 5, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 } },
    ];

    const events = await collectWriterEvents(parts);

    expect(() => assertResponsesGrammar(events)).not.toThrow();
    const { type, response } = terminalOf(events);
    expect(type).toBe('response.incomplete');
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output_text: 'Once upon a time' });
    // The message the cap cut is itself incomplete, as OpenAI marks it.
    expect(response.output).toEqual([expect.objectContaining({ type: 'message', status: 'incomplete' })]);
  });
});

describe('assertResponsesGrammar', () => {
  const wellFormed = (): Promise<ResponsesEvent[]> =>
    collectWriterEvents([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' world' },
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'lookup' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":1}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', finishReason: 'tool_calls', usage: emptyUsage() },
    ]);
  const renumbered = (events: ResponsesEvent[]): ResponsesEvent[] => events.map((event, position) => ({ ...event, sequence_number: position }));

  it('accepts a well-formed stream', async () => {
    const events = await wellFormed();

    expect(() => assertResponsesGrammar(events)).not.toThrow();
  });

  it.each([
    ['the first item', 0],
    ['the last item', 1],
  ])('rejects a stream missing the output_item.done of %s', async (_name, outputIndex) => {
    const events = await wellFormed();
    const withoutDone = renumbered(events.filter((event) => !(event.type === 'response.output_item.done' && event.output_index === outputIndex)));

    expect(() => assertResponsesGrammar(withoutDone)).toThrow(/has no response\.output_item\.done/);
  });

  it('rejects a stream that skips a sequence number', async () => {
    const events = await wellFormed();
    const skipped = events.map((event, position) => (position >= 3 ? { ...event, sequence_number: event.sequence_number + 1 } : event));

    expect(() => assertResponsesGrammar(skipped)).toThrow(/event #3 .*sequence_number should be 3/);
  });

  it('rejects a stream whose text deltas do not join to the done text', async () => {
    const events = await wellFormed();
    const altered = events.map((event) => (event.type === 'response.output_text.delta' && event.delta === ' world' ? { ...event, delta: ' word' } : event));

    expect(() => assertResponsesGrammar(altered)).toThrow(/response\.output_text\.done.*is not the joined deltas "Hello word"/);
  });

  it('rejects a stream whose argument deltas do not join to the done arguments', async () => {
    const events = await wellFormed();
    const altered = events.map((event) => (event.type === 'response.function_call_arguments.delta' ? { ...event, delta: '{"q":2}' } : event));

    expect(() => assertResponsesGrammar(altered)).toThrow(/function_call_arguments\.done.*are not the joined deltas/);
  });

  it('rejects events after the terminal event', async () => {
    const events = await wellFormed();
    const trailing = [...events, { type: 'response.output_text.delta', sequence_number: events.length, delta: 'late' }];

    expect(() => assertResponsesGrammar(trailing)).toThrow(/is followed by 1 more events/);
  });
});
