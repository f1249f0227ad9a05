/**
 * Keeps a server-sent event stream inside a proxy's idle limit (API Gateway
 * closes a streamed response after 5 minutes without a byte): a comment is
 * written whenever the stream has been quiet for `intervalMs`, only between
 * lines, so no event is split. `endSignal` ends the stream cleanly (and
 * cancels the source), before a hard limit would cut it off.
 */
const encoder = new TextEncoder();
const eventBoundary = /(\r\n\r\n|\n\n|\r\r)$/;

export interface KeepAliveOptions {
  /** Quiet time after which a `: keep-alive` comment is written. */
  intervalMs: number;
  /** When it fires, the stream ends as if the source had ended. */
  endSignal?: AbortSignal;
}

/** `source` passed on as it arrives, with keep-alive comments in its quiet stretches. */
export const keepEventStreamAlive = (source: ReadableStream<Uint8Array>, options: KeepAliveOptions): ReadableStream<Uint8Array> => {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  let tail = '';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let onEnd: (() => void) | undefined;
  const stop = () => {
    closed = true;
    clearTimeout(timer);
    if (onEnd) options.endSignal?.removeEventListener('abort', onEnd);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (closed) return;
          // A comment line may sit between an event's lines; a blank line after it only at an event's end.
          if (tail === '' || eventBoundary.test(tail)) controller.enqueue(encoder.encode(': keep-alive\n\n'));
          else if (tail.endsWith('\n')) controller.enqueue(encoder.encode(': keep-alive\n'));
          arm();
        }, options.intervalMs);
      };
      onEnd = () => {
        if (closed) return;
        stop();
        controller.close();
        reader.cancel(options.endSignal?.reason).catch(() => undefined);
      };
      if (options.endSignal?.aborted) return onEnd();
      options.endSignal?.addEventListener('abort', onEnd, { once: true });
      arm();
      const pump = async (): Promise<void> => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (closed) return;
            if (done) {
              stop();
              controller.close();
              return;
            }
            tail = (tail + decoder.decode(value, { stream: true })).slice(-4);
            controller.enqueue(value);
            arm();
          }
        } catch (error) {
          if (closed) return;
          stop();
          controller.error(error);
        }
      };
      void pump();
    },
    cancel(reason) {
      stop();
      return reader.cancel(reason);
    },
  });
};
