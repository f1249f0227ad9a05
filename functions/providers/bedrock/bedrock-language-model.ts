import type { StreamEvent } from '../../aws/event-stream.js';
import type { CallOptions, LanguageModel, ModelRequest, ModelResult, StreamPart } from '../../core/language-model.js';
import type { BedrockRuntimeClient } from './bedrock-runtime-client.js';
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
    const body = prepareBedrockRequest(this.modelId, request);
    let response: unknown;
    try {
      response = await this.client.converse(this.modelId, body, options.abortSignal);
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    return convertBedrockResponse(response);
  }

  async stream(request: ModelRequest, options: CallOptions = {}): Promise<AsyncIterable<StreamPart>> {
    const body = prepareBedrockRequest(this.modelId, request);
    let events: AsyncIterable<StreamEvent>;
    try {
      events = await this.client.converseStream(this.modelId, body, options.abortSignal);
    } catch (error) {
      throw mapBedrockError(error, options.abortSignal);
    }
    return convertBedrockStream(events, options.abortSignal);
  }
}
