import type { CounterStore } from './counter-store.js';
import { budgetWindow, type LimitSubject } from './limit-windows.js';

/**
 * Writes a key's or team's `max_budget` onto its current budget counter, the
 * item every admission already writes: a lowered budget then binds on every
 * instance at once, not when their cached records expire. Removing the
 * budget removes the ceiling.
 */
export const publishBudgetCeiling = (counters: CounterStore, subject: LimitSubject, now: number): Promise<void> => {
  const window = budgetWindow(subject, now);
  return counters.setCeiling(window.counterId, subject.settings.maxBudget, window.expiresAt);
};
