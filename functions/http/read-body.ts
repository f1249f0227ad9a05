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
    const { done, value } = await reader.read();
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
  return parsed as Record<string, unknown>;
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
