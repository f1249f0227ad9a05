import type { Caller } from '../auth/authenticate.js';
import type { ModelRequest } from '../language-model.js';
import type { Admission } from '../limits/request-limiter.js';
import type { Deployment } from '../model-catalog.js';
import type { UsageAttribution } from '../usage/usage-record.js';
import { formatUsd, type MeteredRequest } from '../chat/completion-context.js';
import { toModelRequestFromMessages } from './convert-messages-request.js';
import type { MessagesRequest } from './messages-request-schema.js';
import type { MessagesPayload, MessagesUpstream } from './messages-upstream.js';
import type { ToolLoop } from '../chat/tool-rounds.js';

/** One admitted Messages request, as routed so far. */
export interface MessagesExchange {
  requestId: string;
  caller: Caller;
  request: MessagesRequest;
  payload: MessagesPayload;
  admission: Admission;
  attribution: UsageAttribution;
  startedAt: Date;
  /** `performance.now()` when the request arrived. */
  arrivedAt: number;
  /** The deployment that served (the first candidate until the router has chosen). */
  deployment: Deployment;
  servedModel: string;
  upstream?: MessagesUpstream;
  /** Input tokens to bill when the client leaves before the upstream reported any. */
  estimatedInputTokens: number;
  /** The gateway's MCP tool loop, when the request names `mcp_servers`. */
  loop?: ToolLoop;
}

/** The neutral form of a request, or why there is none; needed only when some candidate does not speak Messages. */
export const translate = (request: MessagesRequest): { modelRequest?: ModelRequest; translationError?: unknown } => {
  try {
    return { modelRequest: toModelRequestFromMessages(request) };
  } catch (error) {
    return { translationError: error };
  }
};

/** The client's body as a native upstream takes it: without `model` and `stream`, which the call sets. */
export const nativeBodyOf = (raw: Record<string, unknown>): Record<string, unknown> => {
  const { model: _model, stream: _stream, ...body } = raw;
  return body;
};

export const attributionOf = (headers: Headers): UsageAttribution => {
  const header = (name: string) => headers.get(name)?.slice(0, 256) || undefined;
  return { sessionId: header('x-claude-code-session-id'), agentId: header('x-claude-code-agent-id'), parentAgentId: header('x-claude-code-parent-agent-id') };
};

export const meteredOf = (exchange: MessagesExchange): MeteredRequest => ({
  requestId: exchange.requestId,
  caller: exchange.caller,
  model: exchange.request.model,
  servedModel: exchange.servedModel,
  provider: exchange.deployment.model.provider,
  deployment: exchange.deployment.model.modelId,
  stream: exchange.request.stream === true,
  admission: exchange.admission,
  startedAt: exchange.startedAt,
  prompt: exchange.request.messages,
  attribution: exchange.attribution,
  route: 'messages.create',
});

/** Headers every message answer carries. */
export const messagesHeaders = (exchange: MessagesExchange, costUsd?: number): Record<string, string> => {
  const dropped = exchange.upstream?.droppedBetas ?? [];
  return {
    'request-id': exchange.requestId,
    'x-tollway-model': exchange.servedModel,
    'x-tollway-deployment': exchange.deployment.model.modelId,
    ...(dropped.length > 0 ? { 'x-tollway-dropped-betas': dropped.join(',') } : {}),
    ...(costUsd === undefined ? {} : { 'x-tollway-cost-usd': formatUsd(costUsd) }),
  };
};
