import { ConverseCommand, ConverseStreamCommand, type BedrockRuntimeClient, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { UpstreamError } from '../../core/errors.js';
import type { CallOptions, LanguageModel, MessagesApi, ModelRequest, ModelResult, StreamPart } from '../../core/language-model.js';
import { BedrockMessagesApi, isBedrockClaude } from './bedrock-messages-api.js';
import { convertBedrockResponse } from './convert-bedrock-response.js';
import { convertBedrockStream } from './convert-bedrock-stream.js';
import { mapBedrockError } from './map-bedrock-error.js';
import { prepareBedrockRequest, type BedrockModelSettings } from './prepare-bedrock-request.js';

export interface BedrockLanguageModelOptions {
  /** Bedrock model id, inference profile id or ARN. */
  modelId: string;
  /** The AWS SDK's Bedrock Runtime client for the model's region. */
  client: BedrockRuntimeClient;
  /** Prompt caching, guardrail, service tier and performance settings of the model's config entry. */
  settings?: BedrockModelSettings;
}

/** A model on Amazon Bedrock, spoken to through the Converse and ConverseStream APIs of the AWS SDK. */
export class BedrockLanguageModel implements LanguageModel {
  readonly provider = 'bedrock';
  readonly modelId: string;
  private readonly client: BedrockRuntimeClient;
  private readonly settings: BedrockModelSettings;
  /** Claude models also speak the Anthropic Messages API (InvokeModel*), which `/v1/messages` uses as it is. */
  readonly messagesApi?: MessagesApi;

  constructor(options: BedrockLanguageModelOptions) {
    this.modelId = options.modelId;
    this.client = options.client;
    this.settings = options.settings ?? {};
    if (isBedrockClaude(this.modelId)) this.messagesApi = new BedrockMessagesApi(this.modelId, this.client, this.settings);
  }

  async generate(request: ModelRequest, options: CallOptions = {}): Promise<ModelResult> {
    const input = prepareBedrockRequest(this.modelId, request, this.settings);
    let response: unknown;
    try {
      response = await this.client.send(new ConverseCommand(input), { abortSignal: options.abortSignal });
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    return convertBedrockResponse(response);
  }

  async stream(request: ModelRequest, options: CallOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const input = prepareBedrockRequest(this.modelId, request, this.settings);
    let events: AsyncIterable<ConverseStreamOutput> | undefined;
    try {
      ({ stream: events } = await this.client.send(new ConverseStreamCommand(input), { abortSignal: options.abortSignal }));
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    return convertBedrockStream(await startedStream(events, options.abortSignal), options.abortSignal);
  }
}

const noEventsError = () => new UpstreamError(502, 'Bedrock answered without an event stream.', { code: 'upstream_invalid_response' });

/**
 * Waits for the stream's first event, so that a stream Bedrock refuses at
 * once (an exception frame, no events at all) rejects `stream()` and the
 * router can try another deployment; then hands out all the events.
 */
const startedStream = async (events: AsyncIterable<ConverseStreamOutput> | undefined, abortSignal?: AbortSignal): Promise<AsyncIterable<ConverseStreamOutput>> => {
  if (!events) throw noEventsError();
  const iterator = events[Symbol.asyncIterator]();
  let first: IteratorResult<ConverseStreamOutput>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw mapBedrockError(error, abortSignal);
  }
  if (first.done) throw noEventsError();
  return (async function* () {
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
};
