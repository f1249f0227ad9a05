import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { perRegion, type AwsSettings } from './aws-settings.js';

/**
 * Bedrock Runtime clients, one per region the config names. One attempt per
 * call: the gateway's router retries and falls back across deployments, and
 * retries underneath would multiply the wait before it can fail over.
 */
export const bedrockRuntimeClients = (settings: AwsSettings = {}): ((region: string | undefined) => BedrockRuntimeClient) =>
  perRegion((region) => new BedrockRuntimeClient({ region: region ?? settings.region, credentials: settings.credentials, maxAttempts: 1 }));
