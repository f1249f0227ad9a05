import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { perRegion, type AwsSettings } from './aws-settings.js';
import { withoutSdkLogger } from './sdk-logger.js';

/**
 * A Bedrock Agent Runtime client (Retrieve) as the gateway makes them: over
 * HTTP/1.1 with kept-alive sockets rather than the package's default HTTP/2
 * handler, for the same reason as Bedrock Runtime (bedrock-clients.ts); one
 * more attempt for throttling and server faults.
 */
export const createBedrockAgentRuntimeClient = (
  options: AwsSettings & { endpoint?: string; maxAttempts?: number; requestHandler?: NodeHttpHandler },
): BedrockAgentRuntimeClient =>
  withoutSdkLogger(
    new BedrockAgentRuntimeClient({
      region: options.region,
      credentials: options.credentials,
      endpoint: options.endpoint,
      maxAttempts: options.maxAttempts ?? 2,
      requestHandler: options.requestHandler ?? new NodeHttpHandler(),
    }),
  );

/** One `createBedrockAgentRuntimeClient` per region the knowledge bases name, sharing one pool of sockets. */
export const bedrockAgentRuntimeClients = (settings: AwsSettings = {}): ((region: string | undefined) => BedrockAgentRuntimeClient) => {
  const requestHandler = new NodeHttpHandler();
  return perRegion((region) => createBedrockAgentRuntimeClient({ ...settings, region: region ?? settings.region, requestHandler }));
};
