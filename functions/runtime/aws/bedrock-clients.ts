import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { perRegion, type AwsSettings } from './aws-settings.js';
import { withoutSdkLogger } from './sdk-logger.js';

/**
 * A Bedrock Runtime client as the gateway makes them. Over HTTP/1.1 with
 * kept-alive sockets rather than the package's default HTTP/2 handler, which
 * opens a session per call (`disableConcurrentStreams`) for the sake of
 * bidirectional streams the gateway does not use: a warm function then pays
 * no TLS handshake per completion.
 *
 * One attempt per call: the gateway's router retries and falls back across
 * deployments, and retries underneath would multiply the wait before it can
 * fail over.
 */
export const createBedrockRuntimeClient = (options: AwsSettings & { endpoint?: string; requestHandler?: NodeHttpHandler }): BedrockRuntimeClient =>
  withoutSdkLogger(
    new BedrockRuntimeClient({
      region: options.region,
      credentials: options.credentials,
      endpoint: options.endpoint,
      maxAttempts: 1,
      requestHandler: options.requestHandler ?? new NodeHttpHandler(),
    }),
  );

/** One `createBedrockRuntimeClient` per region, sharing one pool of sockets. */
export const bedrockRuntimeClients = (settings: AwsSettings = {}): ((region: string | undefined) => BedrockRuntimeClient) => {
  const requestHandler = new NodeHttpHandler();
  return perRegion((region) => createBedrockRuntimeClient({ ...settings, region: region ?? settings.region, requestHandler }));
};
