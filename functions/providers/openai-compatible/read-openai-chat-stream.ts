import type { EventSourceMessage } from 'eventsource-parser/stream';
import { UpstreamError } from '../../core/errors.js';
import type { StreamPart } from '../../core/language-model.js';
import { sseEvents } from '../http/sse-events.js';
import { mapOpenAIInBandError, parseOpenAIErrorBody } from './map-openai-error.js';
import { openAIChatChunkSchema, type OpenAIChatChunk } from './openai-chat-schemas.js';
import { OpenAIChatStreamTranslator } from './openai-chat-stream-translator.js';

export interface ReadOpenAIChatStreamOptions {
  abortSignal?: AbortSignal;
  generateId: () => string;
}

const invalidChunk = (message: string, cause: unknown) =>
  new UpstreamError(502, message, { code: 'upstream_invalid_response', retryable: true, cause });

const parseChunk = (event: EventSourceMessage): OpenAIChatChunk => {
  let body: unknown;
  try {
    body = JSON.parse(event.data);
  } catch (error) {
    throw invalidChunk('upstream sent a stream event that is not JSON', error);
  }
  const details = parseOpenAIErrorBody(body);
  if (details) throw mapOpenAIInBandError(details);
  if (event.event === 'error') throw mapOpenAIInBandError({ message: 'upstream reported an error mid-stream' });
  const parsed = openAIChatChunkSchema.safeParse(body);
  if (!parsed.success) throw invalidChunk('upstream sent a stream chunk that is not a chat completion chunk', parsed.error);
  return parsed.data;
};

/**
 * Reads a Chat Completions SSE body as neutral stream parts, ending with one
 * `finish`. Upstream errors, a broken connection and a stream that stops
 * before the model finished are thrown as `UpstreamError`. Leaving the loop
 * early or aborting cancels the body, which closes the upstream connection.
 */
export async function* readOpenAIChatStream(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  { abortSignal, generateId }: ReadOpenAIChatStreamOptions,
): AsyncGenerator<StreamPart> {
  const translator = new OpenAIChatStreamTranslator(generateId);
  let sawDone = false;
  for await (const message of sseEvents(body, abortSignal)) {
    if (message.data.trim() === '[DONE]') {
      sawDone = true;
      break;
    }
    yield* translator.translate(parseChunk(message));
  }
  if (!sawDone && !translator.hasFinished) {
    throw new UpstreamError(502, 'upstream stream ended early', { code: 'upstream_stream_incomplete', retryable: true });
  }
  yield* translator.finish();
}
