import { failureOutcome } from '../usage/usage-record.js';
import * as z from 'zod';
import { assertCallerAllowed, type Caller } from '../auth/authenticate.js';
import { admitRequest, errorCodeOf, finishMetered, formatUsd, type ChatCompletionsDependencies, type MeteredRequest } from '../chat/completion-context.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { costOf } from '../pricing.js';
import { parseBody } from '../validation.js';
import { readJsonObject } from '../../http/read-body.js';
import { jsonResponse } from '../../http/responses.js';

const text = z.string().min(1, 'inputs may not be empty').max(100_000);

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  input: z.union([text, z.array(text).min(1).max(2048)]),
  dimensions: z.number().int().positive().max(16_384).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: z.string().max(256).nullish(),
});

/** `[1, 2]` or `[[1, 2], [3]]`: OpenAI accepts token ids, which only OpenAI's own tokenizer can give meaning to. */
const isTokenArray = (input: unknown) => Array.isArray(input) && input.some((item) => typeof item === 'number' || Array.isArray(item));

/** Generous on purpose, like chat reservations: two characters a token. */
const generousTokens = (inputs: string[]) => inputs.reduce((sum, input) => sum + Math.ceil(input.length / 2) + 1, 0);

/** Little-endian float32 bytes, base64, as OpenAI's `encoding_format: base64`. */
const toBase64 = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString('base64');

/**
 * `POST /v1/embeddings`: validated, allowed, reserved against budgets like a
 * completion, routed with retries and fallbacks, then settled and recorded.
 */
export const embeddings = async (
  request: Request,
  caller: Caller,
  context: RequestContext,
  arrivedAt: number,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const raw = await readJsonObject(request, dependencies.config.settings.max_body_bytes);
  if (isTokenArray(raw.input)) throw invalidRequest('Token arrays are not supported as "input"; send text.', 'input', 'unsupported_input');
  const body = parseBody(embeddingsRequestSchema, raw);
  const { catalog, router } = dependencies;
  if (!catalog.embeddingDeployments(body.model)?.length) {
    throw catalog.deployments(body.model)?.length
      ? invalidRequest(`The model "${body.model}" is a chat model; use /v1/chat/completions.`, 'model', 'model_not_supported')
      : new GatewayError(404, `The model "${body.model}" does not exist.`, { code: 'model_not_found', param: 'model' });
  }
  assertCallerAllowed(caller, 'models', body.model, 'model');
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  const candidates = router.embeddingCandidates(body.model);
  const estimatedTokens = generousTokens(inputs);
  const reserveUsd = Math.max(
    ...candidates.map((candidate) => costOf({ inputTokens: estimatedTokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, candidate.config.price)),
  );
  const admission = await admitRequest(dependencies, caller, body.model, reserveUsd, estimatedTokens, context);
  const metered: MeteredRequest = {
    requestId: context.requestId,
    caller,
    model: body.model,
    servedModel: body.model,
    provider: candidates[0].model.provider,
    deployment: candidates[0].model.modelId,
    stream: false,
    admission,
    startedAt: dependencies.now(),
    route: 'embeddings',
  };
  const upstreamStartedAt = performance.now();
  try {
    const routed = await router.runEmbedding(
      body.model,
      (deployment, signal) => deployment.model.embed(inputs, { dimensions: body.dimensions ?? undefined, abortSignal: signal }),
      context.clientSignal,
    );
    const upstreamMs = performance.now() - upstreamStartedAt;
    const usage = { inputTokens: routed.value.usage.inputTokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const costUsd = costOf(usage, routed.deployment.config.price);
    const latencyMs = performance.now() - arrivedAt;
    Object.assign(metered, { servedModel: routed.modelName, provider: routed.deployment.model.provider, deployment: routed.deployment.model.modelId });
    context.waitUntil(finishMetered(dependencies, metered, { usage, costUsd, status: 200, outcome: 'success', latencyMs, overheadMs: latencyMs - upstreamMs }));
    const base64 = body.encoding_format === 'base64';
    return jsonResponse(
      200,
      {
        object: 'list',
        data: routed.value.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector })),
        model: body.model,
        usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens, cost_usd: costUsd },
      },
      {
        'x-tollway-model': routed.modelName,
        'x-tollway-deployment': routed.deployment.model.modelId,
        'x-tollway-cost-usd': formatUsd(costUsd),
        'x-tollway-overhead-ms': (latencyMs - upstreamMs).toFixed(2),
      },
    );
  } catch (error) {
    context.waitUntil(
      finishMetered(dependencies, metered, {
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
        costUsd: 0,
        status: error instanceof GatewayError ? error.status : 500,
        outcome: failureOutcome(context.clientSignal),
        latencyMs: performance.now() - arrivedAt,
        errorCode: errorCodeOf(error),
      }),
    );
    throw error;
  }
};
