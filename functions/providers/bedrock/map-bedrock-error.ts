import { GatewayError, UpstreamError } from '../../core/errors.js';

interface ErrorFacts {
  name: string;
  message: string;
  status: number | undefined;
  /** Node's system error code (`ECONNRESET`...), for failures below HTTP. */
  systemCode: string | undefined;
}

const readFacts = (error: unknown): ErrorFacts => {
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', message: String(error), status: undefined, systemCode: undefined };
  }
  const record = error as { name?: unknown; message?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    message: typeof record.message === 'string' ? record.message : '',
    status: typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined,
    systemCode: typeof record.code === 'string' ? record.code : undefined,
  };
};

const contextLengthPattern = /too long|too many (input )?tokens|context (window|length)|maximum context/i;

const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Maps a Bedrock failure, named as the SDK names its exceptions (HTTP errors
 * and the stream's exception frames alike), to the error the client receives.
 */
const bedrockErrorFor = (name: string, message: string, status: number | undefined, cause: unknown): UpstreamError => {
  const detail = message || name;
  switch (name) {
    case 'ValidationException':
      return new UpstreamError(400, detail, {
        type: 'invalid_request_error',
        code: contextLengthPattern.test(detail) ? 'context_length_exceeded' : null,
        retryable: false,
        cause,
      });
    // Both are about the gateway's own credentials and configuration, so they are
    // upstream failures (another deployment may work), and their messages, which
    // name the account and role, stay in `cause` rather than going to the client.
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'CredentialsProviderError':
      return new UpstreamError(502, 'Bedrock denied access to the model with the gateway credentials.', { code: 'upstream_access_denied', cause });
    case 'ResourceNotFoundException':
      return new UpstreamError(502, 'Bedrock does not know the configured model id.', { code: 'upstream_model_not_found', cause });
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return new UpstreamError(429, `Bedrock is rate limiting requests: ${detail}`, { code: 'rate_limit_exceeded', retryable: true, cause });
    case 'ModelTimeoutException':
    case 'TimeoutError':
      return new UpstreamError(504, `Bedrock timed out: ${detail}`, { code: 'upstream_timeout', retryable: true, cause });
    case 'ModelNotReadyException':
    case 'ServiceUnavailableException':
      return new UpstreamError(503, `Bedrock is unavailable: ${detail}`, { type: 'upstream_error', code: 'upstream_unavailable', retryable: true, cause });
    case 'InternalServerException':
    case 'ModelErrorException':
    case 'ModelStreamErrorException':
      return new UpstreamError(502, `Bedrock failed: ${detail}`, { code: 'upstream_error', retryable: true, cause });
    default:
      if (status === 429) {
        return new UpstreamError(429, `Bedrock is rate limiting requests: ${detail}`, { code: 'rate_limit_exceeded', retryable: true, cause });
      }
      return new UpstreamError(502, `Bedrock failed: ${detail}`, { code: 'upstream_error', retryable: status === undefined || status >= 500, cause });
  }
};

/**
 * The error an aborted call ends with, whatever node:http threw: a timeout
 * (`AbortSignal.timeout`) is a 504; any other abort (the client left) keeps the
 * caller's own reason, so the core can tell it from an upstream failure and
 * does not retry it. Same rule as the openai-compatible provider.
 */
const abortErrorFor = (signal: AbortSignal): Error => {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new UpstreamError(504, 'Bedrock timed out.', { code: 'upstream_timeout', retryable: true, cause: reason });
  }
  if (reason instanceof Error) return reason;
  return new DOMException('The operation was aborted.', 'AbortError');
};

const missingRegionError = (cause: unknown) =>
  new UpstreamError(500, 'Bedrock has no AWS region to call: set "region" on the model entry, or AWS_REGION.', {
    type: 'server_error',
    code: 'upstream_region_missing',
    // Another deployment (one with a region, another provider) may still answer.
    retryable: true,
    cause,
  });

/**
 * Maps anything the Bedrock client or its event stream throws: the SDK's
 * service exceptions, node:http's network errors (`ECONNRESET` when a
 * connection or a stream is cut, `ECONNREFUSED`...) and aborts. Gateway errors
 * pass through; so does an abort, which the core caused and can recognise.
 */
export const mapBedrockError = (error: unknown, abortSignal?: AbortSignal): Error => {
  if (abortSignal?.aborted) return abortErrorFor(abortSignal);
  if (error instanceof GatewayError) return error;
  const facts = readFacts(error);
  if (facts.name === 'AbortError') return error as Error;
  // The SDK could not read the answer as JSON (a proxy's HTML page, a cut body).
  if (error instanceof SyntaxError) {
    return new UpstreamError(502, 'Bedrock returned a body that is not JSON.', { code: 'upstream_invalid_response', retryable: true, cause: error });
  }
  // The SDK's words when neither the entry nor the environment names a region.
  if (/region is missing|region not accepted/i.test(facts.message)) return missingRegionError(error);
  if (facts.systemCode === 'ETIMEDOUT') return bedrockErrorFor('TimeoutError', facts.message, undefined, error);
  if (facts.systemCode && networkCodes.has(facts.systemCode)) {
    return new UpstreamError(502, `Could not reach Bedrock (${facts.systemCode}).`, {
      code: 'upstream_connection_error',
      retryable: true,
      cause: error,
    });
  }
  return bedrockErrorFor(facts.name, facts.message, facts.status, error);
};
