/**
 * Send options that abort a DynamoDB call, its retries included, once
 * `deadlineMs` have passed: a table that hangs fails the request closed (503)
 * instead of holding it.
 */
export const withinDeadline = (deadlineMs: number): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(deadlineMs) });
