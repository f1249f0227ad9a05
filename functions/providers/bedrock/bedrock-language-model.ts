import { type BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { UpstreamError } from '../../core/errors.js';
import type { CallOptions, LanguageModel, ModelRequest, ModelResult, StreamPart } from '../../core/language-model.js';
import { convertBedrockResponse } from './convert-bedrock-response.js';
import { convertBedrockStream } from './convert-bedrock-stream.js';
import { mapBedrockError } from './map-bedrock-error.js';
import { prepareBedrockRequest } from './prepare-bedrock-request.js';

export interface BedrockLanguageModelOptions {
  /** Bedrock model id, inference profile id or ARN. */
  modelId: string;
  client: BedrockRuntimeClient;
}

/** A model on Amazon Bedrock, spoken to through the Converse and ConverseStream APIs. */
export class BedrockLanguageModel implements LanguageModel {
  readonly provider = 'bedrock';
  readonly modelId: string;
  private readonly client: BedrockRuntimeClient;

  constructor(options: BedrockLanguageModelOptions) {
    this.modelId = options.modelId;
    this.client = options.client;
  }

  async generate(request: ModelRequest, options: CallOptions = {}): Promise<ModelResult> {
    const command = new ConverseCommand(prepareBedrockRequest(this.modelId, request));
    let response: unknown;
    try {
      response = await this.client.send(command, { abortSignal: options.abortSignal });
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    return convertBedrockResponse(response);
  }

  async stream(request: ModelRequest, options: CallOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const command = new ConverseStreamCommand(prepareBedrockRequest(this.modelId, request));
    let events: AsyncIterable<unknown> | undefined;
    try {
      events = (await this.client.send(command, { abortSignal: options.abortSignal })).stream;
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    if (!events) {
      throw new UpstreamError(502, 'Bedrock answered without an event stream.', { code: 'upstream_invalid_response' });
    }
    return convertBedrockStream(events, options.abortSignal);
  }
}
