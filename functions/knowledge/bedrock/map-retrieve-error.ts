import { GatewayError, UpstreamError } from '../../core/errors.js';

const nameOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : 'Error';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Node's system error code (`ECONNRESET`...), for failures below HTTP. */
const systemCodeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;

const networkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * A failed Retrieve call as the error the client gets. Bedrock's own
 * messages go to the client only for validation errors (a bad filter is the
 * client's to fix); the others can name accounts and roles, so they stay in
 * `cause`.
 */
export const mapRetrieveError = (error: unknown, knowledgeBase: string, abortSignal?: AbortSignal): Error => {
  if (error instanceof GatewayError) return error;
  if (abortSignal?.aborted) return abortSignal.reason instanceof Error ? abortSignal.reason : new DOMException('The operation was aborted.', 'AbortError');
  const systemCode = systemCodeOf(error);
  if (systemCode && networkCodes.has(systemCode)) {
    return new UpstreamError(502, `Could not reach Bedrock to search knowledge base "${knowledgeBase}" (${systemCode}).`, {
      code: 'upstream_connection_error',
      retryable: true,
      cause: error,
    });
  }
  // The SDK's words when neither the knowledge base nor the environment names a region.
  if (/region is missing|region not accepted/i.test(messageOf(error))) {
    return new GatewayError(500, 'Bedrock knowledge bases have no AWS region to call: set "region" on the knowledge base, or AWS_REGION.', {
      type: 'server_error',
      code: 'knowledge_base_unavailable',
      cause: error,
    });
  }
  const name = systemCode === 'ETIMEDOUT' ? 'TimeoutError' : nameOf(error);
  switch (name) {
    case 'AbortError':
      return error as Error;
    case 'ValidationException':
      return new UpstreamError(400, `Bedrock rejected the search: ${messageOf(error)}`, { type: 'invalid_request_error', code: 'invalid_value', retryable: false, cause: error });
    case 'ResourceNotFoundException':
      return new UpstreamError(502, `Bedrock does not know the knowledge base configured as "${knowledgeBase}".`, {
        code: 'upstream_knowledge_base_not_found',
        retryable: false,
        cause: error,
      });
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'CredentialsProviderError':
      return new UpstreamError(502, `Bedrock denied access to knowledge base "${knowledgeBase}" with the gateway credentials.`, {
        code: 'upstream_access_denied',
        retryable: false,
        cause: error,
      });
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
      return new UpstreamError(429, 'Bedrock is rate limiting knowledge-base searches.', { code: 'rate_limit_exceeded', retryable: true, cause: error });
    case 'TimeoutError':
      return new UpstreamError(504, 'Bedrock did not answer the knowledge-base search in time.', { code: 'upstream_timeout', retryable: true, cause: error });
    default:
      return new UpstreamError(502, `Bedrock failed to search knowledge base "${knowledgeBase}" (${name}).`, { code: 'upstream_error', retryable: true, cause: error });
  }
};
