import { assertAllowed } from '../auth/authenticate.js';
import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import type { KeyRecord } from '../keys/key-record.js';
import { emptyUsage } from '../language-model.js';
import { costOf } from '../pricing.js';
import { parseBody } from '../validation.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';
import { chatRequestSchema } from './chat-request-schema.js';
import { toChatCompletion } from './chat-response.js';
import { streamChatCompletion } from './chat-stream.js';
import { completionHeaders, recordUsage, type ChatCompletionsDependencies, type CompletionContext } from './completion-context.js';
import { toModelRequest } from './convert-chat-request.js';

/** `POST /v1/chat/completions`. */
export const chatCompletions = async (
  request: Request,
  key: KeyRecord,
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
  assertAllowed(key.models, chat.model, 'model');
  const deployment = deployments[0];
  const modelRequest = toModelRequest(chat, deployment.config.max_output_tokens ?? config.settings.default_max_output_tokens);
  const startedAt = dependencies.now();
  const completion: CompletionContext = {
    requestId: context.requestId,
    key,
    chat,
    deployment,
    modelRequest,
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
      recordUsage(dependencies, completion, {
        usage: result.usage,
        costUsd,
        status: 200,
        outcome: 'success',
        latencyMs,
        finishReason: result.finishReason,
      }),
    );
    return jsonResponse(200, toChatCompletion(completion.identity, result, costUsd), {
      ...completionHeaders(completion, costUsd),
      'x-tollway-overhead-ms': (latencyMs - upstreamMs).toFixed(2),
    });
  } catch (error) {
    const status = error instanceof GatewayError ? error.status : 500;
    context.waitUntil(
      recordUsage(dependencies, completion, {
        usage: emptyUsage(),
        costUsd: 0,
        status,
        outcome: 'error',
        latencyMs: performance.now() - completion.arrivedAt,
        errorCode: error instanceof GatewayError ? (error.code ?? error.type) : 'internal_error',
      }),
    );
    throw error;
  }
};
