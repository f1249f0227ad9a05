/** OpenAI-style error types used in the `{"error": {...}}` envelope. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'timeout_error'
  | 'server_error';

export interface GatewayErrorOptions {
  type?: ErrorType;
  code?: string | null;
  param?: string | null;
  headers?: Record<string, string>;
  cause?: unknown;
}

const defaultTypeForStatus = (status: number): ErrorType => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500 && status < 600 && status !== 500) return 'upstream_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
};

/** An error that becomes an OpenAI error envelope with the given HTTP status. */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = status;
    this.type = options.type ?? defaultTypeForStatus(status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  /** The JSON body clients receive. */
  toEnvelope(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** A failure reported by (or while talking to) an upstream provider. */
export class UpstreamError extends GatewayError {
  /** Whether trying again (same or another deployment) may succeed. */
  readonly retryable: boolean;
  /** Seconds the upstream asked us to wait, when it said so. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    message: string,
    options: GatewayErrorOptions & { retryable?: boolean; retryAfterSeconds?: number } = {},
  ) {
    super(status, message, options);
    this.name = 'UpstreamError';
    this.retryable = options.retryable ?? (status === 429 || status >= 500);
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, message, { param, code });

export const isGatewayError = (error: unknown): error is GatewayError => error instanceof GatewayError;
