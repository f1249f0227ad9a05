import type { EmbeddingModel, EmbeddingResult } from '../../core/embeddings/embedding-model.js';
import { invalidRequest } from '../../core/errors.js';
import { countTokens } from './echo-tokens.js';

/** Size of echo's vectors when the request gives no `dimensions`. */
export const echoDefaultDimensions = 256;

/** Largest `dimensions` echo accepts (OpenAI's largest model). */
const echoMaximumDimensions = 3072;

/** FNV-1a, 32 bits: a stable, dependency-free string hash. */
const hashOf = (text: string): number => {
  let hash = 0x811c9dc5;
  for (const character of text) {
    hash ^= character.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
};

/**
 * A hashed bag of words: each lower-cased word adds ±1 at a position chosen by
 * its hash, then the vector is scaled to length 1. Texts sharing words point
 * the same way, so similarity search over echo vectors behaves plausibly.
 */
export const echoEmbedding = (text: string, dimensions: number): number[] => {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const hash = hashOf(word);
    vector[hash % dimensions] += (hashOf(`${word}#sign`) & 1) === 0 ? 1 : -1;
  }
  const length = Math.hypot(...vector);
  // A text without words (or whose words cancel out) still gets a unit vector.
  if (length === 0) return vector.map((_, index) => (index === 0 ? 1 : 0));
  return vector.map((value) => value / length);
};

/** `echo` embeddings: deterministic, offline, for local mode and tests; token counts use echo's tokenizer. */
export class EchoEmbeddingModel implements EmbeddingModel {
  readonly provider = 'echo';

  constructor(readonly modelId: string) {}

  async embed(inputs: string[], options: { dimensions?: number; abortSignal?: AbortSignal } = {}): Promise<EmbeddingResult> {
    const dimensions = options.dimensions ?? echoDefaultDimensions;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > echoMaximumDimensions) {
      throw invalidRequest(`dimensions must be an integer from 1 to ${echoMaximumDimensions}.`, 'dimensions');
    }
    options.abortSignal?.throwIfAborted();
    return {
      embeddings: inputs.map((text) => echoEmbedding(text, dimensions)),
      usage: { inputTokens: inputs.reduce((total, text) => total + countTokens(text), 0) },
    };
  }
}
