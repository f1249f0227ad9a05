import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { emptyUsage, type FinishReason, type StreamPart, type Usage } from '../language-model.js';
import { describeError } from '../logger.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { sseData, sseDone, sseHeaders } from '../../http/sse.js';
import { completionHeaders, errorCodeOf, finishCompletion, type ChatCompletionsDependencies, type CompletionContext } from './completion-context.js';
import { toChunk, toUsageChunk } from './chat-response.js';

/** What a streamed completion has produced so far. */
interface StreamProgress {
  generatedCharacters: number;
  firstTokenAt?: number;
  finishReason?: FinishReason;
  usage?: Usage;
}

/**
 * Streams a completion as OpenAI SSE chunks: a role chunk, content,
 * reasoning and tool-call deltas, a finish chunk, a usage chunk when asked,
 * then `[DONE]`. Chunks are pulled from the upstream only as the client reads.
 */
export const streamChatCompletion = async (
  completion: CompletionContext,
  context: RequestContext,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const { deployment, modelRequest, identity, chat } = completion;
  const upstreamAbort = new AbortController();
  const onClientGone = () => upstreamAbort.abort(new Error('client disconnected'));
  context.clientSignal?.addEventListener('abort', onClientGone, { once: true });

  const upstreamStartedAt = performance.now();
  let parts: AsyncIterable<StreamPart>;
  try {
    parts = await deployment.model.stream(modelRequest, { abortSignal: upstreamAbort.signal });
  } catch (error) {
    context.clientSignal?.removeEventListener('abort', onClientGone);
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
  const overheadMs = upstreamStartedAt - completion.arrivedAt;
  const iterator = parts[Symbol.asyncIterator]();
  const progress: StreamProgress = { generatedCharacters: 0 };
  const includeUsage = chat.stream_options?.include_usage === true;
  let settled = false;

  const settle = (outcome: 'success' | 'error' | 'client_disconnected', errorCode?: string) => {
    if (settled) return;
    settled = true;
    context.clientSignal?.removeEventListener('abort', onClientGone);
    const usage = progress.usage ?? estimateUsage(modelRequest, progress.generatedCharacters);
    context.waitUntil(
      finishCompletion(dependencies, completion, {
        usage,
        costUsd: costOf(usage, deployment.config.price),
        status: 200,
        outcome,
        latencyMs: performance.now() - completion.arrivedAt,
        timeToFirstTokenMs: progress.firstTokenAt === undefined ? undefined : Math.round((progress.firstTokenAt - completion.arrivedAt) * 100) / 100,
        errorCode,
        finishReason: progress.finishReason,
      }),
    );
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(sseData(toChunk(identity, { role: 'assistant', content: '' })));
    },
    async pull(controller) {
      try {
        // Bookkeeping parts produce no chunk; keep reading until one does, or the stream would stall.
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            finish(controller);
            return;
          }
          const deltas = deltasOf(next.value, progress);
          for (const delta of deltas) controller.enqueue(sseData(toChunk(identity, delta)));
          if (deltas.length > 0) return;
        }
      } catch (error) {
        if (upstreamAbort.signal.aborted) return;
        const gatewayError = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream stream failed.', { type: 'upstream_error' });
        if (!(error instanceof GatewayError)) dependencies.logger.error('stream failed', { requestId: completion.requestId, ...describeError(error) });
        controller.enqueue(sseData(gatewayError.toEnvelope()));
        controller.close();
        settle('error', gatewayError.code ?? gatewayError.type);
      }
    },
    async cancel() {
      upstreamAbort.abort(new Error('client disconnected'));
      settle('client_disconnected');
      await iterator.return?.().catch(() => undefined);
    },
  });

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const usage = progress.usage ?? estimateUsage(modelRequest, progress.generatedCharacters);
    const costUsd = costOf(usage, deployment.config.price);
    controller.enqueue(sseData(toChunk(identity, {}, progress.finishReason ?? 'stop')));
    if (includeUsage) controller.enqueue(sseData(toUsageChunk(identity, usage, costUsd)));
    controller.enqueue(sseDone());
    controller.close();
    settle('success');
  };

  return new Response(body, {
    status: 200,
    headers: { ...sseHeaders, ...completionHeaders(completion), 'x-tollway-overhead-ms': overheadMs.toFixed(2) },
  });
};

/** The chunk deltas for one stream part (none for bookkeeping parts). */
const deltasOf = (part: StreamPart, progress: StreamProgress): Record<string, unknown>[] => {
  switch (part.type) {
    case 'text-delta':
      if (part.text === '') return [];
      markGenerated(progress, part.text.length);
      return [{ content: part.text }];
    case 'reasoning-delta':
      if (part.text === '') return [];
      markGenerated(progress, part.text.length);
      return [{ reasoning_content: part.text }];
    case 'tool-call-start':
      markGenerated(progress, part.name.length);
      return [{ tool_calls: [{ index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }] }];
    case 'tool-call-delta':
      if (part.argumentsDelta === '') return [];
      markGenerated(progress, part.argumentsDelta.length);
      return [{ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] }];
    case 'finish':
      progress.finishReason = part.finishReason;
      progress.usage = part.usage;
      return [];
    case 'tool-call-end':
    case 'reasoning-signature':
      return [];
  }
};

const markGenerated = (progress: StreamProgress, characters: number) => {
  progress.firstTokenAt ??= performance.now();
  progress.generatedCharacters += characters;
};
