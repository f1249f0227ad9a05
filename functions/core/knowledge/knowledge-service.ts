/** OpenAI vector-store search filters: comparisons and compound and/or. */
export type SearchFilter =
  | { type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte'; key: string; value: string | number | boolean }
  | { type: 'in' | 'nin'; key: string; value: Array<string | number> }
  | { type: 'and' | 'or'; filters: SearchFilter[] };

export interface RetrievalQuery {
  query: string;
  maxResults: number;
  filters?: SearchFilter;
  /** Results scoring below are dropped. */
  scoreThreshold?: number;
}

/** One retrieved passage, in the shape of an OpenAI vector-store search result. */
export interface Passage {
  fileId: string;
  filename: string;
  score: number;
  attributes: Record<string, string | number | boolean>;
  text: string;
  /** Where the passage came from (S3 URI, file path, URL), when known. */
  location?: string;
}

export interface KnowledgeBaseDescription {
  name: string;
  provider: 'bedrock' | 'local';
  description?: string;
}

/** Port: knowledge-base retrieval (functions/knowledge implements it). */
export interface KnowledgeService {
  /** Every configured knowledge base. */
  list(): KnowledgeBaseDescription[];
  /** Searches one knowledge base; GatewayError 404 for an unknown name. */
  search(knowledgeBase: string, query: RetrievalQuery, options?: { abortSignal?: AbortSignal }): Promise<Passage[]>;
}
