import { readFileSync } from 'node:fs';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../functions/aws/aws-service-error.js';
import { readEventStream, type StreamEvent } from '../../functions/aws/event-stream.js';

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/** The recorded ConverseStream events, one per line, as the SDK decoded them. */
const recordedEvents = (name: string): StreamEvent[] =>
  readFileSync(new URL(`../fixtures/bedrock-converse/${name}.chunks.txt`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StreamEvent);

const stringHeader = (value: string) => ({ type: 'string' as const, value });

/** One frame as Bedrock sends it: the event's type in the headers, its payload as JSON. */
const eventFrame = (event: StreamEvent): Uint8Array => {
  const [eventType, payload] = Object.entries(event)[0];
  return codec.encode({
    headers: { ':message-type': stringHeader('event'), ':event-type': stringHeader(eventType), ':content-type': stringHeader('application/json') },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
};

const exceptionFrame = (type: string, message: string): Uint8Array =>
  codec.encode({
    headers: { ':message-type': stringHeader('exception'), ':exception-type': stringHeader(type), ':content-type': stringHeader('application/json') },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  });

/** The frames joined and cut again into pieces of `size` bytes, as the network delivers them. */
async function* inPiecesOf(frames: Uint8Array[], size: number): AsyncGenerator<Uint8Array> {
  const all = Buffer.concat(frames);
  for (let offset = 0; offset < all.length; offset += size) yield all.subarray(offset, offset + size);
}

const readAll = async (body: AsyncIterable<Uint8Array>) => {
  const events: StreamEvent[] = [];
  for await (const event of readEventStream(body)) events.push(event);
  return events;
};

describe('readEventStream', () => {
  it.each([1, 7, 100, 65_536])('reads the recorded reasoning stream back, whatever the network cuts it into (%i bytes)', async (size) => {
    // Prepare
    const events = recordedEvents('reasoning');

    // Act
    const decoded = await readAll(inPiecesOf(events.map(eventFrame), size));

    // Assess
    expect(decoded).toEqual(events);
  });

  it('throws an exception frame as the SDK-named error, after the events before it', async () => {
    // Prepare
    const events = recordedEvents('text').slice(0, 3);
    const decoded: StreamEvent[] = [];

    // Act
    const error = await (async () => {
      for await (const event of readEventStream(inPiecesOf([...events.map(eventFrame), exceptionFrame('throttlingException', 'Too many tokens')], 50))) decoded.push(event);
    })().catch((caught: unknown) => caught);

    // Assess
    expect(decoded).toEqual(events);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Too many tokens', $fault: 'client' });
  });

  it('marks a stream that failed on the service side as a server fault', async () => {
    const error = await readAll(inPiecesOf([exceptionFrame('modelStreamErrorException', 'model failed')], 64)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ModelStreamErrorException', $fault: 'server' });
  });

  it('refuses a frame whose checksum does not match', async () => {
    // Prepare
    const frame = Buffer.from(eventFrame(recordedEvents('text')[0]));
    frame[frame.length - 10] ^= 0xff;

    // Act
    const error = await readAll(inPiecesOf([frame], 64)).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toMatch(/checksum/i);
  });
});
