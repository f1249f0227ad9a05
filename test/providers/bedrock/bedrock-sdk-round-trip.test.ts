/*
 * The AWS SDK as the oracle: the gateway no longer ships it, but its client
 * still knows Bedrock's wire format. Both clients talk to the same local
 * Bedrock, which records what each sends and answers both with the same
 * recorded bodies and events.
 */
import {
  BedrockRuntimeClient as SdkBedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../../functions/aws/event-stream.js';
import type { ModelRequest } from '../../../functions/core/language-model.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import { responseFormatInstruction } from '../../../functions/providers/response-format-instruction.js';
import { convertBedrockResponse } from '../../../functions/providers/bedrock/convert-bedrock-response.js';
import { convertBedrockStream } from '../../../functions/providers/bedrock/convert-bedrock-stream.js';
import { TitanEmbeddingModel } from '../../../functions/providers/bedrock/embeddings/index.js';
import { mapBedrockError } from '../../../functions/providers/bedrock/map-bedrock-error.js';
import { claude, collect, loadResponseFixture, loadStreamFixture, userText } from './bedrock-test-helpers.js';
import { type Answer, bedrockClientAt, type ReceivedRequest, startLocalBedrock, stopLocalBedrocks } from '../../support/local-bedrock.js';

/** The SDK's client over its HTTP/1.1 handler (its default for Bedrock Runtime is HTTP/2, which the local Bedrock does not speak). */
const sdkClientAt = (endpoint: string) =>
  new SdkBedrockRuntimeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });

/** A local Bedrock answering every call with `answer`, and both clients pointed at it. */
const bothClientsAnswering = async (answer: (request: ReceivedRequest) => Answer) => {
  const { endpoint, received } = await startLocalBedrock(answer);
  return { ours: bedrockClientAt(endpoint), sdk: sdkClientAt(endpoint), received };
};

const pngBytes = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
const redactedBytes = new TextEncoder().encode('encrypted reasoning');
const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

/** A request using every part of the Converse body the gateway writes. */
const everyFeature: ModelRequest = {
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: [{ type: 'text', text: 'What is this, and the weather in Paris?' }, { type: 'image', mediaType: 'image/png', data: pngBytes }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'A PNG header.', signature: 'sig-1' },
        { type: 'reasoning', text: '', redactedData: Buffer.from(redactedBytes).toString('base64') },
        { type: 'text', text: 'A PNG. Checking the weather.' },
        { type: 'tool-call', id: 'call-1', name: 'get_weather', arguments: '{"city":"Paris","units":{"temperature":"C"}}' },
      ],
    },
    { role: 'tool', toolCallId: 'call-1', content: 'Sunny, 21 °C' },
    userText('Thanks. As JSON?'),
  ],
  tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: weatherSchema }],
  toolChoice: 'auto',
  maxOutputTokens: 8000,
  temperature: 0.3,
  stop: ['END'],
  reasoningEffort: 'low',
  responseFormat: { type: 'json_object' },
  user: 'user-42',
};

/** The same request written for the SDK by hand, blobs as bytes. */
const everyFeatureForSdk = (modelId: string): ConverseCommandInput => ({
  modelId,
  system: [{ text: 'You are terse.' }, { text: responseFormatInstruction({ type: 'json_object' }) ?? '' }],
  messages: [
    { role: 'user', content: [{ text: 'What is this, and the weather in Paris?' }, { image: { format: 'png', source: { bytes: pngBytes } } }] },
    {
      role: 'assistant',
      content: [
        { reasoningContent: { reasoningText: { text: 'A PNG header.', signature: 'sig-1' } } },
        { reasoningContent: { redactedContent: redactedBytes } },
        { text: 'A PNG. Checking the weather.' },
        { toolUse: { toolUseId: 'call-1', name: 'get_weather', input: { city: 'Paris', units: { temperature: 'C' } } } },
      ],
    },
    {
      role: 'user',
      content: [{ toolResult: { toolUseId: 'call-1', content: [{ text: 'Sunny, 21 °C' }] } }, { text: 'Thanks. As JSON?' }],
    },
  ],
  toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: weatherSchema } } }], toolChoice: { auto: {} } },
  // Thinking on: temperature dropped, the budget inside the output cap.
  inferenceConfig: { maxTokens: 8000, stopSequences: ['END'] },
  additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } },
  requestMetadata: { user: 'user-42' },
});

