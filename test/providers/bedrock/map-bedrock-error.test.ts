import {
  AccessDeniedException,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { GatewayError, UpstreamError } from '../../../functions/core/errors.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import { mapBedrockError } from '../../../functions/providers/bedrock/map-bedrock-error.js';
import { stubClient, userText } from './bedrock-test-helpers.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('Bedrock error mapping', () => {
  it.each([
    { error: new ValidationException({ message: 'messages: roles must alternate', ...metadata(400) }), status: 400, type: 'invalid_request_error', code: null, retryable: false },
    { error: new ValidationException({ message: 'Input is too long for requested model.', ...metadata(400) }), status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', retryable: false },
    { error: new AccessDeniedException({ message: 'User: arn:aws:sts::123:assumed-role/x is not authorized', ...metadata(403) }), status: 502, type: 'upstream_error', code: 'upstream_access_denied', retryable: true },
    { error: new ResourceNotFoundException({ message: 'Model not found', ...metadata(404) }), status: 502, type: 'upstream_error', code: 'upstream_model_not_found', retryable: true },
    { error: new ThrottlingException({ message: 'Too many requests', ...metadata(429) }), status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true },
    { error: new ServiceQuotaExceededException({ message: 'Quota', ...metadata(400) }), status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true },
    { error: new ModelTimeoutException({ message: 'Timed out', ...metadata(408) }), status: 504, type: 'timeout_error', code: 'upstream_timeout', retryable: true },
    { error: new ModelNotReadyException({ message: 'Not ready', ...metadata(429) }), status: 503, type: 'upstream_error', code: 'upstream_unavailable', retryable: true },
    { error: new ServiceUnavailableException({ message: 'Unavailable', ...metadata(503) }), status: 503, type: 'upstream_error', code: 'upstream_unavailable', retryable: true },
    { error: new InternalServerException({ message: 'Oops', ...metadata(500) }), status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
    { error: new ModelErrorException({ message: 'Model failed', ...metadata(424) }), status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
    { error: new ModelStreamErrorException({ message: 'Stream failed', ...metadata(424) }), status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
    { error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), status: 502, type: 'upstream_error', code: 'upstream_connection_error', retryable: true },
  ])('maps $error.name ($error.message) to $status $code', ({ error, status, type, code, retryable }) => {
    // Act
    const mapped = mapBedrockError(error);

    // Assess
    expect(mapped).toBeInstanceOf(UpstreamError);
    expect(mapped).toMatchObject({ status, type, code, retryable, cause: error });
  });

  it('keeps the message of a validation error for the client', () => {
    const mapped = mapBedrockError(new ValidationException({ message: 'messages: roles must alternate', ...metadata(400) }));

    expect(mapped.message).toBe('messages: roles must alternate');
  });

  it('does not show the client the account and role named in an access-denied message', () => {
    const mapped = mapBedrockError(new AccessDeniedException({ message: 'User: arn:aws:sts::123456789012:assumed-role/x', ...metadata(403) }));

    expect(mapped.message).not.toContain('123456789012');
  });

  it('passes an abort through unchanged when there is no signal to ask', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');

    expect(mapBedrockError(abort)).toBe(abort);
  });

  it('ends an abort by the client with the reason the core gave, so it is not retried', () => {
    // Prepare
    const controller = new AbortController();
    const reason = new Error('client disconnected');
    controller.abort(reason);

    // Act
    const mapped = mapBedrockError(new DOMException('This operation was aborted', 'AbortError'), controller.signal);

    // Assess
    expect(mapped).toBe(reason);
  });

  it('ends an abort by a timeout signal as a 504', () => {
    const controller = new AbortController();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));

    const mapped = mapBedrockError(new DOMException('This operation was aborted', 'AbortError'), controller.signal);

    expect(mapped).toMatchObject({ status: 504, code: 'upstream_timeout', retryable: true });
  });

  it('maps a socket timeout to 504', () => {
    expect(mapBedrockError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('passes gateway errors through unchanged', () => {
    const error = new GatewayError(400, 'bad');

    expect(mapBedrockError(error)).toBe(error);
  });

  it('maps an unknown service error by its HTTP status', () => {
    expect(mapBedrockError(Object.assign(new Error('Slow down'), { name: 'SomethingNew', $metadata: { httpStatusCode: 429 } }))).toMatchObject({ status: 429 });
    expect(mapBedrockError(Object.assign(new Error('Conflict'), { name: 'ConflictException', $metadata: { httpStatusCode: 409 } }))).toMatchObject({ status: 502, retryable: false });
  });

  it('rejects generate with the mapped error when the client throws', async () => {
    const { client } = stubClient(() => {
      throw new ValidationException({ message: 'The model returned the following errors: prompt is too long', ...metadata(400) });
    });

    const rejection = new BedrockLanguageModel({ modelId: 'amazon.nova-pro-v1:0', client }).generate({ messages: [userText('Hi')] });

    await expect(rejection).rejects.toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});
