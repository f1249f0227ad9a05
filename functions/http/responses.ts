import { GatewayError } from '../core/errors.js';

const jsonHeaders = { 'content-type': 'application/json' };

/** Which error body a route answers with: OpenAI's `{"error": {...}}` or Anthropic's `{"type": "error", "error": {...}}`. */
export type ErrorEnvelope = 'openai' | 'anthropic';

/** A JSON response. */
export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });

/** Anthropic's error types by status, as its API and SDKs use them. */
const anthropicErrorType = (status: number): string => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

/** The Anthropic error body for a gateway error; `code` keeps Tollway's reason (`budget_exceeded`...). */
export const anthropicErrorBody = (error: GatewayError) => ({
  type: 'error' as const,
  error: { type: anthropicErrorType(error.status), message: error.message, ...(error.code ? { code: error.code } : {}) },
});

/** The error envelope for any thrown value; unknown errors become a generic 500 without internals. */
export const errorResponse = (error: unknown, envelope: ErrorEnvelope = 'openai'): Response => {
  const gatewayError = error instanceof GatewayError ? error : new GatewayError(500, 'Internal error', { type: 'server_error' });
  const body = envelope === 'anthropic' ? anthropicErrorBody(gatewayError) : gatewayError.toEnvelope();
  return jsonResponse(gatewayError.status, body, gatewayError.headers);
};
