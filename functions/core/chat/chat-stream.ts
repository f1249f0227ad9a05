import { failureOutcome } from '../usage/usage-record.js';
import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { addUsage, emptyUsage, type FinishReason, type ModelRequest, type StreamPart, type Usage } from '../language-model.js';
import { describeError } from '../logger.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { sseData, sseDone, sseHeaders } from '../../http/sse.js';
import { nextWithin, prepend } from '../stream-iterators.js';
import { toChunk, toUsageChunk } from './chat-response.js';
import { roundRequest, streamRounds } from './tool-rounds.js';
import {
  completionExtensions,
  completionHeaders,
  errorCodeOf,
  finishCompletion,
  type ChatCompletionsDependencies,
  type CompletionContext,
  type CompletionOutcome,
} from './completion-context.js';

/** What a streamed completion has produced so far. */
interface StreamProgress {
  generatedCharacters: number;
  firstTokenAt?: number;
  finishReason?: FinishReason;
  usage?: Usage;
}

interface StartedStream {
  iterator: AsyncIterator<StreamPart>;
  first: IteratorResult<StreamPart>;
}

/**
 * Streams a completion as OpenAI SSE chunks: a role chunk, content,
 * reasoning and tool-call deltas, a finish chunk, a usage chunk when asked,
 * then `[DONE]`. The router may retry until the upstream has produced its
 * first part; nothing reaches the client before that, so no retry is ever
 * visible. After it, chunks are pulled from the upstream only as the client
 * reads, and a failure becomes an error event.
 */
export const streamChatCompletion = async (
  completion: CompletionContext,
  context: RequestContext,
  dependencies: ChatCompletionsDependencies,
): Promise<Response> => {
  const { modelRequest, identity, chat } = completion;
  const upstreamAbort = new AbortController();
  const onClientGone = () => upstreamAbort.abort(new Error('client disconnected'));
  context.clientSignal?.addEventListener('abort', onClientGone, { once: true });
  const finish = (outcome: CompletionOutcome) => {
    context.clientSignal?.removeEventListener('abort', onClientGone);
    context.waitUntil(finishCompletion(dependencies, completion, outcome));
  };

  const upstreamStartedAt = performance.now();
  const maxRounds = completion.mcpTools ? dependencies.config.settings.mcp_max_tool_rounds : 1;
  /** Routes one round; resolves once its first part has arrived, so retries stay invisible. */
  const startRound = async (request: ModelRequest): Promise<AsyncIterator<StreamPart>> => {
    const routed = await dependencies.router.run(
      chat.model,
      async (deployment, signal): Promise<StartedStream> => {
        const iterator = (await deployment.model.stream(request, { abortSignal: signal }))[Symbol.asyncIterator]();
        return { iterator, first: await iterator.next() };
      },
      upstreamAbort.signal,
    );
    completion.deployment = routed.deployment;
    completion.servedModel = routed.modelName;
    return prepend(routed.value.first, routed.value.iterator);
  };
  let source: AsyncIterator<StreamPart>;
  try {
    const first = await startRound(roundRequest(modelRequest, 1, maxRounds, completion.mcpTools));
    source = completion.mcpTools ? streamRounds(first, startRound, completion, dependencies, upstreamAbort.signal) : first;
  } catch (error) {
    finish({
      usage: emptyUsage(),
      costUsd: 0,
      status: error instanceof GatewayError ? error.status : 500,
      outcome: failureOutcome(context.clientSignal),
      latencyMs: performance.now() - completion.arrivedAt,
      errorCode: errorCodeOf(error),
    });
    throw error;
  }
  const idleTimeoutMs = completion.deployment.config.stream_idle_timeout_ms ?? dependencies.config.settings.router.default_stream_idle_timeout_ms;
  const overheadMs = upstreamStartedAt - completion.arrivedAt;
  const progress: StreamProgress = { generatedCharacters: 0 };
  const includeUsage = chat.stream_options?.include_usage === true;
  let settled = false;

  /** Usage and cost so far: earlier tool rounds plus this one (estimated when the upstream never said). */
  const totals = () => {
    const roundUsage = progress.usage ?? estimateUsage(modelRequest, progress.generatedCharacters);
    return { usage: addUsage(completion.priorUsage, roundUsage), costUsd: completion.priorCostUsd + costOf(roundUsage, completion.deployment.config.price) };
  };

  const settle = (outcome: 'success' | 'error' | 'client_disconnected', errorCode?: string) => {
    if (settled) return;
    settled = true;
    finish({
      ...totals(),
      status: 200,
      outcome,
      latencyMs: performance.now() - completion.arrivedAt,
      timeToFirstTokenMs: progress.firstTokenAt === undefined ? undefined : Math.round((progress.firstTokenAt - completion.arrivedAt) * 100) / 100,
      overheadMs,
      errorCode,
      finishReason: progress.finishReason,
    });
  };

  const nextPart = () => nextWithin(source, idleTimeoutMs, upstreamAbort);

  const endStream = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const { usage, costUsd } = totals();
    controller.enqueue(sseData({ ...toChunk(identity, {}, progress.finishReason ?? 'stop'), ...completionExtensions(completion) }));
    if (includeUsage) controller.enqueue(sseData(toUsageChunk(identity, usage, costUsd)));
    controller.enqueue(sseDone());
    controller.close();
    settle('success');
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(sseData(toChunk(identity, { role: 'assistant', content: '' })));
    },
    async pull(controller) {
      try {
        // Bookkeeping parts produce no chunk; keep reading until one does, or the stream would stall.
        for (;;) {
          const next = await nextPart();
          if (next.done) return endStream(controller);
          const deltas = deltasOf(next.value, progress);
          for (const delta of deltas) controller.enqueue(sseData(toChunk(identity, delta)));
          if (deltas.length > 0) return;
        }
      } catch (error) {
        if (upstreamAbort.signal.aborted && !(error instanceof GatewayError)) return;
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
      await source.return?.().catch(() => undefined);
    },
  });

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
