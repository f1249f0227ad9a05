import type { Caller } from '../auth/authenticate.js';
import type { Admission } from '../limits/request-limiter.js';
import type { GatewayLogger } from '../logger.js';
import { describeError } from '../logger.js';
import { formatUsd, type ChatCompletionsDependencies, type MeteredRequest } from '../chat/completion-context.js';
import type { FileSearchSource } from '../chat/file-search.js';
import type { ToolLoop } from '../chat/tool-rounds.js';
import type { ResponseItem, ResponseStore } from './response-store.js';
import type { ResponsesRequest } from './responses-request-schema.js';
import { fileSearchCallItem, mcpCallItem, mcpListToolsItems, type ResponseIdentity } from './responses-output.js';

export type ResponsesDependencies = ChatCompletionsDependencies & { responseStore: ResponseStore };

/** One admitted Responses request. */
export interface ResponseExchange {
  requestId: string;
  caller: Caller;
  request: ResponsesRequest;
  identity: ResponseIdentity;
  /** This request's input items, with ids. */
  inputItems: ResponseItem[];
  /** What `previous_response_id` brought in. */
  history: ResponseItem[];
  loop: ToolLoop;
  admission: Admission;
  /** Passages file_search injected, and the query it searched with. */
  fileSearch?: { query: string; sources: FileSearchSource[] };
  startedAt: Date;
  arrivedAt: number;
}

export const meteredOf = (exchange: ResponseExchange): MeteredRequest => ({
  requestId: exchange.requestId,
  caller: exchange.caller,
  model: exchange.loop.model,
  servedModel: exchange.loop.servedModel,
  provider: exchange.loop.deployment.model.provider,
  deployment: exchange.loop.deployment.model.modelId,
  stream: exchange.request.stream === true,
  admission: exchange.admission,
  startedAt: exchange.startedAt,
  prompt: exchange.request.input,
  route: 'responses.create',
});

/** The items the gateway's own work adds before the model's output: the search, the servers' tool lists. */
export const leadingItems = (exchange: ResponseExchange): ResponseItem[] => {
  const include = exchange.request.include ?? [];
  return [
    ...(exchange.fileSearch ? [fileSearchCallItem(exchange.identity, exchange.fileSearch.query, exchange.fileSearch.sources, include.includes('file_search_call.results'))] : []),
    ...(exchange.loop.mcpTools ? mcpListToolsItems(exchange.identity, exchange.loop.mcpTools, 0) : []),
  ];
};

/** The `mcp_call` items of the calls the loop ran, from `from` on. */
export const mcpCallItems = (exchange: ResponseExchange, from = 0): ResponseItem[] =>
  exchange.loop.executedToolCalls.slice(from).map((call, index) => mcpCallItem(exchange.identity, call, from + index));

export const responsesHeaders = (exchange: ResponseExchange, costUsd?: number): Record<string, string> => ({
  'x-tollway-model': exchange.loop.servedModel,
  'x-tollway-deployment': exchange.loop.deployment.model.modelId,
  ...(costUsd === undefined ? {} : { 'x-tollway-cost-usd': formatUsd(costUsd) }),
});

/**
 * Keeps a finished response unless the request said `store: false`. A store
 * that fails is logged: the client has its answer, only a later retrieve or
 * continuation will miss it.
 */
export const keepResponse = async (exchange: ResponseExchange, response: Record<string, unknown>, store: ResponseStore, logger: GatewayLogger): Promise<void> => {
  if (exchange.request.store === false) return;
  try {
    await store.put({ id: exchange.identity.id, keyId: exchange.caller.key.keyId, createdAt: exchange.identity.createdAt, response, inputItems: exchange.inputItems, history: exchange.history });
  } catch (error) {
    logger.error('response not stored', { requestId: exchange.requestId, responseId: exchange.identity.id, ...describeError(error) });
  }
};
