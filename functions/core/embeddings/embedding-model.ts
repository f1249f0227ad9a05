/** The contract of an embeddings upstream; providers implement it, the core never imports one. */
export interface EmbeddingResult {
  /** One vector per input, in input order. */
  embeddings: number[][];
  usage: { inputTokens: number };
}

export interface EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  /** Embeds texts (the provider batches or fans out as its API requires). Errors as UpstreamError. */
  embed(inputs: string[], options?: { dimensions?: number; abortSignal?: AbortSignal }): Promise<EmbeddingResult>;
}
