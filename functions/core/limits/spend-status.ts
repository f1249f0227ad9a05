import { roundUsd } from '../pricing.js';
import { isLive, type CounterStore } from './counter-store.js';
import { budgetWindow, type LimitSubject } from './limit-windows.js';

/** Current-period spend of a key or team, for /key/info and /team/info. */
export const spendStatus = async (subject: LimitSubject, counters: CounterStore, now: number) => {
  const window = budgetWindow(subject, now);
  const values = await counters.get(window.counterId);
  const spend = roundUsd(values?.spend ?? 0);
  // Only live holds: one past its expiry is a request that will never settle, waiting to be reclaimed.
  const reserved = roundUsd(Object.values(values?.holds ?? {}).reduce((sum, hold) => sum + (isLive(hold, now) ? hold.amount : 0), 0));
  const maxBudget = subject.settings.maxBudget;
  return {
    spend,
    reserved_spend: reserved,
    remaining_budget: maxBudget === undefined ? null : roundUsd(Math.max(0, maxBudget - spend - reserved)),
    budget_reset_at: window.endsAt === undefined ? null : new Date(window.endsAt).toISOString(),
    period_requests: values?.requests ?? 0,
    period_tokens: values?.tokens ?? 0,
  };
};
