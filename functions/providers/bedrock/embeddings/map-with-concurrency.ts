/**
 * Runs `task` over `items` with at most `concurrency` calls in flight and
 * returns the results in input order. The first failure stops new calls,
 * aborts the ones in flight (through the signal each task receives) and is
 * thrown; so is the caller's abort reason when `abortSignal` fires.
 */
export const mapWithConcurrency = async <Item, Result>(
  items: readonly Item[],
  concurrency: number,
  task: (item: Item, index: number, signal: AbortSignal) => Promise<Result>,
  abortSignal?: AbortSignal,
): Promise<Result[]> => {
  const results = new Array<Result>(items.length);
  const failed = new AbortController();
  const signal = abortSignal ? AbortSignal.any([abortSignal, failed.signal]) : failed.signal;
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      signal.throwIfAborted();
      const index = nextIndex;
      nextIndex += 1;
      results[index] = await task(items[index], index, signal);
    }
  };
  const workers = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker);
  try {
    await Promise.all(workers);
  } catch (error) {
    failed.abort(error);
    throw error;
  }
  return results;
};
