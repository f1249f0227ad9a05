import { afterEach, describe, expect, it } from 'vitest';
import { AccessDeniedException, BedrockRuntimeServiceException, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { GatewayError, UpstreamError } from '../../../functions/core/errors.js';
import { BedrockLanguageModel } from '../../../functions/providers/bedrock/bedrock-language-model.js';
import { mapBedrockError } from '../../../functions/providers/bedrock/map-bedrock-error.js';
import { modelAnswering, userText } from './bedrock-test-helpers.js';
import { bedrockClientAt, startLocalBedrock, stopLocalBedrocks } from '../../support/local-bedrock.js';

/** What `generate` rejects with when Bedrock answers `status` with the error `errorType`. */
const generateFailingWith = async (status: number, errorType: string, message: string) => {
  const { model } = await modelAnswering(() => ({ status, errorType, message }));
  return model.generate({ messages: [userText('Hi')] }).then(
    () => {
      throw new Error('expected generate to fail');
    },
    (error: unknown) => error,
  );
};

describe('Bedrock error mapping', () => {
  afterEach(stopLocalBedrocks);

  it.each([
    { name: 'ValidationException', message: 'messages: roles must alternate', httpStatus: 400, status: 400, type: 'invalid_request_error', code: null, retryable: false },
    { name: 'ValidationException', message: 'Input is too long for requested model.', httpStatus: 400, status: 400, type: 'invalid_request_error', code: 'context_length_exceeded', retryable: false },
    { name: 'AccessDeniedException', message: 'User: arn:aws:sts::123:assumed-role/x is not authorized', httpStatus: 403, status: 502, type: 'upstream_error', code: 'upstream_access_denied', retryable: true },
    { name: 'ResourceNotFoundException', message: 'Model not found', httpStatus: 404, status: 502, type: 'upstream_error', code: 'upstream_model_not_found', retryable: true },
    { name: 'ThrottlingException', message: 'Too many requests', httpStatus: 429, status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true },
    { name: 'ServiceQuotaExceededException', message: 'Quota', httpStatus: 400, status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true },
    { name: 'ModelTimeoutException', message: 'Timed out', httpStatus: 408, status: 504, type: 'timeout_error', code: 'upstream_timeout', retryable: true },
    { name: 'ModelNotReadyException', message: 'Not ready', httpStatus: 429, status: 503, type: 'upstream_error', code: 'upstream_unavailable', retryable: true },
    { name: 'ServiceUnavailableException', message: 'Unavailable', httpStatus: 503, status: 503, type: 'upstream_error', code: 'upstream_unavailable', retryable: true },
    { name: 'InternalServerException', message: 'Oops', httpStatus: 500, status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
    { name: 'ModelErrorException', message: 'Model failed', httpStatus: 424, status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
    { name: 'ModelStreamErrorException', message: 'Stream failed', httpStatus: 424, status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true },
  ])('maps $name ($message), answered with HTTP $httpStatus, to $status $code', async ({ name, message, httpStatus, status, type, code, retryable }) => {
    // Act
    const mapped = await generateFailingWith(httpStatus, name, message);

    // Assess
    expect(mapped).toBeInstanceOf(UpstreamError);
    expect(mapped).toMatchObject({ status, type, code, retryable });
    expect((mapped as UpstreamError).cause).toBeInstanceOf(BedrockRuntimeServiceException);
    expect((mapped as UpstreamError).cause).toMatchObject({ name, message, $metadata: { httpStatusCode: httpStatus } });
  });

  it('keeps the message of a validation error for the client', () => {
    const mapped = mapBedrockError(new ValidationException({ message: 'messages: roles must alternate', $metadata: { httpStatusCode: 400 } }));

    expect(mapped.message).toBe('messages: roles must alternate');
  });

  it('does not show the client the account and role named in an access-denied message', () => {
    const mapped = mapBedrockError(new AccessDeniedException({ message: 'User: arn:aws:sts::123456789012:assumed-role/x', $metadata: { httpStatusCode: 403 } }));

    expect(mapped.message).not.toContain('123456789012');
  });

  it('maps a connection Bedrock drops before answering to a retryable 502', async () => {
    const { model } = await modelAnswering(() => 'reset');

    const rejection = model.generate({ messages: [userText('Hi')] });

    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_connection_error', retryable: true, cause: { code: 'ECONNRESET' } });
  });

  it('maps a refused connection to a retryable 502', async () => {
    // Prepare: an endpoint nothing listens on any more.
    const { endpoint } = await startLocalBedrock(() => ({ json: {} }));
    await stopLocalBedrocks();
    const model = new BedrockLanguageModel({ modelId: 'amazon.nova-pro-v1:0', client: bedrockClientAt(endpoint) });

    // Act
    const rejection = model.generate({ messages: [userText('Hi')] });

    // Assess
    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_connection_error', retryable: true, cause: { code: 'ECONNREFUSED' } });
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

  it('ends a call whose timeout signal fires while Bedrock has not answered as a 504', async () => {
    const { model } = await modelAnswering(() => 'hang');

    const rejection = model.generate({ messages: [userText('Hi')] }, { abortSignal: AbortSignal.timeout(50) });

    await expect(rejection).rejects.toMatchObject({ status: 504, code: 'upstream_timeout', retryable: true });
  });

  it('maps a socket timeout to 504', () => {
    expect(mapBedrockError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('passes gateway errors through unchanged', () => {
    const error = new GatewayError(400, 'bad');

    expect(mapBedrockError(error)).toBe(error);
  });

  it('maps an unknown service error by its HTTP status', async () => {
    expect(await generateFailingWith(429, 'SomethingNew', 'Slow down')).toMatchObject({ status: 429, retryable: true });
    expect(await generateFailingWith(409, 'ConflictException', 'Conflict')).toMatchObject({ status: 502, retryable: false });
  });

  it('maps a server fault Bedrock answers without an error type (a proxy page) to a retryable 502', async () => {
    const { model } = await modelAnswering(() => ({ status: 502, contentType: 'text/html', text: '<html>Bad gateway</html>' }));

    const rejection = model.generate({ messages: [userText('Hi')] });

    // The SDK reports a body it cannot parse as a SyntaxError, without the status.
    await expect(rejection).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_response', retryable: true });
  });

  it('rejects generate with the mapped error when Bedrock refuses the prompt as too long', async () => {
    const error = await generateFailingWith(400, 'ValidationException', 'The model returned the following errors: prompt is too long');

    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });
});
