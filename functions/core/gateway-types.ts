/** What a host (Lambda handler, local server) needs to know about the gateway core. */

/** Per-request context a host hands to the core. */
export interface RequestContext {
  /** The host's request id (Lambda's awsRequestId locally generated otherwise). */
  requestId: string;
  /**
   * Work to finish after the response (usage records). The host must keep the
   * process alive until these settle: Lambda awaits them before returning.
   */
  waitUntil(task: Promise<unknown>): void;
  /** Aborted when the client disconnects. */
  clientSignal?: AbortSignal;
}

/** The gateway core: one web-standard request in, one (possibly streamed) response out. */
export interface Gateway {
  handle(request: Request, context: RequestContext): Promise<Response>;
  /** Gives back what this instance holds of budgets and rate windows (its leases): the host is shutting down, its requests settled. */
  close?(): Promise<void>;
}
