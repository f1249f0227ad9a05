import { readErrorBody } from '../http/read-error-body.js';
import { UpstreamError } from '../../core/errors.js';
import { parseRetryAfterSeconds } from '../openai-compatible/map-openai-error.js';
import { anthropicErrorBodySchema, type AnthropicErrorDetails } from './anthropic-api-schemas.js';

/** The HTTP status Anthropic documents for each error type, for errors that arrive inside a stream. */
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const contextLengthPattern = /prompt is too long|too many (input )?tokens|context (window|length)/i;

/** Maps an Anthropic error (HTTP status and envelope, when readable) to the error the client receives. */
export const mapAnthropicStatusError = (
  status: number,
  details: AnthropicErrorDetails | undefined,
  headers: Headers = new Headers(),
  cause: unknown = details,
): UpstreamError => {
  const message = details?.message || `Anthropic returned HTTP ${status}`;
  const retryAfterSeconds = parseRetryAfterSeconds(headers);
  if (status === 400) {
    const code = contextLengthPattern.test(message) ? 'context_length_exceeded' : null;
    return new UpstreamError(400, message, { type: 'invalid_request_error', code, retryable: false, cause });
  }
  if (status === 413) {
    return new UpstreamError(400, message, { type: 'invalid_request_error', code: 'request_too_large', retryable: false, cause });
  }
  if (status === 401 || status === 402 || status === 403) {
    // The credential and account are the gateway's, not the client's; the
    // upstream's message stays in `cause` for the logs.
    return new UpstreamError(502, `Anthropic rejected the gateway's credentials or account (HTTP ${status})`, {
      code: 'upstream_auth_failed',
      cause,
    });
  }
  if (status === 404) return new UpstreamError(502, message, { code: 'upstream_model_not_found', cause });
  if (status === 408 || status === 504) return new UpstreamError(504, message, { code: 'upstream_timeout', retryable: true, cause });
  if (status === 429) {
    return new UpstreamError(429, message, {
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterSeconds,
      headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
      cause,
    });
  }
  if (status === 529) {
    return new UpstreamError(503, message, { type: 'upstream_error', code: 'upstream_overloaded', retryable: true, retryAfterSeconds, cause });
  }
  if (status >= 500) return new UpstreamError(502, message, { code: 'upstream_error', retryable: true, retryAfterSeconds, cause });
  return new UpstreamError(502, message, { code: 'upstream_error', retryable: false, cause });
};

/** Reads an Anthropic error envelope (already parsed JSON); `undefined` when it is not one. */
export const parseAnthropicErrorBody = (body: unknown): AnthropicErrorDetails | undefined => {
  const parsed = anthropicErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error : undefined;
};

/** Reads a non-2xx Anthropic response into the matching `UpstreamError`. */
export const anthropicErrorFromResponse = async (response: Response): Promise<UpstreamError> => {
  const { json, text } = await readErrorBody(response);
  const details = parseAnthropicErrorBody(json);
  return mapAnthropicStatusError(response.status, details, response.headers, details ?? { status: response.status, body: text.slice(0, 1000) });
};

/** Maps an error reported inside a 200 response (an `error` stream event or an error body), by its error type. */
export const mapAnthropicInBandError = (details: AnthropicErrorDetails): UpstreamError =>
  mapAnthropicStatusError(statusByErrorType[details.type] ?? 500, details);
