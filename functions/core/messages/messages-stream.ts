import { GatewayError, UpstreamError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { addUsage, type MessagesStreamEvent } from '../language-model.js';
import { describeError } from '../logger.js';
import { costOf } from '../pricing.js';
import { failureOutcome } from '../usage/usage-record.js';
import { anthropicErrorBody } from '../../http/responses.js';
import { sseHeaders } from '../../http/sse.js';
import { nextWithin } from '../stream-iterators.js';
import { errorCodeOf, finishMetered, type ChatCompletionsDependencies, type CompletionOutcome } from '../chat/completion-context.js';
import { MessagesUsageTracker } from './messages-events.js';
import { meteredOf, messagesHeaders, type MessagesExchange } from './messages-exchange.js';
import { messagesUpstreamFor } from './messages-upstream.js';
import { loopCostOf, openLoopStream } from './messages-tool-loop.js';

const encoder = new TextEncoder();

/** One Anthropic server-sent event: `event: <type>` and its JSON. */
export const messagesEvent = (event: MessagesStreamEvent): Uint8Array => encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

/** The message's events: the gateway's tool loop when the request names MCP servers, else one routed upstream stream. */
const openEvents = async (exchange: MessagesExchange, dependencies: ChatCompletionsDependencies, signal: AbortSignal): Promise<AsyncIterator<MessagesStreamEvent>> => {
  if (exchange.loop) {
    const events = await openLoopStream(exchange.payload.identity, exchange.loop, dependencies, signal);
    Object.assign(exchange, { deployment: exchange.loop.deployment, servedModel: exchange.loop.servedModel });
    return events;
  }
  const routed = await dependencies.router.run(
    exchange.request.model,
    async (deployment, attemptSignal) => {
      const upstream = messagesUpstreamFor(deployment, exchange.payload);
      return { upstream, events: await upstream.stream(attemptSignal) };
    },
    signal,
  );
  Object.assign(exchange, { deployment: routed.deployment, servedModel: routed.modelName, upstream: routed.value.upstream });
  return routed.value.events;
};

/**
 * Streams a message as Anthropic server-sent events. The router may retry
 * until the upstream has sent its first event; nothing reaches the client
 * before that. After it, events are pulled only as the client reads, usage
 * is followed from `message_start` and `message_delta`, and a failure becomes
 * an `error` event. A stream cut short is billed what it reported, or the
 * output seen (estimated) when it reported nothing.
 */
export const streamMessage = async (exchange: MessagesExchange, context: RequestContext, dependencies: ChatCompletionsDependencies): Promise<Response> => {
  const upstreamAbort = new AbortController();
  const onClientGone = () => upstreamAbort.abort(new Error('client disconnected'));
  context.clientSignal?.addEventListener('abort', onClientGone, { once: true });
  const tracker = new MessagesUsageTracker();
  let settled = false;
  const upstreamStartedAt = performance.now();

  const settle = (outcome: Pick<CompletionOutcome, 'status' | 'outcome' | 'errorCode'>, estimateInput: boolean) => {
    if (settled) return;
    settled = true;
    context.clientSignal?.removeEventListener('abort', onClientGone);
    const reported = tracker.reported();
    const roundUsage = estimateInput && reported.inputTokens + reported.cacheReadTokens + reported.cacheWriteTokens === 0 ? { ...reported, inputTokens: exchange.estimatedInputTokens } : reported;
    const loop = exchange.loop;
    if (loop) Object.assign(exchange, { deployment: loop.deployment, servedModel: loop.servedModel });
    // A loop's message_delta reports every round; before it, the earlier rounds are the loop's own.
    const usage = loop && !tracker.usageFinal ? addUsage(loop.priorUsage, roundUsage) : roundUsage;
    context.waitUntil(
      finishMetered(dependencies, meteredOf(exchange), {
        ...outcome,
        usage,
        costUsd: loop ? loopCostOf(loop, usage) : costOf(usage, exchange.deployment.config.price),
        latencyMs: performance.now() - exchange.arrivedAt,
        timeToFirstTokenMs: tracker.firstTokenAt === undefined ? undefined : Math.round((tracker.firstTokenAt - exchange.arrivedAt) * 100) / 100,
        overheadMs: upstreamStartedAt - exchange.arrivedAt,
        finishReason: tracker.stopReason,
      }),
    );
  };

  let source: AsyncIterator<MessagesStreamEvent>;
  try {
    source = await openEvents(exchange, dependencies, upstreamAbort.signal);
  } catch (error) {
    settle({ status: error instanceof GatewayError ? error.status : 500, outcome: failureOutcome(context.clientSignal), errorCode: errorCodeOf(error) }, context.clientSignal?.aborted === true);
    throw error;
  }

  const idleTimeoutMs = exchange.deployment.config.stream_idle_timeout_ms ?? dependencies.config.settings.router.default_stream_idle_timeout_ms;
  const nextEvent = () => nextWithin(source, idleTimeoutMs, upstreamAbort);

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await nextEvent();
        if (next.done) {
          controller.close();
          settle({ status: 200, outcome: tracker.finished ? 'success' : 'error', errorCode: tracker.finished ? undefined : 'upstream_stream_incomplete' }, false);
          return;
        }
        tracker.observe(next.value);
        controller.enqueue(messagesEvent(next.value));
      } catch (error) {
        if (upstreamAbort.signal.aborted && !(error instanceof GatewayError)) return;
        const gatewayError = error instanceof GatewayError ? error : new UpstreamError(502, 'The upstream stream failed.', { type: 'upstream_error' });
        if (!(error instanceof GatewayError)) dependencies.logger.error('stream failed', { requestId: exchange.requestId, ...describeError(error) });
        controller.enqueue(messagesEvent(anthropicErrorBody(gatewayError)));
        controller.close();
        settle({ status: 200, outcome: 'error', errorCode: gatewayError.code ?? gatewayError.type }, false);
      }
    },
    async cancel() {
      upstreamAbort.abort(new Error('client disconnected'));
      settle({ status: 200, outcome: 'client_disconnected' }, false);
      await source.return?.().catch(() => undefined);
    },
  });

  return new Response(body, {
    status: 200,
    headers: { ...sseHeaders, ...messagesHeaders(exchange), 'x-tollway-overhead-ms': (upstreamStartedAt - exchange.arrivedAt).toFixed(2) },
  });
};
