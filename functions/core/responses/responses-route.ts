import type { Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { addUsage, emptyUsage } from '../language-model.js';
import { reservationFor } from '../limits/worst-case-cost.js';
import { meteredMcpAccess } from '../mcp/tool-meter.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { failureOutcome } from '../usage/usage-record.js';
import { parseBody } from '../validation.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { assertChatModel } from '../chat/chat-model-check.js';
import { admitRequest, errorCodeOf, finishMetered } from '../chat/completion-context.js';
import { applyFileSearch } from '../chat/file-search.js';
import { generateRounds } from '../chat/tool-rounds.js';
import type { ResponseItem } from './response-store.js';
import { toModelRequestFromResponses } from './convert-responses-input.js';
import { keepResponse, leadingItems, mcpCallItems, meteredOf, responsesHeaders, type ResponseExchange, type ResponsesDependencies } from './responses-exchange.js';
import { resultItems, responseObject, statusOf, type ResponseIdentity } from './responses-output.js';
import { responsesRequestSchema, type ResponsesRequest } from './responses-request-schema.js';
import { streamResponse } from './responses-stream.js';
import { conversationBefore } from './stored-responses.js';
import { fileSearchToolsOf, mcpToolsForResponses } from './responses-tools.js';

/** This request's input as items with ids: a string is one user message. */
const inputItemsOf = (request: ResponsesRequest, identity: ResponseIdentity): ResponseItem[] => {
  const suffix = identity.id.slice('resp_'.length);
  if (typeof request.input === 'string') return [{ type: 'message', id: `msg_${suffix}_in0`, role: 'user', content: [{ type: 'input_text', text: request.input }] }];
  return request.input.map((item, index) => {
    const id = item.id ?? `${item.type === 'function_call_output' ? 'fco' : 'msg'}_${suffix}_in${index}`;
    if (item.type !== undefined && item.type !== 'message') return { ...item, id };
    // Messages are kept as OpenAI lists them: content as parts, even when it was sent as a string.
    const message = item as Extract<typeof item, { role: string }>;
    const content = typeof message.content === 'string' ? [{ type: message.role === 'assistant' ? 'output_text' : 'input_text', text: message.content }] : message.content;
    return { ...message, type: 'message', id, content };
  });
};

/**
 * `POST /v1/responses`: the OpenAI Responses API on every model, through the
 * neutral contract. The conversation is the stored one (`previous_response_id`)
 * then the input; gateway tools (`mcp`, `file_search`) run as in chat; the
 * ledger is chat's (allowlists, worst-case hold, rate windows, settlement, one
 * usage record); the response is kept unless `store` is false.
 */
export const createResponse = async (request: Request, caller: Caller, context: RequestContext, arrivedAt: number, dependencies: ResponsesDependencies): Promise<Response> => {
  const { config } = dependencies;
  const parsed = parseBody(responsesRequestSchema, await readJsonObject(request, config.settings.max_body_bytes));
  assertChatModel(dependencies.catalog, caller, parsed.model);
  const candidates = dependencies.router.candidates(parsed.model);
  const primary = candidates[0];
  const startedAt = dependencies.now();
  const identity: ResponseIdentity = { id: `resp_${context.requestId.replace(/[^A-Za-z0-9]/g, '')}`, createdAt: Math.floor(startedAt.getTime() / 1000), model: parsed.model };
  const history = await conversationBefore(dependencies.responseStore, caller, parsed.previous_response_id);
  const inputItems = inputItemsOf(parsed, identity);
  let modelRequest = toModelRequestFromResponses(parsed, [...history, ...inputItems], primary.config.max_output_tokens ?? config.settings.default_max_output_tokens);
  const [mcpTools, fileSearch] = await Promise.all([
    mcpToolsForResponses(parsed, config.mcp_servers, dependencies.mcp, () => meteredMcpAccess(dependencies, caller, context)),
    applyFileSearch(fileSearchToolsOf(parsed), modelRequest, primary.config, caller, dependencies.knowledge, context.clientSignal),
  ]);
  if (fileSearch) modelRequest = fileSearch.request;
  if (mcpTools) modelRequest = { ...modelRequest, tools: [...(modelRequest.tools ?? []), ...mcpTools.definitions] };
  const { reserveUsd, inputTokens } = reservationFor(modelRequest, candidates.map((candidate) => candidate.config.price));
  const admission = await admitRequest(dependencies, caller, parsed.model, reserveUsd, inputTokens + (modelRequest.maxOutputTokens ?? 0), context);
  const exchange: ResponseExchange = {
    requestId: context.requestId,
    caller,
    request: parsed,
    identity,
    inputItems,
    history,
    admission,
    fileSearch: fileSearch && { query: fileSearch.query, sources: fileSearch.sources },
    loop: { model: parsed.model, deployment: primary, servedModel: parsed.model, modelRequest, admission, candidates, mcpTools, executedToolCalls: [], priorUsage: emptyUsage(), priorCostUsd: 0 },
    startedAt,
    arrivedAt,
  };
  if (parsed.stream) return streamResponse(exchange, context, dependencies);
  return wholeResponse(exchange, context, dependencies);
};

const wholeResponse = async (exchange: ResponseExchange, context: RequestContext, dependencies: ResponsesDependencies): Promise<Response> => {
  const { loop } = exchange;
  const upstreamStartedAt = performance.now();
  try {
    const final = await generateRounds(loop, dependencies, context.clientSignal);
    const usage = addUsage(loop.priorUsage, final.usage);
    const costUsd = loop.priorCostUsd + costOf(final.usage, loop.deployment.config.price);
    const leading = [...leadingItems(exchange), ...mcpCallItems(exchange)];
    const output = [...leading, ...resultItems(exchange.identity, final, leading.length)];
    const response = responseObject(exchange.identity, exchange.request, { ...statusOf(final.finishReason), output, usage });
    await keepResponse(exchange, response, dependencies.responseStore, dependencies.logger);
    const latencyMs = performance.now() - exchange.arrivedAt;
    const overheadMs = latencyMs - (performance.now() - upstreamStartedAt);
    context.waitUntil(finishMetered(dependencies, meteredOf(exchange), { usage, costUsd, status: 200, outcome: 'success', latencyMs, overheadMs, finishReason: final.finishReason }));
    return jsonResponse(200, response, { ...responsesHeaders(exchange, costUsd), 'x-tollway-overhead-ms': overheadMs.toFixed(2) });
  } catch (error) {
    // A client that left mid-call still had its prompt read upstream: bill the estimated input of the round in flight.
    const abandoned = context.clientSignal?.aborted ? estimateUsage(loop.modelRequest, 0) : undefined;
    context.waitUntil(
      finishMetered(dependencies, meteredOf(exchange), {
        usage: abandoned ? addUsage(loop.priorUsage, abandoned) : loop.priorUsage,
        costUsd: loop.priorCostUsd + (abandoned ? costOf(abandoned, loop.deployment.config.price) : 0),
        status: error instanceof GatewayError ? error.status : 500,
        outcome: failureOutcome(context.clientSignal),
        latencyMs: performance.now() - exchange.arrivedAt,
        errorCode: errorCodeOf(error),
      }),
    );
    throw error;
  }
};
