import type { EmbeddingModel, EmbeddingResult } from '../../../core/embeddings/embedding-model.js';
import { UpstreamError } from '../../../core/errors.js';
import { postJson } from '../../http/post-json.js';
import { mapFetchError } from '../map-fetch-error.js';
import { openAIErrorFromResponse } from '../map-openai-error.js';
import { openAIEmbeddingResponseSchema } from './openai-embedding-schemas.js';

/** OpenAI takes at most this many inputs per embeddings call. */
export const openAIEmbeddingMaxBatchSize = 2048;

export interface OpenAIEmbeddingModelOptions {
  /** Provider name as in the config (`openai`, `openai-compatible`, `azure-openai`). */
  provider: string;
  /** The upstream model id (sent as `model`; Azure takes the deployment from the URL instead). */
  modelId: string;
  /** The full embeddings URL, e.g. `{base_url}/embeddings`. */
  embeddingsUrl: string;
  /** Authentication and extra headers, looked up on every call (the callback caches). */
  headers?: () => Promise<Record<string, string>>;
  fetch?: typeof fetch;
  maxBatchSize?: number;
}

const invalidResponse = (message: string, cause?: unknown) =>
  new UpstreamError(502, message, { code: 'upstream_invalid_response', retryable: true, cause });

/** An `EmbeddingModel` over an OpenAI-style `/embeddings` endpoint, batching inputs. */
export class OpenAIEmbeddingModel implements EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  private readonly fetch: typeof fetch;
  private readonly maxBatchSize: number;

  constructor(private readonly options: OpenAIEmbeddingModelOptions) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.maxBatchSize = options.maxBatchSize ?? openAIEmbeddingMaxBatchSize;
  }

  async embed(inputs: string[], options: { dimensions?: number; abortSignal?: AbortSignal } = {}): Promise<EmbeddingResult> {
    const embeddings: number[][] = [];
    let inputTokens = 0;
    // Batches go one after another: more than one is rare, and sending them at
    // once would mostly trade a faster answer for a rate-limit error.
    for (let start = 0; start < inputs.length; start += this.maxBatchSize) {
      const batch = await this.embedBatch(inputs.slice(start, start + this.maxBatchSize), options.dimensions, options.abortSignal);
      embeddings.push(...batch.embeddings);
      inputTokens += batch.inputTokens;
    }
    return { embeddings, usage: { inputTokens } };
  }

  private async embedBatch(
    input: string[],
    dimensions: number | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<{ embeddings: number[][]; inputTokens: number }> {
    const response = await postJson({
      url: this.options.embeddingsUrl,
      body: { model: this.modelId, input, dimensions, encoding_format: 'float' },
      accept: 'application/json',
      abortSignal,
      fetch: this.fetch,
      errorFromResponse: openAIErrorFromResponse,
      describe: `${this.provider} model ${this.modelId}`,
      headers: async () => (await this.options.headers?.()) ?? {},
    });
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw mapFetchError(error, abortSignal, 'request');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalidResponse('upstream returned an embeddings response that is not JSON', error);
    }
    const parsed = openAIEmbeddingResponseSchema.safeParse(json);
    if (!parsed.success) throw invalidResponse('upstream returned a response that is not an embeddings list', parsed.error);
    const byIndex = [...parsed.data.data].sort((first, second) => first.index - second.index);
    if (byIndex.length !== input.length || byIndex.some((item, position) => item.index !== position)) {
      throw invalidResponse(`upstream returned ${byIndex.length} embeddings for ${input.length} inputs`);
    }
    return {
      embeddings: byIndex.map((item) => item.embedding),
      // A server that reports no usage gets the four-characters-a-token estimate, so cost is not recorded as zero.
      inputTokens: parsed.data.usage?.prompt_tokens ?? input.reduce((total, text) => total + Math.ceil(text.length / 4), 0),
    };
  }
}
