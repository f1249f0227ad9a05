/**
 * A JSON-RPC message seen on its way to the client: return a replacement to
 * send instead, or undefined to send it unchanged.
 */
export type MessageEditor = (message: Record<string, unknown>) => Record<string, unknown> | undefined;

const encoder = new TextEncoder();

/** The end of one server-sent event: a blank line, in any of the line endings SSE allows. */
const eventEnd = /\r\n\r\n|\n\n|\r\r/;

/**
 * An event stream, event by event, as it arrives: each event whose data is a
 * JSON-RPC message is shown to `edit`; an event it leaves alone (comments,
 * keep-alives, ids, retry hints, non-JSON data) goes on byte for byte, an
 * edited one is written again with its other fields kept. `onEnd` runs when
 * the upstream's stream ends, before the client's does, with the error when
 * it broke off or the client went away first (once, either way).
 */
export const editSseMessages = (
  body: ReadableStream<Uint8Array>,
  edit: MessageEditor,
  onEnd: (error?: unknown) => Promise<void> | void = () => undefined,
): ReadableStream<Uint8Array> => {
  const decoder = new TextDecoder();
  let pending = '';
  let ended = false;
  const end = async (error?: unknown) => {
    if (ended) return;
    ended = true;
    await onEnd(error);
  };
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      let match = eventEnd.exec(pending);
      while (match) {
        const block = pending.slice(0, match.index);
        const separator = match[0];
        pending = pending.slice(match.index + separator.length);
        controller.enqueue(encoder.encode(editedEvent(block, edit) + separator));
        match = eventEnd.exec(pending);
      }
    },
    async flush(controller) {
      pending += decoder.decode();
      if (pending !== '') controller.enqueue(encoder.encode(editedEvent(pending, edit)));
      await end();
    },
  });
  const reader = body.pipeThrough(transform).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        await end(error);
        controller.error(error);
      }
    },
    async cancel(reason) {
      await end(reason ?? new Error('The client went away.'));
      await reader.cancel(reason).catch(() => undefined);
    },
  });
};

const editedEvent = (block: string, edit: MessageEditor): string => {
  const lines = block.split(/\r\n|\n|\r/);
  const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
  if (data.length === 0) return block;
  const message = parseMessage(data.join('\n'));
  const edited = message && edit(message);
  if (!edited) return block;
  const others = lines.filter((line) => !line.startsWith('data:'));
  return [...others, `data: ${JSON.stringify(edited)}`].join('\n');
};

const parseMessage = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
