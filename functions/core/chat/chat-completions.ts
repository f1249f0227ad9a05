import { failureOutcome } from '../usage/usage-record.js';
import type { Caller } from '../auth/authenticate.js';
import { assertChatModel } from './chat-model-check.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { addUsage, emptyUsage } from '../language-model.js';
import { reservationFor } from '../limits/worst-case-cost.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { parseBody } from '../validation.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { chatRequestSchema, type FileSearchTool } from './chat-request-schema.js';
import { toChatCompletion } from './chat-response.js';
import { streamChatCompletion } from './chat-stream.js';
import {
  admitRequest,
  completionExtensions,
  completionHeaders,
  errorCodeOf,
  finishCompletion,
  type ChatCompletionsDependencies,
  type CompletionContext,
} from './completion-context.js';
import { toModelRequest } from './convert-chat-request.js';
import { applyFileSearch } from './file-search.js';
import { prepareMcpTools } from './mcp-chat-tools.js';
import { meteredMcpAccess } from '../mcp/tool-meter.js';
import { generateRounds } from './tool-rounds.js';

/**
 * `POST /v1/chat/completions`: validate, check the allowlists, reserve the
 * worst-case cost and count the request against rate limits (one parallel
 * round of DynamoDB updates), call the upstream, settle.
 */
export const chatCompletions = async (
  request: Request,
  caller: Caller,
  context: RequestContext,
  arrivedAt: number,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const { config, catalog } = dependencies;
  const chat = parseBody(chatRequestSchema, await readJsonObject(request, config.settings.max_body_bytes));
  assertChatModel(catalog, caller, chat.model);
  const candidates = dependencies.router.candidates(chat.model);
  const primary = candidates[0];
  let modelRequest = toModelRequest(chat, primary.config.max_output_tokens ?? config.settings.default_max_output_tokens);
  // Gateway-run tools and retrieved context come first: the reservation must cover the prompt they make.
  const [mcpTools, fileSearch] = await Promise.all([
    prepareMcpTools(chat, dependencies.mcp, () => meteredMcpAccess(dependencies, caller, context)),
    applyFileSearch(chat.tools?.filter((tool): tool is FileSearchTool => tool.type === 'file_search') ?? [], modelRequest, primary.config, caller, dependencies.knowledge, context.clientSignal),
  ]);
  if (fileSearch) modelRequest = fileSearch.request;
  if (mcpTools) modelRequest = { ...modelRequest, tools: [...(modelRequest.tools ?? []), ...mcpTools.definitions] };
  const chosen = modelRequest.toolChoice;
  if (typeof chosen === 'object' && !modelRequest.tools?.some((tool) => tool.name === chosen.name)) {
    throw invalidRequest(`tool_choice names "${chosen.name}", which none of the MCP servers in "tools" offers to this key.`, 'tool_choice');
  }
  // The dearest model the router may fall back to sets the worst case.
  const { reserveUsd, inputTokens } = reservationFor(modelRequest, candidates.map((candidate) => candidate.config.price));
  // tpm windows count the output allowed as well, until settlement counts what was really used.
  const admission = await admitRequest(dependencies, caller, chat.model, reserveUsd, inputTokens + (modelRequest.maxOutputTokens ?? 0), context);
  const startedAt = dependencies.now();
  const completion: CompletionContext = {
    requestId: context.requestId,
    caller,
    chat,
    model: chat.model,
    deployment: primary,
    servedModel: chat.model,
    modelRequest,
    admission,
    identity: { id: `chatcmpl-${context.requestId}`, created: Math.floor(startedAt.getTime() / 1000), model: chat.model },
    startedAt,
    arrivedAt,
    candidates,
    mcpTools,
    executedToolCalls: [],
    sources: fileSearch?.sources,
    priorUsage: emptyUsage(),
    priorCostUsd: 0,
  };
  if (chat.stream) return streamChatCompletion(completion, context, dependencies);
  return generateChatCompletion(completion, context, dependencies);
};

const generateChatCompletion = async (
  completion: CompletionContext,
  context: RequestContext,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const upstreamStartedAt = performance.now();
  try {
    const finalRound = await generateRounds(completion, dependencies, context.clientSignal);
    const { deployment } = completion;
    const result = { ...finalRound, usage: addUsage(completion.priorUsage, finalRound.usage) };
    const upstreamMs = performance.now() - upstreamStartedAt;
    const costUsd = completion.priorCostUsd + costOf(finalRound.usage, deployment.config.price);
    const latencyMs = performance.now() - completion.arrivedAt;
    context.waitUntil(
      finishCompletion(dependencies, completion, {
        usage: result.usage,
        costUsd,
        status: 200,
        outcome: 'success',
        latencyMs,
        overheadMs: latencyMs - upstreamMs,
        finishReason: result.finishReason,
      }),
    );
    return jsonResponse(200, { ...toChatCompletion(completion.identity, result, costUsd), ...completionExtensions(completion) }, {
      ...completionHeaders(completion, costUsd),
      'x-tollway-overhead-ms': (latencyMs - upstreamMs).toFixed(2),
    });
  } catch (error) {
    // A client that left mid-call still had its prompt read upstream: bill the estimated input of the round in flight.
    const abandoned = context.clientSignal?.aborted ? estimateUsage(completion.modelRequest, 0) : undefined;
    context.waitUntil(
      finishCompletion(dependencies, completion, {
        usage: abandoned ? addUsage(completion.priorUsage, abandoned) : completion.priorUsage,
        costUsd: completion.priorCostUsd + (abandoned ? costOf(abandoned, completion.deployment.config.price) : 0),
        status: error instanceof GatewayError ? error.status : 500,
        outcome: failureOutcome(context.clientSignal),
        latencyMs: performance.now() - completion.arrivedAt,
        errorCode: errorCodeOf(error),
      }),
    );
    throw error;
  }
};
