/**
 * The request an asynchronous call chain belongs to. A Lambda Managed
 * Instances environment runs many invocations at once in one process, so
 * anything per request that code without a request argument needs (the
 * metrics port) finds its request here, never in module scope.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** The host's request id (Lambda's awsRequestId). */
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `work`, and everything it starts (streamed bodies, after-response tasks), in the scope of one request. */
export const runInRequestScope = <Result>(requestId: string, work: () => Result): Result => storage.run({ requestId }, work);

/** The scope of the request this call chain serves, if a host entered one. */
export const currentRequestScope = (): RequestScope | undefined => storage.getStore();
