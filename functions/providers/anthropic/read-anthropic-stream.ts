import type { EventSourceMessage } from 'eventsource-parser/stream';
import { UpstreamError } from '../../core/errors.js';
import type { StreamPart } from '../../core/language-model.js';
import { sseEvents } from '../http/sse-events.js';
import { anthropicStreamEventSchema, type AnthropicStreamEvent } from './anthropic-api-schemas.js';
import { AnthropicStreamTranslator } from './anthropic-stream-translator.js';
import { mapAnthropicInBandError, parseAnthropicErrorBody } from './map-anthropic-error.js';

const invalidEvent = (message: string, cause: unknown) =>
  new UpstreamError(502, message, { code: 'upstream_invalid_response', retryable: true, cause });

const parseEvent = (event: EventSourceMessage): AnthropicStreamEvent => {
  let body: unknown;
  try {
    body = JSON.parse(event.data);
  } catch (error) {
    throw invalidEvent('Anthropic sent a stream event that is not JSON', error);
  }
  const parsed = anthropicStreamEventSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const details = parseAnthropicErrorBody(body);
  if (details) throw mapAnthropicInBandError(details);
  throw invalidEvent('Anthropic sent a stream event the gateway could not read', parsed.error);
};

/**
 * Reads a Messages SSE body as neutral stream parts, ending with one `finish`.
 * `error` events, a broken connection and a stream that stops before the
 * model finished are thrown as `UpstreamError`. Leaving the loop early or
 * aborting cancels the body, which closes the upstream connection.
 */
export async function* readAnthropicStream(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  abortSignal: AbortSignal | undefined,
): AsyncGenerator<StreamPart> {
  const translator = new AnthropicStreamTranslator();
  for await (const message of sseEvents(body, abortSignal)) {
    const event = parseEvent(message);
    yield* translator.translate(event);
    if (event.type === 'message_stop') break;
  }
  yield* translator.finish();
}

/**
 * Waits for the first part before handing the stream over. Anthropic may
 * accept a request with 200 and then send an `error` event (typically
 * `overloaded_error`) before any output; waiting turns that into a rejection
 * of `stream()`, while the router may still retry, instead of an error after
 * the client has its first byte.
 */
export const firstPartReady = async (parts: AsyncGenerator<StreamPart>): Promise<AsyncIterable<StreamPart>> => {
  const first = await parts.next();
  return (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      yield* parts;
    } finally {
      // A consumer that stops after the first part must still close the upstream connection.
      await parts.return(undefined);
    }
  })();
};
