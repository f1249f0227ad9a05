import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsSettings } from './aws-settings.js';
import { withoutSdkLogger } from './sdk-logger.js';

/** The DynamoDB clients every store is built with. */
export interface DynamoClients {
  /** Reads, puts and conditional writes, which are safe to send again: the SDK retries them. */
  documents: DynamoDBDocumentClient;
  /**
   * Budget and rate-window counters: one attempt, so that there is one retry
   * layer and it knows which writes are safe to repeat. The core sends a hold
   * write again after any transient failure (it is conditional on the hold,
   * so it cannot apply twice), and a plain `ADD` only when DynamoDB refused
   * it (throttling): an ADD whose answer was lost may have been applied.
   */
  counters: DynamoDBDocumentClient;
  /** Longest a store waits for one call, retries included, before it fails closed. */
  deadlineMs: number;
  destroy(): void;
}

export interface DynamoClientsOptions extends AwsSettings {
  /** Another endpoint than the SDK would resolve (dynalite, a test's proxy). */
  endpoint?: string;
  /** 2 s unless set. */
  deadlineMs?: number;
}

/** 2 s: a DynamoDB call takes a few milliseconds; past this the table is in trouble and the request should fail closed. */
export const defaultDynamoDeadlineMs = 2_000;

// Undefined attributes are dropped, not rejected; class instances are refused rather than stored as maps.
const translateConfig = { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } };

/**
 * The stores' DynamoDB document clients (lib-dynamodb), sharing one pool of
 * kept-alive sockets. Each attempt is bounded by the deadline as well, so a
 * connection that hangs is dropped rather than waited on.
 */
export const createDynamoClients = (options: DynamoClientsOptions): DynamoClients => {
  const deadlineMs = options.deadlineMs ?? defaultDynamoDeadlineMs;
  const requestHandler = new NodeHttpHandler({ connectionTimeout: deadlineMs, requestTimeout: deadlineMs });
  const client = (maxAttempts: number) => {
    const dynamodb = withoutSdkLogger(new DynamoDBClient({ region: options.region, credentials: options.credentials, endpoint: options.endpoint, maxAttempts, requestHandler }));
    return DynamoDBDocumentClient.from(dynamodb, translateConfig);
  };
  const documents = client(3);
  const counters = client(1);
  return {
    documents,
    counters,
    deadlineMs,
    destroy() {
      documents.destroy();
      counters.destroy();
    },
  };
};
