import type { Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import { addUsage, emptyUsage } from '../language-model.js';
import { meteredMcpAccess } from '../mcp/tool-meter.js';
import type { RequestContext } from '../gateway-types.js';
import { reservationFor } from '../limits/worst-case-cost.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { failureOutcome } from '../usage/usage-record.js';
import { parseBody } from '../validation.js';
import { assertChatModel } from '../chat/chat-model-check.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { admitRequest, errorCodeOf, finishMetered, type ChatCompletionsDependencies, type CompletionOutcome } from '../chat/completion-context.js';
import { betasOf } from './anthropic-betas.js';
import { attributionOf, meteredOf, messagesHeaders, nativeBodyOf, translate, type MessagesExchange } from './messages-exchange.js';
import { messagesBodyInputBound } from './messages-reservation.js';
import { messagesRequestSchema } from './messages-request-schema.js';
import { streamMessage } from './messages-stream.js';
import { messagesUpstreamFor } from './messages-upstream.js';
import { mcpToolsForMessages } from './messages-mcp-servers.js';
import { generateLoopMessage } from './messages-tool-loop.js';

/**
 * `POST /v1/messages`: the Anthropic Messages API on every model. Claude on
 * Bedrock and `anthropic` models get the body as the client sent it; the
 * others get it translated through the neutral contract. Same ledger as chat:
 * the allowlists, a worst-case hold (the larger of the body's bound and the
 * neutral request's), rate windows, settlement and one usage record.
 */
export const createMessage = async (
  request: Request,
  caller: Caller,
  context: RequestContext,
  arrivedAt: number,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const raw = await readJsonObject(request, dependencies.config.settings.max_body_bytes);
  const parsed = parseBody(messagesRequestSchema, raw);
  assertChatModel(dependencies.catalog, caller, parsed.model);
  const candidates = dependencies.router.candidates(parsed.model);
  const nativeBody = nativeBodyOf(raw);
  const { modelRequest, translationError } = translate(parsed);
  const mcpTools = parsed.mcp_servers?.length
    ? await mcpToolsForMessages(parsed, request.headers.get('host'), dependencies.config.mcp_servers, dependencies.mcp, () => meteredMcpAccess(dependencies, caller, context))
    : undefined;
  // Every candidate that cannot take the body as it is needs the translation; so does the gateway's tool loop.
  if (translationError && (mcpTools || candidates.some((candidate) => !candidate.model.messagesApi))) throw translationError;
  const loopRequest = mcpTools && modelRequest ? { ...modelRequest, tools: [...(modelRequest.tools ?? []), ...mcpTools.definitions] } : undefined;
  const bodyBound = messagesBodyInputBound(nativeBody);
  const { reserveUsd, inputTokens } = reservationFor(loopRequest ?? modelRequest ?? { messages: [], maxOutputTokens: parsed.max_tokens }, candidates.map((candidate) => candidate.config.price), bodyBound);
  const admission = await admitRequest(dependencies, caller, parsed.model, reserveUsd, inputTokens + parsed.max_tokens, context);
  const startedAt = dependencies.now();
  const exchange: MessagesExchange = {
    requestId: context.requestId,
    caller,
    request: parsed,
    payload: {
      identity: { id: `msg_${context.requestId.replace(/[^A-Za-z0-9]/g, '')}`, model: parsed.model },
      nativeBody,
      modelRequest,
      translationError,
      betas: betasOf(request.headers.get('anthropic-beta')),
    },
    admission,
    attribution: attributionOf(request.headers),
    startedAt,
    arrivedAt,
    deployment: candidates[0],
    servedModel: parsed.model,
    estimatedInputTokens: modelRequest ? estimateUsage(loopRequest ?? modelRequest, 0).inputTokens : Math.ceil(JSON.stringify(nativeBody).length / 4),
    loop: loopRequest && {
      model: parsed.model,
      deployment: candidates[0],
      servedModel: parsed.model,
      modelRequest: loopRequest,
      admission,
      candidates,
      mcpTools,
      executedToolCalls: [],
      priorUsage: emptyUsage(),
      priorCostUsd: 0,
    },
  };
  if (parsed.stream) return streamMessage(exchange, context, dependencies);
  return wholeMessage(exchange, context, dependencies);
};

const finish = (dependencies: ChatCompletionsDependencies, exchange: MessagesExchange, context: RequestContext, outcome: CompletionOutcome) =>
  context.waitUntil(finishMetered(dependencies, meteredOf(exchange), outcome));

const wholeMessage = async (exchange: MessagesExchange, context: RequestContext, dependencies: ChatCompletionsDependencies): Promise<Response> => {
  const upstreamStartedAt = performance.now();
  try {
    const { message, usage, costUsd } = await produceMessage(exchange, context, dependencies);
    const upstreamMs = performance.now() - upstreamStartedAt;
    const latencyMs = performance.now() - exchange.arrivedAt;
    const overheadMs = latencyMs - upstreamMs;
    finish(dependencies, exchange, context, { usage, costUsd, status: 200, outcome: 'success', latencyMs, overheadMs, finishReason: String(message.stop_reason ?? '') || undefined });
    return jsonResponse(200, message, { ...messagesHeaders(exchange, costUsd), 'x-tollway-overhead-ms': overheadMs.toFixed(2) });
  } catch (error) {
    // A client that left mid-call still had its prompt read upstream: bill the estimated input (and any tool rounds before).
    const abandoned = context.clientSignal?.aborted === true;
    const usage = { inputTokens: abandoned ? exchange.estimatedInputTokens : 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const loop = exchange.loop;
    if (loop) Object.assign(exchange, { deployment: loop.deployment, servedModel: loop.servedModel });
    finish(dependencies, exchange, context, {
      usage: loop ? addUsage(loop.priorUsage, usage) : usage,
      costUsd: (loop?.priorCostUsd ?? 0) + costOf(usage, exchange.deployment.config.price),
      status: error instanceof GatewayError ? error.status : 500,
      outcome: failureOutcome(context.clientSignal),
      latencyMs: performance.now() - exchange.arrivedAt,
      errorCode: errorCodeOf(error),
    });
    throw error;
  }
};

/** The whole message: the gateway's tool loop when the request names MCP servers, else one routed upstream call. */
const produceMessage = async (exchange: MessagesExchange, context: RequestContext, dependencies: ChatCompletionsDependencies) => {
  const loop = exchange.loop;
  if (loop) {
    const produced = await generateLoopMessage(exchange.payload.identity, loop, dependencies, context.clientSignal);
    Object.assign(exchange, { deployment: loop.deployment, servedModel: loop.servedModel });
    return produced;
  }
  const routed = await dependencies.router.run(
    exchange.request.model,
    async (deployment, signal) => {
      const upstream = messagesUpstreamFor(deployment, exchange.payload);
      return { upstream, ...(await upstream.create(signal)) };
    },
    context.clientSignal,
  );
  Object.assign(exchange, { deployment: routed.deployment, servedModel: routed.modelName, upstream: routed.value.upstream });
  return { ...routed.value, costUsd: costOf(routed.value.usage, routed.deployment.config.price) };
};
