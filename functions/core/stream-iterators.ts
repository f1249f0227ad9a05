import { UpstreamError } from './errors.js';

/** An iterator that yields `first` and then the rest of `iterator`. */
export const prepend = <Value>(first: IteratorResult<Value>, iterator: AsyncIterator<Value>): AsyncIterator<Value> => {
  let pending: IteratorResult<Value> | undefined = first;
  return {
    next: async () => {
      if (!pending) return iterator.next();
      const result = pending;
      pending = undefined;
      return result;
    },
    return: async () => (await iterator.return?.()) ?? { done: true, value: undefined },
  };
};

/**
 * The next value of an upstream stream, or a 504 `upstream_stream_idle`
 * (aborting the upstream) when nothing comes for `idleTimeoutMs`.
 */
export const nextWithin = async <Value>(source: AsyncIterator<Value>, idleTimeoutMs: number, upstreamAbort: AbortController): Promise<IteratorResult<Value>> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      upstreamAbort.abort(new DOMException('stream idle', 'TimeoutError'));
      reject(new UpstreamError(504, `The upstream sent nothing for ${idleTimeoutMs} ms.`, { code: 'upstream_stream_idle', retryable: false }));
    }, idleTimeoutMs);
  });
  try {
    return await Promise.race([source.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
};
