/**
 * The child side of the bench's process protocol: a child reads its settings
 * from `BENCH_CHILD_SETTINGS`, announces `{type: 'ready', ...}` over IPC once
 * it serves, answers `{type: 'memory'}` with its memory usage (after a full
 * garbage collection with `collect`, when started with --expose-gc) and exits
 * cleanly on `{type: 'stop'}` (so `--cpu-prof` profiles get written); a
 * child that records something answers `{type: 'report'}` with it.
 */
export type ParentMessage = { type: 'memory'; id: number; collect?: boolean } | { type: 'report'; id: number; reset?: boolean } | { type: 'stop' };

/** What a child records for the parent (the upstream's arrivals, dynalite's calls): returned, and forgotten with `reset`, on `{type: 'report'}`. */
export type ReportSource = (reset: boolean) => unknown;

/** The settings the parent passed to this child. */
export const childSettings = <Settings>(): Settings => JSON.parse(process.env.BENCH_CHILD_SETTINGS ?? '{}') as Settings;

/** Announces readiness and serves the parent's requests until it says stop. */
export const serveParent = (ready: Record<string, unknown>, close: () => Promise<void>, report?: ReportSource): void => {
  const send = (message: Record<string, unknown>) => process.send?.(message);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'memory') {
      if (message.collect) (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      send({ type: 'memory', id: message.id, rss, heapUsed, heapTotal, external });
    } else if (message.type === 'report') {
      send({ type: 'report', id: message.id, report: report?.(message.reset === true) ?? null });
    } else if (message.type === 'stop') {
      close().finally(() => process.exit(0));
    }
  });
  // The parent went away without saying stop: do not linger.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', ...ready });
};
