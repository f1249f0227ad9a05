import type { ReasoningEffort } from '../core/language-model.js';

/** Claude's thinking budgets per effort, wherever Claude is served. `minimal` means no extended thinking. */
const thinkingBudgets: Record<ReasoningEffort, number | undefined> = {
  minimal: undefined,
  low: 1024,
  medium: 4096,
  high: 16_384,
};

/** Claude's smallest thinking budget. */
const minimumThinkingBudget = 1024;

/** Tokens kept for the answer itself out of a capped output. */
const minimumAnswerTokens = 1024;

/**
 * Claude's extended-thinking budget for a reasoning effort, fitted inside the
 * output cap: Claude counts thinking inside max_tokens, and the cap is never
 * raised because budgets reserve exactly that many output tokens. Too small a
 * cap for thinking turns it off; without a cap the budget is the effort's own.
 */
export const claudeThinkingBudget = (effort: ReasoningEffort | undefined, maxOutputTokens: number | undefined): number | undefined => {
  const wanted = effort ? thinkingBudgets[effort] : undefined;
  if (wanted === undefined || maxOutputTokens === undefined) return wanted;
  const fitted = Math.min(wanted, maxOutputTokens - minimumAnswerTokens);
  return fitted >= minimumThinkingBudget ? fitted : undefined;
};
