import { readErrorBody } from '../http/read-error-body.js';
import { UpstreamError } from '../../core/errors.js';
import { openAIErrorBodySchema } from './openai-chat-schemas.js';

/** The parts of an upstream error body Tollway uses, whatever shape it came in. */
export interface UpstreamErrorDetails {
  message: string;
  code?: string | number;
  param?: string;
}

/** Reads an error body (already parsed JSON); `undefined` when it is not one. */
export const parseOpenAIErrorBody = (body: unknown): UpstreamErrorDetails | undefined => {
  const parsed = openAIErrorBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  if ('object' in data) return { message: data.message, code: data.code ?? undefined, param: data.param ?? undefined };
  if (typeof data.error === 'string') return { message: data.error };
  return { message: data.error.message, code: data.error.code ?? undefined, param: data.error.param ?? undefined };
};

/**
 * Seconds to wait, from OpenAI's `retry-after-ms` or the standard
 * `Retry-After` (delay in seconds or an HTTP date), rounded up to whole seconds.
 */
export const parseRetryAfterSeconds = (headers: Headers, now: number = Date.now()): number | undefined => {
  const milliseconds = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.ceil(milliseconds / 1000);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
};

/** Maps an upstream HTTP error status (and its body, when readable) to the error the client receives. */
export const mapOpenAIStatusError = (
  status: number,
  details: UpstreamErrorDetails | undefined,
  headers: Headers = new Headers(),
  cause: unknown = details,
): UpstreamError => {
  const message = details?.message || `upstream returned HTTP ${status}`;
  const retryAfterSeconds = parseRetryAfterSeconds(headers);
  const stringCode = typeof details?.code === 'string' ? details.code : null;
  if (status === 400 || status === 413 || status === 422) {
    return new UpstreamError(400, message, {
      type: 'invalid_request_error',
      code: stringCode,
      param: details?.param ?? null,
      retryable: false,
      cause,
    });
  }
  if (status === 401 || status === 403) {
    // The credential is the gateway's, not the client's; the upstream's message
    // (which may echo part of the key) stays in `cause` for the logs.
    return new UpstreamError(502, `upstream rejected the gateway's credentials (HTTP ${status})`, {
      code: 'upstream_auth_failed',
      cause,
    });
  }
  if (status === 404) return new UpstreamError(502, message, { code: 'upstream_model_not_found', cause });
  if (status === 408) return new UpstreamError(504, message, { code: 'upstream_timeout', retryable: true, cause });
  if (status === 429) {
    return new UpstreamError(429, message, {
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterSeconds,
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
      cause,
    });
  }
  if (status >= 500) return new UpstreamError(502, message, { code: 'upstream_error', retryable: true, retryAfterSeconds, cause });
  return new UpstreamError(502, message, { code: 'upstream_error', retryable: false, cause });
};

/** Reads a non-2xx upstream response into the matching `UpstreamError`. */
export const openAIErrorFromResponse = async (response: Response): Promise<UpstreamError> => {
  const { json, text } = await readErrorBody(response);
  const details = parseOpenAIErrorBody(json);
  return mapOpenAIStatusError(response.status, details, response.headers, details ?? { status: response.status, body: text.slice(0, 1000) });
};

/**
 * Maps an error the upstream reported inside a 200 response (an SSE `error`
 * event or an error body). A numeric code is read as the HTTP status it stands for.
 */
export const mapOpenAIInBandError = (details: UpstreamErrorDetails): UpstreamError => {
  if (typeof details.code === 'number' && details.code >= 400 && details.code < 600) {
    return mapOpenAIStatusError(details.code, details);
  }
  return new UpstreamError(502, details.message, {
    code: typeof details.code === 'string' ? details.code : 'upstream_error',
    retryable: true,
    cause: details,
  });
};
