import type { Passage, RetrievalQuery } from '../core/knowledge/knowledge-service.js';

/** Port: one knowledge base's search, whatever backs it (Bedrock Retrieve, a local index). */
export interface Retriever {
  /** Passages best first; at most `query.maxResults`, none scoring below `query.scoreThreshold`. */
  retrieve(query: RetrievalQuery, options?: { abortSignal?: AbortSignal }): Promise<Passage[]>;
}
