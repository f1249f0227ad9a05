import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { abortErrorFor, mapFetchError } from '../openai-compatible/map-fetch-error.js';

/**
 * The events of a server-sent-events body, parsed with eventsource-parser,
 * events without data skipped. A broken connection is thrown as a mapped
 * upstream error, an abort as the abort's error; leaving the loop early or
 * aborting cancels the body, which closes the upstream connection.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array<ArrayBuffer>>, abortSignal: AbortSignal | undefined): AsyncGenerator<EventSourceMessage> {
  const reader = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  abortSignal?.addEventListener('abort', cancel, { once: true });
  try {
    while (true) {
      if (abortSignal?.aborted) throw abortErrorFor(abortSignal);
      let result: ReadableStreamReadResult<EventSourceMessage>;
      try {
        result = await reader.read();
      } catch (error) {
        throw mapFetchError(error, abortSignal, 'stream');
      }
      if (abortSignal?.aborted) throw abortErrorFor(abortSignal);
      if (result.done) return;
      if (result.value.data.trim() === '') continue;
      yield result.value;
    }
  } finally {
    abortSignal?.removeEventListener('abort', cancel);
    cancel();
  }
}
