import { EventStreamCodec, getChunkedStream } from '@smithy/core/event-streams';
import { AwsServiceError } from './aws-service-error.js';

/** One event of an AWS event stream: `{ contentBlockDelta: {...} }`, as the AWS SDK hands them out. */
export type StreamEvent = Record<string, unknown>;

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => textDecoder.decode(bytes),
  (text) => textEncoder.encode(text),
);

const headerText = (headers: Record<string, { value: unknown }>, name: string): string | undefined => {
  const value = headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
};

const parsePayload = (body: Uint8Array): unknown => {
  const text = textDecoder.decode(body);
  return text === '' ? {} : JSON.parse(text);
};

/** Exceptions a stream can end with that are the service's fault, not the request's. */
const serverExceptions = new Set(['InternalServerException', 'ServiceUnavailableException', 'ModelStreamErrorException']);

/**
 * Reads an `application/vnd.amazon.eventstream` body (each frame's CRCs
 * checked by the codec): yields each event as `{ <event type>: payload }` and
 * throws an exception frame as an `AwsServiceError` named as the SDK names it
 * (`throttlingException` → `ThrottlingException`).
 */
export async function* readEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamEvent> {
  for await (const frame of getChunkedStream(body)) {
    const message = codec.decode(frame);
    const headers = message.headers as Record<string, { value: unknown }>;
    const messageType = headerText(headers, ':message-type');
    if (messageType === 'event') {
      const eventType = headerText(headers, ':event-type');
      if (eventType) yield { [eventType]: parsePayload(message.body) };
      continue;
    }
    if (messageType === 'exception') {
      const type = headerText(headers, ':exception-type') ?? 'UnknownException';
      const payload = parsePayload(message.body) as { message?: unknown; Message?: unknown };
      const text = typeof payload.message === 'string' ? payload.message : typeof payload.Message === 'string' ? payload.Message : type;
      const name = type.charAt(0).toUpperCase() + type.slice(1);
      throw new AwsServiceError(name, text, { details: payload as Record<string, unknown>, fault: serverExceptions.has(name) ? 'server' : 'client' });
    }
    const code = headerText(headers, ':error-code') ?? 'UnknownError';
    throw new AwsServiceError(code, headerText(headers, ':error-message') ?? code, { fault: 'server' });
  }
}
