import { GatewayError } from '../errors.js';
import type { RequestContext } from '../gateway-types.js';
import { addUsage, emptyUsage, type FinishReason, type StreamPart, type Usage } from '../language-model.js';
import { describeError } from '../logger.js';
import { costOf } from '../pricing.js';
import { estimateUsage } from '../usage/estimate-usage.js';
import { failureOutcome } from '../usage/usage-record.js';
import { sseHeaders } from '../../http/sse.js';
import { nextWithin } from '../stream-iterators.js';
import { errorCodeOf, finishMetered, type CompletionOutcome } from '../chat/completion-context.js';
import { startStreamedRounds } from '../chat/tool-rounds.js';
import { keepResponse, leadingItems, mcpCallItems, meteredOf, responsesHeaders, type ResponseExchange, type ResponsesDependencies } from './responses-exchange.js';
import { ResponsesEventWriter, type ResponsesEvent } from './responses-events.js';

const encoder = new TextEncoder();

/** One Responses server-sent event: `event: <type>` and its JSON. */
export const responsesEvent = (event: ResponsesEvent): Uint8Array => encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

/**
 * Streams a response as the Responses API's semantic events. The router may
 * retry until the first part; nothing reaches the client before that. Parts
 * are pulled only as the client reads; the gateway's MCP calls show as
 * `mcp_call` items between rounds; the response is stored before
 * `response.completed` is sent, so a retrieve right after finds it.
 */
export const streamResponse = async (exchange: ResponseExchange, context: RequestContext, dependencies: ResponsesDependencies): Promise<Response> => {
  const { loop } = exchange;
  const upstreamAbort = new AbortController();
  const onClientGone = () => upstreamAbort.abort(new Error('client disconnected'));
  context.clientSignal?.addEventListener('abort', onClientGone, { once: true });
  const upstreamStartedAt = performance.now();
  const progress: { finishReason?: FinishReason; usage?: Usage; generatedCharacters: number; firstTokenAt?: number } = { generatedCharacters: 0 };
  let settled = false;

  const totals = () => {
    const round = progress.usage ?? estimateUsage(loop.modelRequest, progress.generatedCharacters);
    return { usage: addUsage(loop.priorUsage, round), costUsd: loop.priorCostUsd + costOf(round, loop.deployment.config.price) };
  };
  const settle = (outcome: Pick<CompletionOutcome, 'status' | 'outcome' | 'errorCode'>, measured = totals()) => {
    if (settled) return;
    settled = true;
    context.clientSignal?.removeEventListener('abort', onClientGone);
    context.waitUntil(
      finishMetered(dependencies, meteredOf(exchange), {
        ...outcome,
        ...measured,
        latencyMs: performance.now() - exchange.arrivedAt,
        timeToFirstTokenMs: progress.firstTokenAt === undefined ? undefined : Math.round((progress.firstTokenAt - exchange.arrivedAt) * 100) / 100,
        overheadMs: upstreamStartedAt - exchange.arrivedAt,
        finishReason: progress.finishReason,
      }),
    );
  };

  let parts: AsyncIterator<StreamPart>;
  try {
    parts = await startStreamedRounds(loop, dependencies, upstreamAbort.signal);
  } catch (error) {
    const abandoned = context.clientSignal?.aborted ? estimateUsage(loop.modelRequest, 0) : emptyUsage();
    settle({ status: error instanceof GatewayError ? error.status : 500, outcome: failureOutcome(context.clientSignal), errorCode: errorCodeOf(error) }, { usage: abandoned, costUsd: costOf(abandoned, loop.deployment.config.price) });
    throw error;
  }

  const idleTimeoutMs = loop.deployment.config.stream_idle_timeout_ms ?? dependencies.config.settings.router.default_stream_idle_timeout_ms;
  const writer = new ResponsesEventWriter(exchange.identity, exchange.request);
  let pending: ResponsesEvent[] = [...writer.start(), ...writer.items(leadingItems(exchange))];
  let shownCalls = 0;

  const eventsOf = (part: StreamPart): ResponsesEvent[] => {
    // Calls the loop ran since the last part: shown before what the model said after them.
    const events = writer.items(mcpCallItems(exchange, shownCalls));
    shownCalls = loop.executedToolCalls.length;
    if (part.type === 'finish') {
      progress.finishReason = part.finishReason;
      progress.usage = part.usage;
    } else if (part.type === 'text-delta' || part.type === 'reasoning-delta' || part.type === 'tool-call-delta') {
      const characters = part.type === 'tool-call-delta' ? part.argumentsDelta.length : part.text.length;
      if (characters > 0) progress.firstTokenAt ??= performance.now();
      progress.generatedCharacters += characters;
    }
    return [...events, ...writer.translate(part)];
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (pending.length === 0) {
          const next = await nextWithin(parts, idleTimeoutMs, upstreamAbort);
          if (next.done) {
            const measured = totals();
            const { events, response } = writer.finish(progress.finishReason, measured.usage);
            if (progress.usage) await keepResponse(exchange, response, dependencies.responseStore, dependencies.logger);
            for (const event of events) controller.enqueue(responsesEvent(event));
            controller.close();
            settle(progress.usage ? { status: 200, outcome: 'success' } : { status: 200, outcome: 'error', errorCode: 'upstream_stream_incomplete' }, measured);
            return;
          }
          pending = eventsOf(next.value);
        }
        for (const event of pending) controller.enqueue(responsesEvent(event));
        pending = [];
      } catch (error) {
        if (upstreamAbort.signal.aborted && !(error instanceof GatewayError)) return;
        const gatewayError = error instanceof GatewayError ? error : new GatewayError(502, 'The upstream stream failed.', { type: 'upstream_error' });
        if (!(error instanceof GatewayError)) dependencies.logger.error('stream failed', { requestId: exchange.requestId, ...describeError(error) });
        const measured = totals();
        for (const event of writer.fail({ code: gatewayError.code ?? gatewayError.type, message: gatewayError.message }, measured.usage)) controller.enqueue(responsesEvent(event));
        controller.close();
        settle({ status: 200, outcome: 'error', errorCode: gatewayError.code ?? gatewayError.type }, measured);
      }
    },
    async cancel() {
      upstreamAbort.abort(new Error('client disconnected'));
      settle({ status: 200, outcome: 'client_disconnected' });
      await parts.return?.().catch(() => undefined);
    },
  });

  return new Response(body, { status: 200, headers: { ...sseHeaders, ...responsesHeaders(exchange), 'x-tollway-overhead-ms': (upstreamStartedAt - exchange.arrivedAt).toFixed(2) } });
};
