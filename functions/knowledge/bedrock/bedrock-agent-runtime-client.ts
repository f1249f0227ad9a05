import { AwsClient } from '../../aws/aws-client.js';
import type { CredentialProvider } from '../../aws/credentials.js';
import { GatewayError } from '../../core/errors.js';
import type { RetrieveRequest } from './bedrock-retrieve-types.js';

/** Port: what the retriever needs of Bedrock Agent Runtime. */
export interface RetrieveClient {
  /** One Retrieve call: the answer as JSON, not validated yet. */
  retrieve(knowledgeBaseId: string, request: RetrieveRequest, signal?: AbortSignal): Promise<unknown>;
}

export interface BedrockAgentRuntimeClientOptions {
  /** Where the knowledge bases live; without a region every call fails with a configuration error. */
  region: string | undefined;
  /** Another endpoint than the regional one (tests). */
  endpoint?: string;
  /** The environment's credentials (or the SDK's default chain) when absent. */
  credentials?: CredentialProvider;
  /** Attempts per search: 2, one more try for throttling, server faults and lost connections. */
  maxAttempts?: number;
}

/**
 * Amazon Bedrock Agent Runtime's Retrieve over the small SigV4 client. Service
 * errors are thrown as `AwsServiceError`s named as the SDK names them.
 */
export class BedrockAgentRuntimeClient implements RetrieveClient {
  readonly region: string | undefined;
  private readonly http: AwsClient | undefined;

  constructor(options: BedrockAgentRuntimeClientOptions) {
    this.region = options.region;
    this.http =
      options.region === undefined
        ? undefined
        : new AwsClient({
            service: 'bedrock-agent-runtime',
            signingName: 'bedrock',
            region: options.region,
            endpoint: options.endpoint,
            credentials: options.credentials,
            maxAttempts: options.maxAttempts ?? 2,
          });
  }

  async retrieve(knowledgeBaseId: string, request: RetrieveRequest, signal?: AbortSignal): Promise<unknown> {
    if (!this.http) {
      throw new GatewayError(500, 'Bedrock knowledge bases have no AWS region to call: set "region" on the knowledge base, or AWS_REGION.', {
        type: 'server_error',
        code: 'knowledge_base_unavailable',
      });
    }
    return this.http.json({
      path: `/knowledgebases/${encodeURIComponent(knowledgeBaseId)}/retrieve`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal,
    });
  }
}
