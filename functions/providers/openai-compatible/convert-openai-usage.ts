import { emptyUsage, type Usage } from '../../core/language-model.js';
import type { OpenAIUsage } from './openai-chat-schemas.js';

/**
 * Converts OpenAI usage to neutral usage. OpenAI's `prompt_tokens` include the
 * cached ones, which are priced apart, so they are taken out of `inputTokens`.
 * OpenAI reports no cache writes.
 */
export const convertOpenAIUsage = (usage: OpenAIUsage | null | undefined): Usage => {
  if (!usage) return emptyUsage();
  const cachedTokens = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: Math.max(0, (usage.prompt_tokens ?? 0) - cachedTokens),
    outputTokens: usage.completion_tokens ?? 0,
    cacheReadTokens: cachedTokens,
    cacheWriteTokens: 0,
    ...(reasoningTokens == null ? {} : { reasoningTokens }),
  };
};
