/** Headers browsers may send and read on cross-origin calls. */
const allowedHeaders = 'authorization, content-type, x-api-key, x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, x-stainless-runtime-version, x-stainless-timeout, mcp-protocol-version, mcp-session-id';
const exposedHeaders = 'x-request-id, x-tollway-cost-usd, x-tollway-overhead-ms, x-tollway-model, x-tollway-deployment, retry-after';

/** The origin to echo back when `origins` (from `settings.cors_origins`; `*` for any) allows it. */
export const allowedOrigin = (request: Request, origins: readonly string[]): string | undefined => {
  const origin = request.headers.get('origin');
  if (!origin || origins.length === 0) return undefined;
  return origins.includes('*') || origins.includes(origin) ? origin : undefined;
};

/** Adds CORS headers to a response for an allowed origin. */
export const withCors = (response: Response, origin: string | undefined): Response => {
  if (!origin) return response;
  response.headers.set('access-control-allow-origin', origin);
  response.headers.set('access-control-expose-headers', exposedHeaders);
  response.headers.append('vary', 'origin');
  return response;
};

/** The answer to a preflight: 204, with the CORS grant only for allowed origins. */
export const preflightResponse = (origin: string | undefined, allowedMethods: string): Response => {
  const headers = new Headers();
  if (origin) {
    headers.set('access-control-allow-origin', origin);
    headers.set('access-control-allow-methods', allowedMethods);
    headers.set('access-control-allow-headers', allowedHeaders);
    headers.set('access-control-max-age', '600');
    headers.set('vary', 'origin');
  }
  return new Response(null, { status: 204, headers });
};
