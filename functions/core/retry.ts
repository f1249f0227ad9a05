const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Throttling errors: the store refused the write, so trying again cannot apply it twice. */
export const isThrottling = (error: unknown): boolean =>
  ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException'].includes(
    (error as { name?: string } | undefined)?.name ?? '',
  );

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
