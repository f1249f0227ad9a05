import { GatewayError, UpstreamError } from '../../core/errors.js';

/** undici and Node codes that mean the upstream took too long, not that it is gone. */
const timeoutCodes = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The first string `code` on the error or its causes (fetch hides the socket error in `cause`). */
const systemCodeOf = (error: unknown): string | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
};

const timeoutError = (cause: unknown) => new UpstreamError(504, 'upstream timed out', { code: 'upstream_timeout', retryable: true, cause });

/**
 * The error an aborted call ends with. A timeout (`AbortSignal.timeout`) is a
 * 504; any other abort (the client left) keeps the caller's own reason, so the
 * core can tell it from an upstream failure and does not retry it.
 */
export const abortErrorFor = (signal: AbortSignal): Error => {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return timeoutError(reason);
  if (reason instanceof Error) return reason;
  return new DOMException('The operation was aborted.', 'AbortError');
};

/**
 * Maps a failure of `fetch` (phase `request`) or of reading a streamed body
 * (phase `stream`) to an `UpstreamError`; aborts go through `abortErrorFor`.
 */
export const mapFetchError = (error: unknown, signal: AbortSignal | undefined, phase: 'request' | 'stream'): Error => {
  if (signal?.aborted) return abortErrorFor(signal);
  if (error instanceof GatewayError) return error;
  const systemCode = systemCodeOf(error);
  if ((systemCode && timeoutCodes.has(systemCode)) || (error instanceof Error && error.name === 'TimeoutError')) {
    return timeoutError(error);
  }
  // The code says what happened without echoing internal host names to the client.
  const detail = systemCode ?? (error instanceof Error ? error.message : String(error));
  if (phase === 'stream') {
    return new UpstreamError(502, `upstream connection lost mid-stream (${detail})`, {
      code: 'upstream_connection_lost',
      retryable: true,
      cause: error,
    });
  }
  return new UpstreamError(502, `could not reach the upstream (${detail})`, { code: 'upstream_unreachable', retryable: true, cause: error });
};
