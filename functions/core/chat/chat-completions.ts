import { assertCallerAllowed, type Caller } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { emptyUsage } from '../language-model.js';
import { estimateInputTokensGenerously, worstCaseCost } from '../limits/worst-case-cost.js';
import { costOf } from '../pricing.js';
import { parseBody } from '../validation.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { chatRequestSchema } from './chat-request-schema.js';
import { toChatCompletion } from './chat-response.js';
import { streamChatCompletion } from './chat-stream.js';
import {
  completionHeaders,
  errorCodeOf,
  finishCompletion,
  type ChatCompletionsDependencies,
  type CompletionContext,
} from './completion-context.js';
import { toModelRequest } from './convert-chat-request.js';

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
  const deployments = catalog.deployments(chat.model);
  if (!deployments?.length) {
    throw new GatewayError(404, `The model "${chat.model}" does not exist.`, { code: 'model_not_found', param: 'model' });
  }
  assertCallerAllowed(caller, 'models', chat.model, 'model');
  const deployment = deployments[0];
  const modelRequest = toModelRequest(chat, deployment.config.max_output_tokens ?? config.settings.default_max_output_tokens);
  const inputTokens = estimateInputTokensGenerously(modelRequest);
  const subjects = [
    { kind: 'key' as const, id: caller.key.keyId, settings: caller.key },
    ...(caller.team ? [{ kind: 'team' as const, id: caller.team.teamId, settings: caller.team }] : []),
  ];
  const admission = await dependencies.limiter.admit(
    { subjects, reserveUsd: worstCaseCost(modelRequest, inputTokens, deployment.config.price), estimatedTokens: inputTokens },
    context.waitUntil,
  );
  const startedAt = dependencies.now();
  const completion: CompletionContext = {
    requestId: context.requestId,
    caller,
    chat,
    deployment,
    modelRequest,
    admission,
    identity: { id: `chatcmpl-${context.requestId}`, created: Math.floor(startedAt.getTime() / 1000), model: chat.model },
    startedAt,
    arrivedAt,
  };
  if (chat.stream) return streamChatCompletion(completion, context, dependencies);
  return generateChatCompletion(completion, context, dependencies);
};

const generateChatCompletion = async (
  completion: CompletionContext,
  context: RequestContext,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const { deployment, modelRequest } = completion;
  const upstreamStartedAt = performance.now();
  try {
    const result = await deployment.model.generate(modelRequest, { abortSignal: context.clientSignal });
    const upstreamMs = performance.now() - upstreamStartedAt;
    const costUsd = costOf(result.usage, deployment.config.price);
    const latencyMs = performance.now() - completion.arrivedAt;
    context.waitUntil(
      finishCompletion(dependencies, completion, { usage: result.usage, costUsd, status: 200, outcome: 'success', latencyMs, finishReason: result.finishReason }),
    );
    return jsonResponse(200, toChatCompletion(completion.identity, result, costUsd), {
      ...completionHeaders(completion, costUsd),
      'x-tollway-overhead-ms': (latencyMs - upstreamMs).toFixed(2),
    });
  } catch (error) {
    context.waitUntil(
      finishCompletion(dependencies, completion, {
        usage: emptyUsage(),
        costUsd: 0,
        status: error instanceof GatewayError ? error.status : 500,
        outcome: context.clientSignal?.aborted ? 'client_disconnected' : 'error',
        latencyMs: performance.now() - completion.arrivedAt,
        errorCode: errorCodeOf(error),
      }),
    );
    throw error;
  }
};
