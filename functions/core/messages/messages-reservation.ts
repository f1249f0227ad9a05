import { bytesOf, fileTokens, tokensPerImage } from '../limits/worst-case-cost.js';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * An upper bound of the input tokens of a Messages body forwarded as it is
 * (the native path): the UTF-8 bytes of its JSON, which include every
 * character of text, tool schema and block the upstream reads, with each
 * image counted at the dearest per-image size instead of its base64 bytes,
 * and each base64 document at its decoded size (plus an image per PDF page).
 */
export const messagesBodyInputBound = (body: Record<string, unknown>): number => {
  let attachments = 0;
  const json = JSON.stringify(body, (_key, value: unknown) => {
    if (!isRecord(value) || !isRecord(value.source)) return value;
    const source = value.source;
    if (value.type === 'image') {
      attachments += tokensPerImage;
      return { type: 'image' };
    }
    if (value.type === 'document' && source.type === 'base64' && typeof source.data === 'string') {
      const data = new Uint8Array(Buffer.from(source.data, 'base64'));
      attachments += fileTokens({ type: 'file', mediaType: String(source.media_type ?? ''), data });
      return { type: 'document', title: value.title, context: value.context };
    }
    return value;
  });
  return bytesOf(json) + attachments;
};
