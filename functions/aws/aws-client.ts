import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';
import { defaultCredentials, type CredentialProvider } from './credentials.js';
import { isRetryableServiceError, serviceErrorOf } from './aws-service-error.js';
import { dnsSuffixOf } from './regions.js';

export interface AwsClientOptions {
  /** The endpoint prefix: `dynamodb`, `bedrock-runtime`, `secretsmanager`. */
  service: string;
  /** The name requests are signed for, when it differs from `service` (`bedrock` for `bedrock-runtime`). */
  signingName?: string;
  region: string;
  /** Another endpoint than the service's regional one (dynalite, tests). */
  endpoint?: string;
  credentials?: CredentialProvider;
  /** Attempts per request: throttling, server faults and lost connections are tried again with jittered backoff. 1 = never. */
  maxAttempts?: number;
  /** Waits `ms` before the next attempt (tests shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

export interface AwsRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Already URL-encoded, from the endpoint's root: `/model/us.anthropic...%3A0/converse`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A 2xx answer, its body not read yet (a stream for event-stream operations). */
export interface AwsResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
}

// One pool of kept-alive sockets per process: a warm Lambda reuses its TLS connection to the service.
const httpsAgent = new https.Agent({ keepAlive: true });
const httpAgent = new http.Agent({ keepAlive: true });

const maxErrorBodyBytes = 64 * 1024;
const retryBaseMs = 25;
const retryCapMs = 1_000;

/** The service's regional endpoint: `https://dynamodb.eu-west-1.amazonaws.com`. */
export const regionalEndpoint = (service: string, region: string): string =>
  `https://${service}.${region}.${dnsSuffixOf(region)}`;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A connection that failed before any answer (reset, refused, a kept-alive socket the far end had closed). */
const isConnectionError = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(error.code);

const readText = async (body: IncomingMessage, limit: number): Promise<string> => {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (length < limit) chunks.push(chunk);
    length += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A small AWS client: signs each request with SigV4 (`aws4`) and sends it over
 * kept-alive node:http(s) sockets. It replaces the AWS SDK clients on the hot
 * path, whose middleware stack cost a third of the gateway's CPU time and half
 * of each Lambda bundle.
 */
export class AwsClient {
  readonly region: string;
  private readonly url: URL;
  private readonly credentials: CredentialProvider;
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AwsClientOptions) {
    this.region = options.region;
    this.url = new URL(options.endpoint ?? regionalEndpoint(options.service, options.region));
    this.credentials = options.credentials ?? defaultCredentials();
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Sends a signed request; resolves with a 2xx answer, rejects with an `AwsServiceError` (or the network's error). */
  async send(request: AwsRequest): Promise<AwsResponse> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.sendOnce(request);
      } catch (error) {
        const retryable = isRetryableServiceError(error) || isConnectionError(error);
        if (!retryable || attempt >= this.maxAttempts || request.signal?.aborted) throw error;
        await this.sleep(Math.random() * Math.min(retryCapMs, retryBaseMs * 2 ** attempt));
      }
    }
  }

  /** Sends a JSON body and parses the JSON answer. */
  async json(request: AwsRequest): Promise<unknown> {
    const response = await this.send(request);
    const text = await readText(response.body, Number.POSITIVE_INFINITY);
    return text === '' ? {} : JSON.parse(text);
  }

  private async sendOnce(request: AwsRequest): Promise<AwsResponse> {
    const credentials = await this.credentials();
    const secure = this.url.protocol === 'https:';
    const signed = aws4.sign(
      {
        host: this.url.host,
        method: request.method ?? 'POST',
        path: `${this.url.pathname.replace(/\/$/, '')}${request.path}`,
        headers: { ...request.headers },
        body: request.body ?? '',
        service: this.options.signingName ?? this.options.service,
        region: this.options.region,
      },
      credentials,
    );
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      // Through the module objects, not named imports: Powertools Tracer captures calls by patching `https.request`.
      const outgoing = (secure ? https : http).request({
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port || undefined,
        method: signed.method,
        path: signed.path,
        headers: signed.headers,
        agent: secure ? httpsAgent : httpAgent,
        signal: request.signal,
      });
      outgoing.once('response', resolve);
      outgoing.once('error', reject);
      outgoing.end(request.body ?? '');
    });
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { status, headers: response.headers, body: response };
    throw serviceErrorOf(status, response.headers, await readText(response, maxErrorBodyBytes));
  }
}

/** Calls an operation of an AWS JSON-protocol service (DynamoDB: 1.0, Secrets Manager: 1.1). */
export const callJsonOperation = (
  client: AwsClient,
  target: string,
  input: unknown,
  options: { version: '1.0' | '1.1'; signal?: AbortSignal },
): Promise<unknown> =>
  client.json({
    path: '/',
    headers: { 'content-type': `application/x-amz-json-${options.version}`, 'x-amz-target': target },
    body: JSON.stringify(input),
    signal: options.signal,
  });
