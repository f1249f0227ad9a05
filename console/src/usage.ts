/** Usage records from `/spend/logs`, read page by page, and the series the overview charts draw from them. */
import type { Api, Json } from './api';

export interface UsageRow {
  request_id: string;
  created_at: string;
  key_id: string;
  key_alias: string | null;
  team_id: string | null;
  model: string;
  provider: string;
  deployment: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  spend: number;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  status: number;
  outcome: string;
  error_code: string | null;
  route: string | null;
}

export interface UsageRange {
  label: string;
  spanMs: number;
  bucketMs: number;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

export const usageRanges: UsageRange[] = [
  { label: 'Last hour', spanMs: hour, bucketMs: minute },
  { label: 'Last 24 hours', spanMs: day, bucketMs: 30 * minute },
  { label: 'Last 7 days', spanMs: 7 * day, bucketMs: 6 * hour },
  { label: 'Last 30 days', spanMs: 30 * day, bucketMs: day },
];

/** At most this many records are read for the overview; the page says when the range held more. */
export const maxOverviewRows = 10_000;

/** Every record of `/spend/logs` matching `filters`, newest first, up to `cap`. */
export const fetchUsage = async (api: Api, filters: Record<string, string | undefined>, cap = maxOverviewRows): Promise<{ rows: UsageRow[]; truncated: boolean }> => {
  const rows: UsageRow[] = [];
  let cursor: string | undefined;
  do {
    const page: Json = await api.get('/spend/logs', { ...filters, limit: Math.min(1000, cap - rows.length), cursor });
    rows.push(...(page.data as UsageRow[]));
    cursor = page.has_more ? (page.next_cursor as string) : undefined;
  } while (cursor && rows.length < cap);
  return { rows, truncated: cursor !== undefined };
};

export const isError = (row: UsageRow) => row.outcome === 'error' || row.status >= 400;

export interface Series {
  /** Bucket starts, in seconds (uPlot's time axis). */
  x: number[];
  lines: { label: string; values: number[] }[];
}

/** Sums `valueOf` per bucket of `bucketMs` from `startMs` to `endMs`, one line per `groupOf`. */
export const seriesBy = (
  rows: readonly UsageRow[],
  range: { startMs: number; endMs: number; bucketMs: number },
  groupOf: (row: UsageRow) => string,
  valueOf: (row: UsageRow) => number,
): Series => {
  const first = Math.floor(range.startMs / range.bucketMs) * range.bucketMs;
  const buckets = Math.max(1, Math.ceil((range.endMs - first) / range.bucketMs));
  const x = Array.from({ length: buckets }, (_, index) => (first + index * range.bucketMs) / 1000);
  const byGroup = new Map<string, number[]>();
  for (const row of rows) {
    const index = Math.floor((Date.parse(row.created_at) - first) / range.bucketMs);
    if (index < 0 || index >= buckets) continue;
    const group = groupOf(row);
    const values = byGroup.get(group) ?? new Array<number>(buckets).fill(0);
    values[index] += valueOf(row);
    byGroup.set(group, values);
  }
  const lines = [...byGroup.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([label, values]) => ({ label, values }));
  return { x, lines };
};

/** The p-th percentile (0–100) of `values`, nearest rank; null for none. */
export const percentile = (values: readonly number[], p: number): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

/** Per-bucket latency percentiles (p50, p95), null where a bucket has no requests. */
export const latencySeries = (rows: readonly UsageRow[], range: { startMs: number; endMs: number; bucketMs: number }) => {
  const grouped = seriesBy(rows, range, () => 'all', () => 0);
  const first = grouped.x[0] * 1000;
  const perBucket = grouped.x.map(() => [] as number[]);
  for (const row of rows) {
    const index = Math.floor((Date.parse(row.created_at) - first) / range.bucketMs);
    if (index >= 0 && index < perBucket.length) perBucket[index].push(row.latency_ms);
  }
  return {
    x: grouped.x,
    lines: [
      { label: 'p50', values: perBucket.map((values) => percentile(values, 50)) },
      { label: 'p95', values: perBucket.map((values) => percentile(values, 95)) },
    ],
  };
};
