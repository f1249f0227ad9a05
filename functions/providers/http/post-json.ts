import { UpstreamError } from '../../core/errors.js';
import { mapFetchError } from '../openai-compatible/map-fetch-error.js';

export interface JsonPost {
  url: string;
  body: unknown;
  accept: string;
  /** The credential and configured headers, resolved per call (secrets are looked up lazily). */
  headers: () => Promise<Record<string, string>>;
  fetch: typeof fetch;
  abortSignal?: AbortSignal;
  /** The upstream's error for a non-2xx answer. */
  errorFromResponse: (response: Response) => Promise<Error>;
  /** Names the model in a credentials error: `anthropic model claude-...`. */
  describe: string;
}

/**
 * POSTs JSON to an HTTP upstream: resolves with a 2xx response, rejects with
 * the mapped error otherwise (credentials that cannot be resolved, network
 * failures, the upstream's own errors).
 */
export const postJson = async (post: JsonPost): Promise<Response> => {
  let credentialHeaders: Record<string, string>;
  try {
    credentialHeaders = await post.headers();
  } catch (error) {
    // A missing secret is the gateway's configuration problem; another deployment may still work.
    throw new UpstreamError(500, `credentials for ${post.describe} could not be resolved`, {
      type: 'server_error',
      code: 'upstream_credentials_unavailable',
      retryable: true,
      cause: error,
    });
  }
  const headers = new Headers({ 'content-type': 'application/json', accept: post.accept });
  for (const [name, value] of Object.entries(credentialHeaders)) headers.set(name, value);
  let response: Response;
  try {
    response = await post.fetch(post.url, { method: 'POST', headers, body: JSON.stringify(post.body), signal: post.abortSignal });
  } catch (error) {
    throw mapFetchError(error, post.abortSignal, 'request');
  }
  if (!response.ok) throw await post.errorFromResponse(response);
  return response;
};
