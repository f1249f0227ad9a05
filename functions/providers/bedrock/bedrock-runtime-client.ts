import { AwsClient, type AwsRequest } from '../../aws/aws-client.js';
import type { CredentialProvider } from '../../aws/credentials.js';
import { readEventStream, type StreamEvent } from '../../aws/event-stream.js';
import { UpstreamError } from '../../core/errors.js';
import type { ConverseRequest } from './bedrock-wire-types.js';

export interface BedrockRuntimeClientOptions {
  /** Where the models are called; without a region every call fails with a configuration error. */
  region: string | undefined;
  /** Another endpoint than the regional one (tests). */
  endpoint?: string;
  /** The environment's credentials (or the SDK's default chain) when absent. */
  credentials?: CredentialProvider;
}

const eventStreamType = 'application/vnd.amazon.eventstream';

const modelPath = (modelId: string, operation: 'converse' | 'converse-stream' | 'invoke'): string =>
  `/model/${encodeURIComponent(modelId)}/${operation}`;

const missingRegionError = () =>
  new UpstreamError(500, 'Bedrock has no AWS region to call: set "region" on the model entry, or AWS_REGION.', {
    type: 'server_error',
    code: 'upstream_region_missing',
    // Another deployment (one with a region, another provider) may still answer.
    retryable: true,
  });

const notJsonError = (modelId: string, cause: unknown) =>
  new UpstreamError(502, `Bedrock model ${modelId} returned a body that is not JSON.`, { code: 'upstream_invalid_response', retryable: true, cause });

/**
 * Amazon Bedrock Runtime over the small SigV4 client: Converse, ConverseStream
 * and InvokeModel, with the wire bodies as they travel (REST JSON). Service
 * errors are thrown as `AwsServiceError`s named as the SDK names them; what
 * comes back is validated by the caller.
 */
export class BedrockRuntimeClient {
  readonly region: string | undefined;
  private readonly http: AwsClient | undefined;

  constructor(options: BedrockRuntimeClientOptions) {
    this.region = options.region;
    this.http =
      options.region === undefined
        ? undefined
        : new AwsClient({
            service: 'bedrock-runtime',
            signingName: 'bedrock',
            region: options.region,
            endpoint: options.endpoint,
            credentials: options.credentials,
            // The gateway's router retries and falls back across deployments; retries
            // underneath would multiply the wait before it can fail over.
            maxAttempts: 1,
          });
  }

  /** Converse: the model's whole answer, as JSON not validated yet. */
  converse(modelId: string, request: ConverseRequest, signal?: AbortSignal): Promise<unknown> {
    return this.json(modelId, { path: modelPath(modelId, 'converse'), headers: { 'content-type': 'application/json' }, body: JSON.stringify(request), signal });
  }

  /** ConverseStream: the answer's events as `{ <event type>: payload }`; an exception frame is thrown as an `AwsServiceError`. */
  async converseStream(modelId: string, request: ConverseRequest, signal?: AbortSignal): Promise<AsyncIterable<StreamEvent>> {
    const response = await this.client().send({
      path: modelPath(modelId, 'converse-stream'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal,
    });
    if (!String(response.headers['content-type'] ?? '').startsWith(eventStreamType)) {
      response.body.destroy();
      throw new UpstreamError(502, 'Bedrock answered without an event stream.', { code: 'upstream_invalid_response' });
    }
    return readEventStream(response.body);
  }

  /** InvokeModel with a JSON body: the model's JSON answer, not validated yet. */
  invokeModel(modelId: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.json(modelId, {
      path: modelPath(modelId, 'invoke'),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  }

  private client(): AwsClient {
    if (!this.http) throw missingRegionError();
    return this.http;
  }

  private async json(modelId: string, request: AwsRequest): Promise<unknown> {
    try {
      return await this.client().json(request);
    } catch (error) {
      // Only the answer's JSON.parse throws a SyntaxError here: the body is not JSON.
      if (error instanceof SyntaxError) throw notJsonError(modelId, error);
      throw error;
    }
  }
}
