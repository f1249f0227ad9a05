import { assertCallerAllowed, callerAllows, type Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import { parseBody } from '../validation.js';
import type { KnowledgeService, Passage } from './knowledge-service.js';
import { searchRequestSchema } from './search-request.js';

/** One knowledge base in the OpenAI vector-store shape. */
export interface VectorStoreObject {
  id: string;
  object: 'vector_store';
  name: string;
  created_at: number;
  status: 'completed';
  description?: string;
  metadata: { provider: string };
}

/** One result of `POST /v1/vector_stores/{id}/search`. */
export interface VectorStoreSearchResult {
  file_id: string;
  filename: string;
  score: number;
  attributes: Record<string, string | number | boolean>;
  content: Array<{ type: 'text'; text: string }>;
}

export interface VectorStoreSearchPage {
  object: 'vector_store.search_results.page';
  search_query: string[];
  data: VectorStoreSearchResult[];
  has_more: false;
  next_page: null;
}

export interface VectorStoreList {
  object: 'list';
  data: VectorStoreObject[];
  first_id: string | null;
  last_id: string | null;
  /** Always false: one page holds every knowledge base (SDKs stop paginating on it). */
  has_more: false;
}

/** `GET /v1/vector_stores`: the knowledge bases this caller may use. */
export const listVectorStores = (knowledge: KnowledgeService, caller: Caller): VectorStoreList => {
  const data = knowledge
    .list()
    .filter((base) => callerAllows(caller, 'knowledgeBases', base.name))
    .map(
      (base): VectorStoreObject => ({
        id: base.name,
        object: 'vector_store',
        name: base.name,
        created_at: 0,
        status: 'completed',
        ...(base.description ? { description: base.description } : {}),
        metadata: { provider: base.provider },
      }),
    );
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false };
};

const toSearchResult = (passage: Passage): VectorStoreSearchResult => ({
  file_id: passage.fileId,
  filename: passage.filename,
  score: passage.score,
  attributes: passage.attributes,
  content: [{ type: 'text', text: passage.text }],
});

/** `POST /v1/vector_stores/{id}/search`: 404 for an unknown knowledge base, 403 for one the caller may not use. */
export const searchVectorStore = async (knowledge: KnowledgeService, caller: Caller, id: string | undefined, body: unknown): Promise<VectorStoreSearchPage> => {
  const name = id ?? '';
  if (!knowledge.list().some((base) => base.name === name)) {
    throw new GatewayError(404, `No vector store (knowledge base) named "${name}".`, { code: 'knowledge_base_not_found' });
  }
  assertCallerAllowed(caller, 'knowledgeBases', name, 'knowledge base');
  const request = parseBody(searchRequestSchema, body);
  const queries = typeof request.query === 'string' ? [request.query] : request.query;
  const passages = await knowledge.search(name, {
    // Several queries are searched as one: every term counts, passages matching more of them rank higher.
    query: queries.join('\n'),
    maxResults: request.max_num_results,
    filters: request.filters,
    scoreThreshold: request.ranking_options?.score_threshold,
  });
  return { object: 'vector_store.search_results.page', search_query: queries, data: passages.map(toSearchResult), has_more: false, next_page: null };
};
