/** Percentiles and summaries of latency samples. */

/** The `p`-th percentile (0–100) of `values`, nearest rank; NaN for no values. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
};

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** Count, mean and the usual percentiles. */
export const summarize = (values: readonly number[]): Summary => ({
  count: values.length,
  p50: percentile(values, 50),
  p90: percentile(values, 90),
  p99: percentile(values, 99),
  mean: values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length,
});

/** Rounds to `digits` decimals (for reports). */
export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** The median of `values` (for noisy series such as RSS samples). */
export const median = (values: readonly number[]): number => percentile(values, 50);
