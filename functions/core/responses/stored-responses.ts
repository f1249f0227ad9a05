import type { Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import { jsonResponse } from '../../http/responses.js';
import type { ResponseItem, ResponseStore, StoredResponse } from './response-store.js';

/** 404 for a response that does not exist for this key: another key's looks exactly like one that never existed. */
export const responseNotFound = (id: string, param: string | null = null) =>
  new GatewayError(404, `No response with id "${id}" was found.`, { code: 'response_not_found', param });

/** The store could not be read (a DynamoDB deadline, an outage): retryable, and never mistaken for "not found". */
const unavailable = (cause: unknown) =>
  new GatewayError(503, 'Stored responses are unavailable; retry shortly.', { type: 'server_error', code: 'responses_unavailable', cause });

const reading = <Value>(read: () => Promise<Value>): Promise<Value> =>
  read().catch((error: unknown) => {
    throw error instanceof GatewayError ? error : unavailable(error);
  });

const stored = async (store: ResponseStore, caller: Caller, id: string, param: string | null = null): Promise<StoredResponse> => {
  const found = await reading(() => store.get(caller.key.keyId, id));
  if (!found) throw responseNotFound(id, param);
  return found;
};

/** The conversation a request continues with `previous_response_id`: that response's history, its input, then its output. */
export const conversationBefore = async (store: ResponseStore, caller: Caller, previousId: string | null | undefined): Promise<ResponseItem[]> => {
  if (!previousId) return [];
  const previous = await stored(store, caller, previousId, 'previous_response_id');
  return [...previous.history, ...previous.inputItems, ...((previous.response.output as ResponseItem[] | undefined) ?? [])];
};

/** `GET /v1/responses/{id}` */
export const retrieveResponse = async (store: ResponseStore, caller: Caller, id: string): Promise<Response> =>
  jsonResponse(200, (await stored(store, caller, id)).response);

/** `DELETE /v1/responses/{id}` */
export const deleteResponse = async (store: ResponseStore, caller: Caller, id: string): Promise<Response> => {
  if (!(await reading(() => store.delete(caller.key.keyId, id)))) throw responseNotFound(id);
  return jsonResponse(200, { id, object: 'response.deleted', deleted: true });
};

/** `GET /v1/responses/{id}/input_items?order=&limit=&after=`: newest first by default, as OpenAI lists them. */
export const listInputItems = async (store: ResponseStore, caller: Caller, id: string, query: URLSearchParams): Promise<Response> => {
  const items = (await stored(store, caller, id)).inputItems;
  const order = query.get('order') === 'asc' ? 'asc' : 'desc';
  const limit = Math.min(100, Math.max(1, Number.parseInt(query.get('limit') ?? '20', 10) || 20));
  const ordered = order === 'asc' ? items : [...items].reverse();
  const after = query.get('after');
  const start = after ? ordered.findIndex((item) => item.id === after) + 1 : 0;
  const page = ordered.slice(start, start + limit);
  return jsonResponse(200, {
    object: 'list',
    data: page,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
    has_more: start + limit < ordered.length,
  });
};
