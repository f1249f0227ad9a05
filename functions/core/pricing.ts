import type { Price } from './config/schema.js';
import type { Usage } from './language-model.js';

const perToken = (pricePerMillion: number | undefined): number => (pricePerMillion ?? 0) / 1_000_000;

/**
 * The cost in USD of a request's usage. Cache reads and writes are priced at
 * their own rates, falling back to the input rate when the config gives none.
 */
export const costOf = (usage: Usage, price: Price | undefined): number => {
  if (!price) return 0;
  const cost =
    usage.inputTokens * perToken(price.input_per_mtok) +
    usage.outputTokens * perToken(price.output_per_mtok) +
    usage.cacheReadTokens * perToken(price.cache_read_per_mtok ?? price.input_per_mtok) +
    usage.cacheWriteTokens * perToken(price.cache_write_per_mtok ?? price.input_per_mtok);
  return roundUsd(cost);
};

/** Rounds to 1e-10 USD so sums of many requests stay exact enough to compare with budgets. */
export const roundUsd = (value: number): number => Math.round(value * 1e10) / 1e10;
