/**
 * Echo's tokenizer: words, runs of punctuation and whitespace-led words are
 * tokens. Deterministic and cheap; the counts are real for echo because echo
 * streams exactly these pieces, one per chunk.
 */
const tokenPattern = /\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]|\s+/gu;

export const tokenize = (text: string): string[] => text.match(tokenPattern) ?? [];

export const countTokens = (text: string): number => tokenize(text).length;
