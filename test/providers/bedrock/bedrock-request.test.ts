import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../functions/core/errors.js';
import type { ModelRequest } from '../../../functions/core/language-model.js';
import { claude, loadResponseFixture, modelAnswering, userText } from './bedrock-test-helpers.js';
import { stopLocalBedrocks } from '../../support/local-bedrock.js';

/** The Converse body as it travelled (JSON: blobs as base64 text); the model id travels in the path. */
type ConverseRequest = Record<string, any>;

/** Sends `request` through `generate` and returns the Converse request that reached Bedrock. */
const sentRequest = async (request: ModelRequest, modelId = claude) => {
  const { model, received } = await modelAnswering(() => ({ json: loadResponseFixture('text') }), modelId);
  await model.generate(request);
  return received[0];
};

/** The Converse body that reached Bedrock for `request`. */
const sentInput = async (request: ModelRequest, modelId = claude) => (await sentRequest(request, modelId)).body as unknown as ConverseRequest;

const weatherTool = { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const weatherSpec = {
  toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: weatherTool.parameters } },
};

describe('Bedrock request', () => {
  afterEach(stopLocalBedrocks);

  it('sends system and developer messages as system blocks, in order, wherever they appear', async () => {
    // Prepare
    const request: ModelRequest = {
      messages: [
        { role: 'system', content: 'You are terse.' },
        userText('Hi'),
        { role: 'system', content: 'Answer in French.' },
      ],
    };

    // Act
    const sent = await sentRequest(request);

    // Assess
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      system: [{ text: 'You are terse.' }, { text: 'Answer in French.' }],
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    });
  });

  it('keeps a multi-turn conversation in alternating turns', async () => {
    const input = await sentInput({
      messages: [userText('What is 2+2?'), { role: 'assistant', content: [{ type: 'text', text: '4' }] }, userText('And 3+3?')],
    });

    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'What is 2+2?' }] },
      { role: 'assistant', content: [{ text: '4' }] },
      { role: 'user', content: [{ text: 'And 3+3?' }] },
    ]);
  });

  it('merges consecutive messages of one role, because Bedrock requires alternation', async () => {
    const input = await sentInput({
      messages: [
        userText('First'),
        userText('Second'),
        { role: 'assistant', content: [{ type: 'text', text: 'One' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Two' }] },
      ],
    });

    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'First' }, { text: 'Second' }] },
      { role: 'assistant', content: [{ text: 'One' }, { text: 'Two' }] },
    ]);
  });

  it('leaves out blank text and trims trailing whitespace from a final assistant message', async () => {
    const input = await sentInput({
      messages: [
        { role: 'system', content: '  ' },
        { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'Write a haiku' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Autumn moon \n' }] },
      ],
    });

    expect(input.system).toBeUndefined();
    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'Write a haiku' }] },
      { role: 'assistant', content: [{ text: 'Autumn moon' }] },
    ]);
  });

  it.each([
    { toolChoice: undefined, expected: { tools: [weatherSpec] } },
    { toolChoice: 'auto' as const, expected: { tools: [weatherSpec], toolChoice: { auto: {} } } },
    { toolChoice: 'required' as const, expected: { tools: [weatherSpec], toolChoice: { any: {} } } },
    { toolChoice: { name: 'get_weather' }, expected: { tools: [weatherSpec], toolChoice: { tool: { name: 'get_weather' } } } },
    { toolChoice: 'none' as const, expected: undefined },
  ])('sends tools with tool_choice $toolChoice as $expected.toolChoice', async ({ toolChoice, expected }) => {
    const input = await sentInput({ messages: [userText('Weather in Paris?')], tools: [weatherTool], toolChoice });

    expect(input.toolConfig).toEqual(expected);
  });

  it('refuses a named tool_choice that is not among the tools', async () => {
    const rejection = sentInput({ messages: [userText('Hi')], tools: [weatherTool], toolChoice: { name: 'missing' } });

    await expect(rejection).rejects.toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('sends tool calls and results, merging consecutive results and the user message after them', async () => {
    // Prepare
    const request: ModelRequest = {
      messages: [
        userText('Weather in Paris and Rome?'),
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', id: 'call-1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool-call', id: 'call-2', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', toolCallId: 'call-1', content: 'Sunny' },
        { role: 'tool', toolCallId: 'call-2', content: '12:00' },
        userText('Thanks. Summarise.'),
      ],
    };

    // Act
    const input = await sentInput(request);

    // Assess: no tools were given, so the specs are synthesized from the history.
    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { toolUse: { toolUseId: 'call-1', name: 'get_weather', input: { city: 'Paris' } } },
          { toolUse: { toolUseId: 'call-2', name: 'get_time', input: {} } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call-1', content: [{ text: 'Sunny' }] } },
          { toolResult: { toolUseId: 'call-2', content: [{ text: '12:00' }] } },
          { text: 'Thanks. Summarise.' },
        ],
      },
    ]);
    expect(input.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } },
        { toolSpec: { name: 'get_time', inputSchema: { json: { type: 'object' } } } },
      ],
    });
  });

  it('still sends the tools, without a tool choice, when tool_choice is none and the history holds tool calls', async () => {
    const input = await sentInput({
      messages: [
        userText('Weather?'),
        { role: 'assistant', content: [{ type: 'tool-call', id: 'call-1', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call-1', content: 'Sunny' },
      ],
      tools: [weatherTool],
      toolChoice: 'none',
    });

    expect(input.toolConfig).toEqual({ tools: [weatherSpec] });
  });

  it('refuses tool-call arguments that are not JSON, naming the parameter', async () => {
    const rejection = sentInput({
      messages: [userText('Hi'), { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{oops' }] }],
    });

    await expect(rejection).rejects.toBeInstanceOf(GatewayError);
    await expect(rejection).rejects.toMatchObject({ status: 400, param: 'messages[1].tool_calls[0].function.arguments' });
  });

  it('sends reasoning from the history with its signature, and redacted reasoning as base64', async () => {
    const input = await sentInput({
      messages: [
        userText('Think'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Hmm.', signature: 'sig-1' },
            { type: 'reasoning', text: '', redactedData: Buffer.from('secret').toString('base64') },
            { type: 'text', text: 'Done.' },
          ],
        },
        userText('Again'),
      ],
    });

    expect(input.messages?.[1].content).toEqual([
      { reasoningContent: { reasoningText: { text: 'Hmm.', signature: 'sig-1' } } },
      { reasoningContent: { redactedContent: Buffer.from('secret').toString('base64') } },
      { text: 'Done.' },
    ]);
  });

  it('sends images from bytes with their format, the bytes as base64', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71]);

    const input = await sentInput({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', mediaType: 'image/png', data: bytes }] }],
    });

    expect(input.messages?.[0].content).toEqual([{ text: 'What is this?' }, { image: { format: 'png', source: { bytes: 'iVBORw==' } } }]);
  });

  it('sends only the bytes of an image that is a view into a larger buffer', async () => {
    const buffer = new Uint8Array([0, 0, 137, 80, 78, 71, 0, 0]);

    const input = await sentInput({
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/jpeg', data: buffer.subarray(2, 6) }] }],
    });

    expect(input.messages?.[0].content).toEqual([{ image: { format: 'jpeg', source: { bytes: 'iVBORw==' } } }]);
  });

  it('refuses an image type Bedrock cannot read', async () => {
    const rejection = sentInput({
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/tiff', data: new Uint8Array([1]) }] }],
    });

    await expect(rejection).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0]' });
  });

  it('sends max tokens, temperature, top_p and stop sequences as the inference config', async () => {
    const input = await sentInput({ messages: [userText('Hi')], maxOutputTokens: 256, temperature: 0.2, topP: 0.9, stop: ['END'] });

    expect(input.inferenceConfig).toEqual({ maxTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ['END'] });
  });

  it('turns on extended thinking for a Claude model, fitting the budget inside the output cap', async () => {
    const input = await sentInput({ messages: [userText('Hi')], reasoningEffort: 'high', maxOutputTokens: 6000, temperature: 0.5 });

    expect(input.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 4976 } });
    expect(input.inferenceConfig).toEqual({ maxTokens: 6000 });
  });

  it('leaves thinking off when the output cap is too small for it, never raising the cap', async () => {
    const input = await sentInput({ messages: [userText('Hi')], reasoningEffort: 'medium', maxOutputTokens: 1000, temperature: 0.5 });

    expect(input.additionalModelRequestFields).toBeUndefined();
    expect(input.inferenceConfig).toEqual({ maxTokens: 1000, temperature: 0.5 });
  });

  it('keeps max tokens when it already exceeds the thinking budget', async () => {
    const input = await sentInput({ messages: [userText('Hi')], reasoningEffort: 'low', maxOutputTokens: 8000 });

    expect(input.additionalModelRequestFields).toEqual({ thinking: { type: 'enabled', budget_tokens: 1024 } });
    expect(input.inferenceConfig).toEqual({ maxTokens: 8000 });
  });

  it('ignores reasoning effort for models other than Claude', async () => {
    const input = await sentInput({ messages: [userText('Hi')], reasoningEffort: 'high' }, 'amazon.nova-pro-v1:0');

    expect(input.additionalModelRequestFields).toBeUndefined();
    expect(input.inferenceConfig).toBeUndefined();
  });

  it('asks for JSON matching the schema in the system prompt for json_schema', async () => {
    const input = await sentInput({
      messages: [{ role: 'system', content: 'Be helpful.' }, userText('A city')],
      responseFormat: { type: 'json_schema', name: 'city', schema: { type: 'object', properties: { name: { type: 'string' } } } },
    });

    expect(input.system).toEqual([
      { text: 'Be helpful.' },
      {
        text:
          'Answer with a single valid JSON value named "city" that conforms to this JSON Schema:\n' +
          '{"type":"object","properties":{"name":{"type":"string"}}}\n' +
          'Output only the JSON: no prose before or after it and no Markdown code fences.',
      },
    ]);
  });

  it('asks for a JSON object only in the system prompt for json_object', async () => {
    const input = await sentInput({ messages: [userText('A city')], responseFormat: { type: 'json_object' } });

    expect(input.system).toEqual([
      { text: 'Answer with a single valid JSON object only: no prose before or after it and no Markdown code fences.' },
    ]);
  });

  it('passes the end-user id as request metadata', async () => {
    const input = await sentInput({ messages: [userText('Hi')], user: 'user-42' });

    expect(input.requestMetadata).toEqual({ user: 'user-42' });
  });

  it('puts a model ARN in the path, encoded', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0';

    const sent = await sentRequest({ messages: [userText('Hi')] }, arn);

    expect(sent.path).toBe('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
  });

  it('passes the abort signal to the request: aborting it hangs up on Bedrock and ends the call with the reason', async () => {
    // Prepare
    const { model, received } = await modelAnswering(() => 'hang');
    const controller = new AbortController();
    const reason = new Error('client disconnected');

    // Act
    const rejection = model.generate({ messages: [userText('Hi')] }, { abortSignal: controller.signal });
    await vi.waitFor(() => expect(received).toHaveLength(1));
    controller.abort(reason);

    // Assess
    await expect(rejection).rejects.toBe(reason);
    await vi.waitFor(() => expect(received[0].closedEarly).toBe(true));
  });
});
