import { roundUsd } from '../pricing.js';
import { retrying } from '../retry.js';
import type { BudgetLease } from './budget-lease.js';
import type { CounterUpdate } from './counter-store.js';
import { budgetExceeded } from './limit-errors.js';
import { budgetWindow, hasRateLimit, rateWindow, type LimitSubject } from './limit-windows.js';
import type { RateLease } from './rate-lease.js';

export interface AdmissionRequest {
  /** Names the request's hold on every budget: a repeated write finds it and changes nothing. */
  requestId: string;
  subjects: LimitSubject[];
  /** The request's worst-case cost, held against budgets until it settles. */
  reserveUsd: number;
  /** Tokens counted against tpm limits up front; corrected at settlement. */
  estimatedTokens: number;
  /** Count the request in rpm windows only: no hold, no tokens (MCP and retrieval calls, which cost no model tokens). */
  requestsOnly?: boolean;
  /** Hold on budgets only, not counted in rate windows (a priced tool call, whose request was counted already). */
  spendOnly?: boolean;
}

/** One budget or rate window a request is admitted against. */
export interface Plan {
  kind: 'budget' | 'rate';
  subject: LimitSubject;
  counterId: string;
  endsAt?: number;
  /** The counter item's TTL (epoch seconds). */
  counterExpiresAt?: number;
  /** Rate windows: the conditional ADD. */
  update?: CounterUpdate;
  /** Admitted from this instance's lease on the budget, not with a hold of its own. */
  budgetLease?: { lease: BudgetLease; generation: number };
  /** Admitted from this instance's slice of the rate window, not counted on its own. */
  rateLease?: RateLease;
}

export const negate = (add: CounterUpdate['add']): CounterUpdate['add'] =>
  Object.fromEntries(Object.entries(add).map(([field, value]) => [field, -(value ?? 0)]));

type Patience = 'before-upstream' | 'after-response';

/** Before the upstream call a request waits briefly (25, 50 ms); after the response there is time (200 ms, 400 ms...). */
export const retried = <Value>(operation: () => Promise<Value>, shouldRetry: (error: unknown) => boolean, when: Patience): Promise<Value> =>
  when === 'before-upstream' ? retrying(operation, shouldRetry, 3, 25) : retrying(operation, shouldRetry);

const ratePlan = (subject: LimitSubject, now: number, add: CounterUpdate['add']): Plan => {
  const window = rateWindow(subject, now);
  const { rpmLimit, tpmLimit } = subject.settings;
  return {
    kind: 'rate',
    subject,
    counterId: window.counterId,
    endsAt: window.endsAt,
    counterExpiresAt: window.expiresAt,
    update: { counterId: window.counterId, add, limits: { requestsBelow: rpmLimit, tokensBelow: add.tokens === undefined ? undefined : tpmLimit }, expiresAt: window.expiresAt },
  };
};

/**
 * The budgets and rate windows a request is admitted against; throws 429 at
 * once when its worst case exceeds a whole budget.
 */
export const plansFor = (request: AdmissionRequest, reserveUsd: number, now: number): Plan[] => {
  const plans: Plan[] = [];
  for (const subject of request.subjects) {
    const { maxBudget, rpmLimit } = subject.settings;
    if (request.requestsOnly) {
      if (rpmLimit !== undefined) plans.push(ratePlan(subject, now, { requests: 1 }));
      continue;
    }
    if (maxBudget !== undefined) {
      const window = budgetWindow(subject, now);
      if (roundUsd(maxBudget - reserveUsd) < 0) throw budgetExceeded(subject, reserveUsd, window.endsAt, now, true, request.spendOnly ? '' : '; lower max_tokens');
      plans.push({ kind: 'budget', subject, counterId: window.counterId, endsAt: window.endsAt, counterExpiresAt: window.expiresAt });
    }
    if (hasRateLimit(subject.settings) && !request.spendOnly) plans.push(ratePlan(subject, now, { requests: 1, tokens: request.estimatedTokens }));
  }
  return plans;
};
