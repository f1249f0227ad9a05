import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { perRegion, type AwsSettings } from './aws-settings.js';

/** Bedrock Agent Runtime clients (Retrieve), one per region the knowledge bases name; one more attempt for throttling and faults. */
export const bedrockAgentRuntimeClients = (settings: AwsSettings = {}): ((region: string | undefined) => BedrockAgentRuntimeClient) =>
  perRegion((region) => new BedrockAgentRuntimeClient({ region: region ?? settings.region, credentials: settings.credentials, maxAttempts: 2 }));
