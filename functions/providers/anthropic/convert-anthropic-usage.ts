import type { Usage } from '../../core/language-model.js';
import type { AnthropicUsage } from './anthropic-api-schemas.js';

/**
 * Converts Anthropic usage to neutral usage. Anthropic's `input_tokens`
 * already excludes cache reads and writes, which it reports apart, as Tollway
 * counts them. Thinking tokens are inside `output_tokens` and not broken out.
 */
export const convertAnthropicUsage = (usage: AnthropicUsage | null | undefined): Usage => ({
  inputTokens: usage?.input_tokens ?? 0,
  outputTokens: usage?.output_tokens ?? 0,
  cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
  cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
});

/**
 * Usage of a stream: `message_start` carries the input counts and a first
 * output count; `message_delta` carries the final (cumulative) output count
 * and, in newer versions, the input counts again. Later values win.
 */
export const mergeAnthropicUsage = (earlier: AnthropicUsage | undefined, later: AnthropicUsage | null | undefined): AnthropicUsage => {
  const merged: AnthropicUsage = { ...earlier };
  for (const [field, value] of Object.entries(later ?? {}) as Array<[keyof AnthropicUsage, number | null | undefined]>) {
    if (value != null) merged[field] = value;
  }
  return merged;
};
