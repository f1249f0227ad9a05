import { GatewayError } from '../core/errors.js';

const jsonHeaders = { 'content-type': 'application/json' };

/** A JSON response. */
export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });

/** The OpenAI error envelope for any thrown value; unknown errors become a generic 500 without internals. */
export const errorResponse = (error: unknown): Response => {
  const gatewayError = error instanceof GatewayError ? error : new GatewayError(500, 'Internal error', { type: 'server_error' });
  return jsonResponse(gatewayError.status, gatewayError.toEnvelope(), gatewayError.headers);
};
