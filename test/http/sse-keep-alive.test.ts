import { describe, expect, it } from 'vitest';
import { keepEventStreamAlive } from '../../functions/http/sse-keep-alive.js';

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source the test writes to by hand, and whose cancellation it sees. */
const controlledSource = () => {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = undefined;
  const stream = new ReadableStream<Uint8Array>({
    start: (given) => void (controller = given),
    cancel: (reason) => void (cancelled = reason ?? 'cancelled'),
  });
  return { stream, write: (text: string) => controller.enqueue(encoder.encode(text)), end: () => controller.close(), cancelled: () => cancelled };
};

const readAll = async (stream: ReadableStream<Uint8Array>, chunks: string[]) => {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(decoder.decode(next.value));
};

describe('keepEventStreamAlive', () => {
  it('writes a keep-alive comment in quiet stretches, only between events, and passes events as they come', async () => {
    const source = controlledSource();
    const chunks: string[] = [];
    const reading = readAll(keepEventStreamAlive(source.stream, { intervalMs: 30 }), chunks);

    await sleep(80);
    source.write('data: {"a":1}\n\n');
    await sleep(5);
    // Passed on at once, not held for the end.
    expect(chunks.at(-1)).toBe('data: {"a":1}\n\n');
    source.write('data: {"b"');
    await sleep(80);
    source.write(':2}\n\n');
    await sleep(80);
    source.end();
    await reading;

    const text = chunks.join('');
    expect(text.startsWith(': keep-alive\n\n')).toBe(true);
    // Nothing lands inside the half-written event.
    expect(text).toContain('data: {"b":2}\n\n');
    expect(text.endsWith(': keep-alive\n\n')).toBe(true);
    expect(text.split('data:').length - 1).toBe(2);
  });

  it('writes nothing of its own while the source keeps talking', async () => {
    const source = controlledSource();
    const chunks: string[] = [];
    const reading = readAll(keepEventStreamAlive(source.stream, { intervalMs: 50 }), chunks);

    for (let index = 0; index < 5; index += 1) {
      source.write(`data: ${index}\n\n`);
      await sleep(20);
    }
    source.end();
    await reading;

    expect(chunks.join('')).not.toContain('keep-alive');
  });

  it('ends the stream cleanly and cancels the source when the end signal fires', async () => {
    const source = controlledSource();
    const ending = new AbortController();
    const chunks: string[] = [];
    const reading = readAll(keepEventStreamAlive(source.stream, { intervalMs: 10_000, endSignal: ending.signal }), chunks);

    source.write('data: 1\n\n');
    await sleep(10);
    ending.abort();
    await reading;

    expect(chunks).toEqual(['data: 1\n\n']);
    expect(source.cancelled()).toBeDefined();
  });
});
