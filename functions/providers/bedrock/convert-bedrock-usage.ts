import type { Usage } from '../../core/language-model.js';

/** The token counts Bedrock reports, in Converse and in the stream's metadata event. */
export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** Converts Bedrock usage to neutral usage; Bedrock's `inputTokens` already excludes cache reads and writes. */
export const convertBedrockUsage = (usage: BedrockUsage | undefined): Usage => ({
  inputTokens: usage?.inputTokens ?? 0,
  outputTokens: usage?.outputTokens ?? 0,
  cacheReadTokens: usage?.cacheReadInputTokens ?? 0,
  cacheWriteTokens: usage?.cacheWriteInputTokens ?? 0,
});