const fixtures = ['text', 'tool-call.1', 'tool-no-args', 'json-with-tools.1', 'reasoning'];

const sdkEvents = async (stream: AsyncIterable<unknown> | undefined): Promise<StreamEvent[]> => {
  const events: StreamEvent[] = [];
  for await (const event of stream ?? []) events.push(event as StreamEvent);
  return events;
};

const failureOf = async (run: () => Promise<unknown>): Promise<unknown> =>
  run().then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

/** What a client sees of a gateway error, and the router (`retryable`). */
const visible = (error: unknown) => {
  const { status, type, code, retryable, message } = error as { status: number; type: string; code: string | null; retryable: boolean; message: string };
  return { status, type, code, retryable, message };
};

describe('Bedrock against the AWS SDK as the oracle', () => {
  afterEach(stopLocalBedrocks);

  describe('requests', () => {
    it.each([
      { operation: 'Converse', modelId: claude },
      { operation: 'ConverseStream', modelId: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
    ])('sends the $operation body and path the SDK would serialise for the same input ($modelId)', async ({ operation, modelId }) => {
      // Prepare
      const { ours, sdk, received } = await bothClientsAnswering((request) =>
        request.path.endsWith('/converse-stream') ? { events: loadStreamFixture('text') } : { json: loadResponseFixture('text') },
      );
      const model = new BedrockLanguageModel({ modelId, client: ours });

      // Act
      if (operation === 'Converse') {
        await model.generate(everyFeature);
        await sdk.send(new ConverseCommand(everyFeatureForSdk(modelId)));
      } else {
        await collect(await model.stream(everyFeature));
        await sdkEvents((await sdk.send(new ConverseStreamCommand(everyFeatureForSdk(modelId)))).stream);
      }

      // Assess
      const [ourRequest, sdkRequest] = received;
      expect(ourRequest.body).toEqual(sdkRequest.body);
      expect(ourRequest.path).toBe(sdkRequest.path);
      expect(ourRequest.method).toBe(sdkRequest.method);
      expect(ourRequest.headers['content-type']).toBe(sdkRequest.headers['content-type']);
      // The blobs went out as base64, as the SDK encodes them.
      expect(JSON.stringify(ourRequest.body)).toContain(Buffer.from(pngBytes).toString('base64'));
      expect(JSON.stringify(ourRequest.body)).toContain(Buffer.from(redactedBytes).toString('base64'));
    });

    it('sends the InvokeModel body, path and headers the SDK would for an embedding', async () => {
      // Prepare
      const { ours, sdk, received } = await bothClientsAnswering(() => ({ json: { embedding: [0.1, 0.2], inputTextTokenCount: 2 } }));

      // Act
      await new TitanEmbeddingModel({ modelId: 'amazon.titan-embed-text-v2:0', client: ours }).embed(['hello'], { dimensions: 256 });
      await sdk.send(
        new InvokeModelCommand({
          modelId: 'amazon.titan-embed-text-v2:0',
          contentType: 'application/json',
          accept: 'application/json',
          body: new TextEncoder().encode(JSON.stringify({ inputText: 'hello', dimensions: 256, normalize: true })),
        }),
      );

      // Assess
      const [ourRequest, sdkRequest] = received;
      expect(ourRequest.body).toEqual(sdkRequest.body);
      expect(ourRequest.path).toBe(sdkRequest.path);
      expect(ourRequest.headers['content-type']).toBe(sdkRequest.headers['content-type']);
      expect(ourRequest.headers.accept).toBe(sdkRequest.headers.accept);
    });
  });

  describe('responses', () => {
    it.each(fixtures)('reads the recorded Converse response %s as the SDK reads it', async (fixture) => {
      // Prepare
      const { ours, sdk } = await bothClientsAnswering(() => ({ json: loadResponseFixture(fixture) }));

      // Act
      const result = await new BedrockLanguageModel({ modelId: claude, client: ours }).generate({ messages: [userText('Hi')] });
      const sdkOutput = await sdk.send(new ConverseCommand({ modelId: claude, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));

      // Assess
      expect(result).toEqual(convertBedrockResponse(sdkOutput));
    });

    it.each(fixtures)('reads the recorded ConverseStream events %s as the SDK reads them', async (fixture) => {
      // Prepare
      const { ours, sdk } = await bothClientsAnswering(() => ({ events: loadStreamFixture(fixture) }));
      const request = { modelId: claude, messages: [{ role: 'user' as const, content: [{ text: 'Hi' }] }] };

      // Act
      const events = await sdkEvents(await ours.converseStream(claude, { messages: request.messages }));
      const theSdksEvents = await sdkEvents((await sdk.send(new ConverseStreamCommand(request))).stream);
      const parts = await collect(await new BedrockLanguageModel({ modelId: claude, client: ours }).stream({ messages: [userText('Hi')] }));

      // Assess: the events exactly as recorded; the SDK's are the same less what its model
      // does not know (the recordings' `serverToolUsage: {}`).
      expect(events).toEqual(loadStreamFixture(fixture));
      expect(events).toMatchObject(theSdksEvents);
      expect(parts).toEqual(await collect(convertBedrockStream(asyncIterableOf(theSdksEvents))));
    });
  });

  describe('failures map as they did through the SDK', () => {
    const cases: Array<{ case: string; answer: Answer; stream: boolean; sameMessage?: false }> = [
      { case: 'a 429 ThrottlingException', answer: { status: 429, errorType: 'ThrottlingException', message: 'Too many requests' }, stream: false },
      { case: 'a 400 ValidationException for a long prompt', answer: { status: 400, errorType: 'ValidationException', message: 'Input is too long for requested model.' }, stream: false },
      { case: 'a 403 AccessDeniedException', answer: { status: 403, errorType: 'AccessDeniedException', message: 'User: arn:aws:sts::123:assumed-role/x' }, stream: true },
      // The SDK's message was its own failure to parse the page as JSON; ours says "HTTP 503".
      { case: 'a 503 without an error type', answer: { status: 503, contentType: 'text/html', text: '<html>busy</html>' }, stream: false, sameMessage: false },
      { case: 'a connection dropped before an answer', answer: 'reset', stream: false },
      {
        case: 'a throttlingException frame mid-stream',
        answer: { events: loadStreamFixture('text').slice(0, 3), then: { exception: 'throttlingException', message: 'Too many tokens' } },
        stream: true,
      },
      {
        case: 'a modelStreamErrorException frame mid-stream',
        answer: { events: loadStreamFixture('text').slice(0, 3), then: { exception: 'modelStreamErrorException', message: 'The model stream broke' } },
        stream: true,
      },
      { case: 'a stream cut by Bedrock mid-way', answer: { events: loadStreamFixture('text').slice(0, 3), then: 'cut' }, stream: true },
    ];

    it.each(cases)('$case', async ({ answer, stream, sameMessage }) => {
      // Prepare
      const { ours, sdk } = await bothClientsAnswering(() => answer);
      const model = new BedrockLanguageModel({ modelId: claude, client: ours });
      const request = { modelId: claude, messages: [{ role: 'user' as const, content: [{ text: 'Hi' }] }] };

      // Act
      const ourError = await failureOf(async () =>
        stream ? collect(await model.stream({ messages: [userText('Hi')] })) : model.generate({ messages: [userText('Hi')] }),
      );
      const sdkError = await failureOf(async () =>
        stream ? sdkEvents((await sdk.send(new ConverseStreamCommand(request))).stream) : sdk.send(new ConverseCommand(request)),
      );

      // Assess
      const seenThroughOurs = visible(ourError);
      const seenThroughTheSdk = visible(mapBedrockError(sdkError));
      if (sameMessage === false) {
        expect({ ...seenThroughOurs, message: undefined }).toEqual({ ...seenThroughTheSdk, message: undefined });
      } else {
        expect(seenThroughOurs).toEqual(seenThroughTheSdk);
      }
    });
  });
});

async function* asyncIterableOf<Item>(items: Item[]): AsyncGenerator<Item> {
  yield* items;
}
