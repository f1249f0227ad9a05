import type { EmbeddingModel, EmbeddingResult } from '../../../core/embeddings/embedding-model.js';
import { invalidRequest, UpstreamError } from '../../../core/errors.js';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from '../map-bedrock-error.js';
import { cohereEmbeddingResponseSchema, type CohereEmbeddingResponse } from './bedrock-embedding-schemas.js';
import { invokeBedrockJson } from './invoke-bedrock-json.js';
import { mapWithConcurrency } from './map-with-concurrency.js';

/** Cohere Embed takes at most this many texts per call. */
export const cohereMaxBatchSize = 96;

/** Cohere Embed v3's fixed output size. */
const cohereV3Dimensions = 1024;

/** Batches in flight per `embed`. */
const defaultConcurrency = 4;

export interface CohereEmbeddingModelOptions {
  /** `cohere.embed-english-v3` or `cohere.embed-multilingual-v3`. */
  modelId: string;
  client: BedrockRuntimeClient;
  concurrency?: number;
}

const chunk = <Item>(items: readonly Item[], size: number): Item[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

const vectorsOf = (response: CohereEmbeddingResponse): number[][] =>
  Array.isArray(response.embeddings) ? response.embeddings : response.embeddings.float;

/**
 * Tokens of one batch. Cohere on Bedrock returns no token count in the body in
 * some versions (the count travels only in a response header, which the client does
 * not read), so it is estimated at four characters a token, the usual rule of
 * thumb for English, to keep usage and cost recorded rather than zero.
 */
const batchTokens = (response: CohereEmbeddingResponse, texts: string[]): number =>
  response.meta?.billed_units?.input_tokens ?? texts.reduce((total, text) => total + Math.ceil(text.length / 4), 0);

/** Cohere Embed on Bedrock: texts in batches of up to 96, as documents to be searched. */
export class CohereEmbeddingModel implements EmbeddingModel {
  readonly provider = 'bedrock';
  readonly modelId: string;
  private readonly client: BedrockRuntimeClient;
  private readonly concurrency: number;

  constructor(options: CohereEmbeddingModelOptions) {
    this.modelId = options.modelId;
    this.client = options.client;
    this.concurrency = options.concurrency ?? defaultConcurrency;
  }

  async embed(inputs: string[], options: { dimensions?: number; abortSignal?: AbortSignal } = {}): Promise<EmbeddingResult> {
    if (options.dimensions !== undefined && options.dimensions !== cohereV3Dimensions) {
      throw invalidRequest(`${this.modelId} only produces ${cohereV3Dimensions} dimensions.`, 'dimensions');
    }
    const batches = await mapWithConcurrency(
      chunk(inputs, cohereMaxBatchSize),
      this.concurrency,
      (texts, _index, signal) => this.embedBatch(texts, signal),
      options.abortSignal,
    ).catch((error: unknown) => {
      throw mapBedrockError(error, options.abortSignal);
    });
    return {
      embeddings: batches.flatMap((batch) => batch.embeddings),
      usage: { inputTokens: batches.reduce((total, batch) => total + batch.inputTokens, 0) },
    };
  }

  private async embedBatch(texts: string[], signal: AbortSignal): Promise<{ embeddings: number[][]; inputTokens: number }> {
    const response = await invokeBedrockJson({
      client: this.client,
      modelId: this.modelId,
      // The OpenAI embeddings API cannot say query or document; documents are the common case (indexing).
      body: { texts, input_type: 'search_document', truncate: 'END' },
      responseSchema: cohereEmbeddingResponseSchema,
      signal,
    });
    const embeddings = vectorsOf(response);
    if (embeddings.length !== texts.length) {
      throw new UpstreamError(502, `Bedrock model ${this.modelId} returned ${embeddings.length} embeddings for ${texts.length} texts.`, {
        code: 'upstream_invalid_response',
        retryable: true,
      });
    }
    return { embeddings, inputTokens: batchTokens(response, texts) };
  }
}
