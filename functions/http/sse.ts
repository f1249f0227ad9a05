const encoder = new TextEncoder();

/** One server-sent event carrying a JSON payload. */
export const sseData = (payload: unknown): Uint8Array => encoder.encode(`data: ${JSON.stringify(payload)}\n\n`);

/** The terminator OpenAI clients wait for. */
export const sseDone = (): Uint8Array => encoder.encode('data: [DONE]\n\n');

export const sseHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};
