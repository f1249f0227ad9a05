/**
 * Stored responses (`POST /v1/responses` with `store`, the default): the
 * port the core reads and writes them through. The DynamoDB adapter keeps
 * them for `settings.response_retention_days`; every read is scoped to the
 * key that created the response, so another key's id is simply not found.
 */

/** One item of a conversation, in the Responses API's own shape (`{type: "message", role, content}`, `function_call`...). */
export type ResponseItem = Record<string, unknown>;

export interface StoredResponse {
  /** `resp_…` */
  id: string;
  /** The virtual key that created it; the only one that may read or delete it. */
  keyId: string;
  /** Epoch seconds. */
  createdAt: number;
  /** The response object as the client received it. */
  response: Record<string, unknown>;
  /** This request's input items, with ids (`GET /v1/responses/{id}/input_items`). */
  inputItems: ResponseItem[];
  /**
   * The conversation before this request's input (what `previous_response_id`
   * brought in), so that continuing from this response needs one read:
   * `history`, `inputItems`, then the response's `output`.
   */
  history: ResponseItem[];
}

export interface ResponseStore {
  /** Keeps a response until its retention ends; items of any size (large ones are split). */
  put(stored: StoredResponse): Promise<void>;
  /** The response, or `undefined` when it does not exist, has expired, or belongs to another key. */
  get(keyId: string, id: string): Promise<StoredResponse | undefined>;
  /** Deletes the response and everything kept with it; `false` when there was nothing the key could delete. */
  delete(keyId: string, id: string): Promise<boolean>;
}
