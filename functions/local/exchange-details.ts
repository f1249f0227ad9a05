/**
 * Details of a request and its response for the terminal's request lines,
 * read without changing what the gateway sees: the `model` from the first
 * bytes of a JSON body as they stream past, and the `error.code` from a copy
 * of an error response.
 */

/** Enough of a body to find `"model"` near its start. */
const headBytes = 16 * 1024;

/** The request with its body passing through a tap; `model()` answers once the body was read. */
export const tapRequestBody = (request: Request): { request: Request; model: () => string | undefined } => {
  if (!request.body || !(request.headers.get('content-type') ?? 'application/json').includes('json')) return { request, model: () => undefined };
  const chunks: Uint8Array[] = [];
  let kept = 0;
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      if (kept < headBytes) {
        chunks.push(chunk.subarray(0, headBytes - kept));
        kept += Math.min(chunk.byteLength, headBytes - kept);
      }
      controller.enqueue(chunk);
    },
  });
  const tapped = new Request(request, { body: request.body.pipeThrough(tap), duplex: 'half' } as RequestInit);
  return { request: tapped, model: () => (kept > 0 ? modelIn(Buffer.concat(chunks).toString('utf8')) : undefined) };
};

/** `model` of a JSON body, or of its first 16 KB. */
const modelIn = (text: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(text);
    const model = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).model : undefined;
    return typeof model === 'string' ? model.slice(0, 200) : undefined;
  } catch {
    return /"model"\s*:\s*"([^"\\]{1,200})"/.exec(text)?.[1];
  }
};

/** `error.code` (or Anthropic's `error.type`) of an error response, read from a copy; the original is still unread. */
export const errorCodeOf = async (response: Response): Promise<string | undefined> => {
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown; type?: unknown } };
    const code = body.error?.code ?? body.error?.type;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
};
