const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Throttling errors: the store refused the write, so trying again cannot apply it twice. */
export const isThrottling = (error: unknown): boolean =>
  ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'].includes(
    (error as { name?: string } | undefined)?.name ?? '',
  );

/**
 * Throttling, a lost connection or a server fault: the store may or may not
 * have applied the write, so only a write that cannot apply twice (a
 * conditional hold write) may be sent again. A deadline is not tried again.
 */
export const isTransient = (error: unknown): boolean => {
  if (isThrottling(error)) return true;
  const facts = error as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  // The SDK names a dropped connection `TimeoutError` with code ECONNRESET; a deadline (AbortError, ETIMEDOUT) is not tried again.
  if (['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(facts?.code ?? '')) return true;
  if (facts?.name === 'AbortError' || facts?.name === 'TimeoutError') return false;
  return facts?.$fault === 'server' || (facts?.$metadata?.httpStatusCode ?? 0) >= 500;
};

/**
 * Runs `operation` until it succeeds or `shouldRetry` says no, waiting
 * 200 ms, 400 ms, 800 ms... between attempts. For after-response work
 * (settlements, usage records) that must not be lost to a passing outage.
 */
export const retrying = async <Value>(operation: () => Promise<Value>, shouldRetry: (error: unknown) => boolean, attempts = 5, baseMs = 200): Promise<Value> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !shouldRetry(error)) throw error;
      await sleep(baseMs * 2 ** (attempt - 1));
    }
  }
};
