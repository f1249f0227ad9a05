import { GatewayError, invalidRequest } from '../core/errors.js';

/** Reads at most `maxBytes` of a request body; 413 beyond that, without buffering the excess. */
export const readBodyText = async (request: Request, maxBytes: number): Promise<string> => {
  const declaredLength = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      // The client broke the body off (reset, malformed chunked framing): its request, not the gateway, failed.
      throw new GatewayError(400, 'The request body could not be read completely.', { type: 'invalid_request_error', code: 'invalid_body', cause: error });
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(concat(chunks, total));
};

/** Reads and parses a JSON body; 400 for anything that is not a JSON object. */
export const readJsonObject = async (request: Request, maxBytes: number): Promise<Record<string, unknown>> => {
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === '') throw invalidRequest('Request body is empty; expected a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest('Request body is not valid JSON.', null, 'invalid_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('Request body must be a JSON object.', null, 'invalid_json');
  }
  if (nestingDepth(parsed, maxJsonDepth) > maxJsonDepth) {
    throw invalidRequest(`Request body is nested more than ${maxJsonDepth} levels deep.`, null, 'invalid_json');
  }
  return parsed as Record<string, unknown>;
};

/**
 * Far deeper than any real request (tool schemas included); beyond it the
 * recursive JSON.stringify that forwards a body upstream runs out of stack.
 */
const maxJsonDepth = 128;

/** How deep objects and arrays nest in `value`, counted without recursion and only up to `limit + 1`. */
const nestingDepth = (value: unknown, limit: number): number => {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return deepest;
};

const tooLarge = (maxBytes: number) =>
  new GatewayError(413, `Request body is larger than ${maxBytes} bytes.`, { type: 'invalid_request_error', code: 'request_too_large' });

const concat = (chunks: Uint8Array[], total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0];
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
};
