// Placeholder until embeddings land.
import type { Caller } from '../auth/authenticate.js';
import type { ChatCompletionsDependencies } from '../chat/completion-context.js';
import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';

/** `POST /v1/embeddings`. */
export const embeddings = async (
  _request: Request,
  _caller: Caller,
  _context: RequestContext,
  _arrivedAt: number,
  _dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  throw new GatewayError(501, 'Embeddings are not available yet.', { type: 'server_error', code: 'not_implemented' });
};
