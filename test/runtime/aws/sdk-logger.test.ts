import { afterEach, describe, expect, it } from 'vitest';
import { createBedrockAgentRuntimeClient } from '../../../functions/runtime/aws/agent-runtime-clients.js';
import { createBedrockRuntimeClient } from '../../../functions/runtime/aws/bedrock-clients.js';
import { createDynamoClients, type DynamoClients } from '../../../functions/runtime/aws/dynamodb-clients.js';
import { sdkLoggerMiddleware } from '../../../functions/runtime/aws/sdk-logger.js';

const settings = { region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

describe('the AWS clients the gateway builds', () => {
  let clients: DynamoClients | undefined;
  afterEach(() => clients?.destroy());

  it('leave the SDK logger middleware out, so no call copies its input and output for a log nobody writes', () => {
    // Prepare
    clients = createDynamoClients(settings);
    const bedrock = createBedrockRuntimeClient(settings);
    const agentRuntime = createBedrockAgentRuntimeClient(settings);

    // Act
    const stacks = [clients.documents, clients.counters, bedrock, agentRuntime].map((client) => client.middlewareStack.identify());
    bedrock.destroy();
    agentRuntime.destroy();

    // Assess
    for (const stack of stacks) {
      expect(stack.some((entry) => entry.startsWith(sdkLoggerMiddleware))).toBe(false);
      // The rest of the stack is still there: signing, retries, serialisation.
      expect(stack.some((entry) => entry.startsWith('retryMiddleware'))).toBe(true);
    }
  });
});
