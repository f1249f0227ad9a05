import type { Caller } from '../auth/authenticate.js';
import { UpstreamError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { estimateInputTokensGenerously } from '../limits/worst-case-cost.js';
import type { ModelCatalog } from '../model-catalog.js';
import { parseBody } from '../validation.js';
import { assertChatModel } from '../chat/chat-model-check.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { betasOf, narrowBetas } from './anthropic-betas.js';
import { nativeBodyOf, translate } from './messages-exchange.js';
import { countTokensRequestSchema, type MessagesRequest } from './messages-request-schema.js';

/**
 * `POST /v1/messages/count_tokens`: the upstream's own count where it has
 * one (Bedrock CountTokens for Claude, Anthropic's endpoint), and elsewhere
 * the gateway's upper bound, the same one budgets hold. Not metered: it
 * costs nothing upstream.
 */
export const countMessageTokens = async (request: Request, caller: Caller, context: RequestContext, catalog: ModelCatalog, maxBodyBytes: number): Promise<Response> => {
  const raw = await readJsonObject(request, maxBodyBytes);
  const parsed = parseBody(countTokensRequestSchema, raw);
  const [primary] = assertChatModel(catalog, caller, parsed.model);
  const body = nativeBodyOf(raw);
  const api = primary.model.messagesApi;
  const { modelRequest, translationError } = translate({ ...parsed, max_tokens: 1 } as MessagesRequest);
  if (api) {
    const { sent } = narrowBetas(primary.model.provider, betasOf(request.headers.get('anthropic-beta')));
    try {
      return jsonResponse(200, { input_tokens: await api.countTokens(body, { betas: sent, abortSignal: context.clientSignal }) });
    } catch (error) {
      // An upstream that cannot count (Bedrock refuses CountTokens for some models and profiles) gets the
      // gateway's upper bound rather than an error: Claude Code treats a failed count as fatal.
      if (!(error instanceof UpstreamError) || !modelRequest) throw error;
    }
  }
  if (!modelRequest) throw translationError;
  return jsonResponse(200, { input_tokens: estimateInputTokensGenerously(modelRequest) }, { 'x-tollway-token-count': 'estimate' });
};
