// Placeholder until knowledge bases land.
import type { Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import type { KnowledgeService } from './knowledge-service.js';

const notYet = () => new GatewayError(501, 'Knowledge bases are not available yet.', { type: 'server_error', code: 'not_implemented' });

/** `GET /v1/vector_stores`: the knowledge bases this caller may use. */
export const listVectorStores = (_knowledge: KnowledgeService, _caller: Caller): unknown => {
  throw notYet();
};

/** `POST /v1/vector_stores/{id}/search`. */
export const searchVectorStore = async (_knowledge: KnowledgeService, _caller: Caller, _id: string | undefined, _body: unknown): Promise<unknown> => {
  throw notYet();
};
