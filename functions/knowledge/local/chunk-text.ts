export interface ChunkingOptions {
  /** Target chunk length in characters; a chunk grows past it only by the overlap. */
  maxChars: number;
  /** Characters of the previous chunk repeated at the start of the next one. */
  overlapChars: number;
}

export const defaultChunking: ChunkingOptions = { maxChars: 800, overlapChars: 150 };

/** Splits text longer than `maxChars` at sentence ends, then at spaces, never inside a word unless it has no space. */
const splitLong = (text: string, maxChars: number): string[] => {
  if (text.length <= maxChars) return [text];
  // Zero-width split points keep every character: after a sentence end and its space, or after a line break.
  const sentences = text.split(/(?<=[.!?]\s+|\n)(?=\S)/);
  const pieces: string[] = [];
  let current = '';
  for (const sentence of sentences) {
    if (current && current.length + sentence.length > maxChars) {
      pieces.push(current.trim());
      current = '';
    }
    if (sentence.length <= maxChars) {
      current += sentence;
      continue;
    }
    for (const word of sentence.split(/(?<=\s)/)) {
      if (current && current.length + word.length > maxChars) {
        pieces.push(current.trim());
        current = '';
      }
      current += word.length > maxChars ? word.slice(0, maxChars) : word;
    }
  }
  if (current.trim()) pieces.push(current.trim());
  return pieces;
};

/** The end of a chunk to repeat: at most `overlapChars`, starting at a sentence start or else a word start. */
export const overlapTail = (chunk: string, overlapChars: number): string => {
  if (overlapChars <= 0) return '';
  if (chunk.length <= overlapChars) return chunk;
  const window = chunk.slice(chunk.length - overlapChars);
  const sentenceStart = /[.!?\n]\s+(?=\S)/.exec(window);
  if (sentenceStart) return window.slice(sentenceStart.index + sentenceStart[0].length).trim();
  const wordStart = window.indexOf(' ');
  return (wordStart === -1 ? window : window.slice(wordStart + 1)).trim();
};

/**
 * Cuts text into chunks of about `maxChars` along paragraphs (blank lines),
 * then sentences; each chunk after the first starts with the tail of the one
 * before, so a passage cut at a boundary is still whole in one of them.
 */
export const chunkText = (text: string, options: ChunkingOptions = defaultChunking): string[] => {
  const units = text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .flatMap((paragraph) => splitLong(paragraph, options.maxChars));
  const chunks: string[] = [];
  let current = '';
  for (const unit of units) {
    if (current && current.length + unit.length + 2 > options.maxChars) {
      chunks.push(current);
      const tail = overlapTail(current, options.overlapChars);
      current = tail ? `${tail}\n\n${unit}` : unit;
    } else {
      current = current ? `${current}\n\n${unit}` : unit;
    }
  }
  if (current) chunks.push(current);
  return chunks;
};
