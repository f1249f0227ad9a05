import type { EmbeddingModel, EmbeddingResult } from '../../../core/embeddings/embedding-model.js';
import { invalidRequest } from '../../../core/errors.js';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../map-bedrock-error.js';
import { titanEmbeddingResponseSchema } from './bedrock-embedding-schemas.js';
import { invokeBedrockJson } from './invoke-bedrock-json.js';
import { mapWithConcurrency } from './map-with-concurrency.js';

/** Output sizes Titan Text Embeddings v2 offers. */
export const titanV2Dimensions = [256, 512, 1024] as const;

/** Calls in flight per `embed`: Titan takes one text per call, and Bedrock's per-account quotas are shared. */
export const titanDefaultConcurrency = 8;

export interface TitanEmbeddingModelOptions {
  /** `amazon.titan-embed-text-v2:0` (or v1, which has no `dimensions`). */
  modelId: string;
  client: BedrockRuntimeClient;
  concurrency?: number;
}

/** Amazon Titan Text Embeddings on Bedrock: one InvokeModel call per text, fanned out with bounded concurrency. */
export class TitanEmbeddingModel implements EmbeddingModel {
  readonly provider = 'bedrock';
  readonly modelId: string;
  private readonly client: BedrockRuntimeClient;
  private readonly concurrency: number;
  private readonly isVersion2: boolean;

  constructor(options: TitanEmbeddingModelOptions) {
    this.modelId = options.modelId;
    this.client = options.client;
    this.concurrency = options.concurrency ?? titanDefaultConcurrency;
    this.isVersion2 = options.modelId.includes('titan-embed-text-v2');
  }

  async embed(inputs: string[], options: { dimensions?: number; abortSignal?: AbortSignal } = {}): Promise<EmbeddingResult> {
    const settings = this.requestSettings(options.dimensions);
    const responses = await mapWithConcurrency(
      inputs,
      this.concurrency,
      (inputText, _index, signal) =>
        invokeBedrockJson({
          client: this.client,
          modelId: this.modelId,
          body: { inputText, ...settings },
          responseSchema: titanEmbeddingResponseSchema,
          signal,
        }),
      options.abortSignal,
    ).catch((error: unknown) => {
      throw mapBedrockError(error, options.abortSignal);
    });
    return {
      embeddings: responses.map((response) => response.embedding),
      usage: { inputTokens: responses.reduce((total, response) => total + response.inputTextTokenCount, 0) },
    };
  }

  /** The body fields besides the text; v2 normalizes (as OpenAI's vectors are) and may shorten. */
  private requestSettings(dimensions: number | undefined): { dimensions?: number; normalize?: boolean } {
    if (!this.isVersion2) {
      if (dimensions !== undefined) throw invalidRequest(`${this.modelId} does not support dimensions.`, 'dimensions');
      return {};
    }
    if (dimensions !== undefined && !titanV2Dimensions.some((size) => size === dimensions)) {
      throw invalidRequest(`dimensions must be one of ${titanV2Dimensions.join(', ')} for ${this.modelId}.`, 'dimensions');
    }
    return dimensions === undefined ? { normalize: true } : { dimensions, normalize: true };
  }
}
