import { describe, expect, it } from 'vitest';
import { claudeThinkingBudget } from '../../functions/providers/thinking-budgets.js';

describe('claudeThinkingBudget', () => {
  it('gives each reasoning effort its budget when the output is not capped', () => {
    const budgets = (['minimal', 'low', 'medium', 'high'] as const).map((effort) => claudeThinkingBudget(effort, undefined));

    expect(budgets).toEqual([undefined, 1024, 4096, 16_384]);
    expect(claudeThinkingBudget(undefined, undefined)).toBeUndefined();
  });

  it('fits the budget inside the output cap, keeping 1024 tokens for the answer', () => {
    expect(claudeThinkingBudget('high', 6000)).toBe(4976);
    expect(claudeThinkingBudget('medium', 64_000)).toBe(4096);
  });

  it('turns thinking off when the cap leaves less than the smallest budget of 1024', () => {
    expect(claudeThinkingBudget('high', 2047)).toBeUndefined();
    expect(claudeThinkingBudget('low', 2048)).toBe(1024);
  });
});
