import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoClients, sdkLoggerMiddleware, type DynamoClients } from '../../../functions/runtime/aws/dynamodb-clients.js';

describe('createDynamoClients', () => {
  let clients: DynamoClients | undefined;
  afterEach(() => clients?.destroy());

  it('leaves the SDK logger middleware out of both clients, so no call copies its input and output for a log nobody writes', () => {
    // Prepare
    clients = createDynamoClients({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

    // Act
    const stacks = [clients.documents, clients.counters].map((client) => client.middlewareStack.identify());

    // Assess
    for (const stack of stacks) {
      expect(stack.some((entry) => entry.startsWith(sdkLoggerMiddleware))).toBe(false);
      // The rest of the stack is still there: signing, retries, serialisation.
      expect(stack.some((entry) => entry.startsWith('retryMiddleware'))).toBe(true);
    }
  });
});
