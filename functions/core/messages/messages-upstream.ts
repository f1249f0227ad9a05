import type { MessagesStreamEvent, ModelRequest, StreamPart, Usage } from '../language-model.js';
import type { Deployment } from '../model-catalog.js';
import { prepend } from '../stream-iterators.js';
import { narrowBetas } from './anthropic-betas.js';
import { MessagesEventTranslator } from './messages-events.js';
import { fromMessagesUsage, toMessage, type MessageIdentity } from './messages-response.js';

/** What one Messages request sends, in both forms: the body as the client sent it, and the neutral request. */
export interface MessagesPayload {
  identity: MessageIdentity;
  /** The client's body without `model` and `stream`, for native upstreams. */
  nativeBody: Record<string, unknown>;
  /** The neutral request, for the others; `translationError` says why there is none (a server tool, a URL image). */
  modelRequest?: ModelRequest;
  translationError?: unknown;
  /** The `anthropic-beta` values the client sent. */
  betas: string[];
}

/** One deployment's way of answering a Messages request: natively, or through the neutral contract. */
export interface MessagesUpstream {
  /** Whether the body is forwarded as it is (Bedrock Claude, Anthropic). */
  native: boolean;
  /** Betas that did not reach the upstream. */
  droppedBetas: string[];
  create(signal: AbortSignal): Promise<{ message: Record<string, unknown>; usage: Usage }>;
  /** Resolves once the first event has arrived, so the router may still retry before the client sees a byte. */
  stream(signal: AbortSignal): Promise<AsyncIterator<MessagesStreamEvent>>;
}

const startedIterator = async <Value>(iterable: AsyncIterable<Value>): Promise<AsyncIterator<Value>> => {
  const iterator = iterable[Symbol.asyncIterator]();
  return prepend(await iterator.next(), iterator);
};

/**
 * An upstream event as the client should see it: without the upstream's own
 * fields (Bedrock's invocation metrics), and with the model named as the client named it.
 */
const asClientEvent = (event: MessagesStreamEvent, model: string): MessagesStreamEvent => {
  const { 'amazon-bedrock-invocationMetrics': _metrics, ...rest } = event;
  if (rest.type === 'message_start' && typeof rest.message === 'object' && rest.message !== null) return { ...rest, message: { ...rest.message, model } } as MessagesStreamEvent;
  return rest as MessagesStreamEvent;
};

async function* nativeEvents(events: AsyncIterable<MessagesStreamEvent>, model: string): AsyncGenerator<MessagesStreamEvent> {
  for await (const event of events) yield asClientEvent(event, model);
}

async function* translatedEvents(identity: MessageIdentity, parts: AsyncIterator<StreamPart>): AsyncGenerator<MessagesStreamEvent> {
  const translator = new MessagesEventTranslator(identity);
  yield* translator.start();
  try {
    for (let next = await parts.next(); !next.done; next = await parts.next()) yield* translator.translate(next.value);
  } finally {
    await parts.return?.();
  }
}

export const messagesUpstreamFor = (deployment: Deployment, payload: MessagesPayload): MessagesUpstream => {
  const api = deployment.model.messagesApi;
  if (api) {
    const { sent, dropped } = narrowBetas(deployment.model.provider, payload.betas);
    const options = (signal: AbortSignal) => ({ betas: sent, abortSignal: signal });
    return {
      native: true,
      droppedBetas: dropped,
      async create(signal) {
        const message = await api.create(payload.nativeBody, options(signal));
        return { message: { ...message, model: payload.identity.model }, usage: fromMessagesUsage(message.usage as Record<string, unknown> | undefined) };
      },
      async stream(signal) {
        return startedIterator(nativeEvents(await api.stream(payload.nativeBody, options(signal)), payload.identity.model));
      },
    };
  }
  const modelRequest = () => {
    if (!payload.modelRequest) throw payload.translationError;
    return payload.modelRequest;
  };
  return {
    native: false,
    droppedBetas: payload.betas,
    async create(signal) {
      const result = await deployment.model.generate(modelRequest(), { abortSignal: signal });
      return { message: toMessage(payload.identity, result), usage: result.usage };
    },
    async stream(signal) {
      // The first part, not the synthetic message_start, is what tells that the upstream took the request.
      const parts = await startedIterator(await deployment.model.stream(modelRequest(), { abortSignal: signal }));
      return translatedEvents(payload.identity, parts);
    },
  };
};
