import type { GatewayLogger } from '../logger.js';
import { roundUsd } from '../pricing.js';
import { isThrottling, isTransient, retrying } from '../retry.js';
import { budgetExceeded, limitsUnavailable, rateLimited, secondsUntil } from './limit-errors.js';
import { expiredHolds, type CounterStore, type CounterUpdate, type CounterValues, type PlacementOutcome } from './counter-store.js';
import { budgetWindow, hasRateLimit, rateWindow, type LimitSubject } from './limit-windows.js';

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

export interface Settlement {
  costUsd: number;
  tokens: number;
}

/** Notified when a subject's spend crosses its soft budget. */
export type SoftBudgetListener = (subject: LimitSubject, spendUsd: number) => void;

export interface RequestLimiterOptions {
  /** How long a hold lives before any later write may reclaim it (a request that never settled: a crash, a timeout). */
  holdTtlMs: number;
  onSoftBudget?: SoftBudgetListener;
}

interface Plan {
  kind: 'budget' | 'rate';
  subject: LimitSubject;
  counterId: string;
  endsAt?: number;
  /** Rate windows: the conditional ADD. */
  update?: CounterUpdate;
}

const negate = (add: CounterUpdate['add']): CounterUpdate['add'] =>
  Object.fromEntries(Object.entries(add).map(([field, value]) => [field, -(value ?? 0)]));

type Patience = 'before-upstream' | 'after-response';

/** Before the upstream call a request waits briefly (25, 50 ms); after the response there is time (200 ms, 400 ms...). */
const retried = <Value>(operation: () => Promise<Value>, shouldRetry: (error: unknown) => boolean, when: Patience): Promise<Value> =>
  when === 'before-upstream' ? retrying(operation, shouldRetry, 3, 25) : retrying(operation, shouldRetry);

/**
 * Hard budgets and rate limits. `admit` places a hold of the worst case on
 * every budget and counts the request in every rate window, all in parallel,
 * each one conditional single-item update: concurrent requests cannot
 * overspend. A hold carries the request id and an expiry, so a write sent
 * again is a no-op and a hold its request never settled (a crash) is
 * reclaimed by a later write. The returned admission settles exactly once.
 */
export class RequestLimiter {
  constructor(
    private readonly store: CounterStore,
    private readonly now: () => number,
    private readonly logger: GatewayLogger,
    private readonly options: RequestLimiterOptions,
  ) {}

  async admit(request: AdmissionRequest, waitUntil: (task: Promise<unknown>) => void): Promise<Admission> {
    const now = this.now();
    const reserveUsd = roundUsd(request.reserveUsd);
    const plans: Plan[] = [];
    for (const subject of request.subjects) {
      const { maxBudget, rpmLimit, tpmLimit } = subject.settings;
      if (request.requestsOnly) {
        if (rpmLimit === undefined) continue;
        const window = rateWindow(subject, now);
        plans.push({
          kind: 'rate',
          subject,
          counterId: window.counterId,
          endsAt: window.endsAt,
          update: { counterId: window.counterId, add: { requests: 1 }, limits: { requestsBelow: rpmLimit }, expiresAt: window.expiresAt },
        });
        continue;
      }
      if (maxBudget !== undefined) {
        const window = budgetWindow(subject, now);
        if (roundUsd(maxBudget - reserveUsd) < 0) throw budgetExceeded(subject, reserveUsd, window.endsAt, now, true, request.spendOnly ? '' : '; lower max_tokens');
        plans.push({ kind: 'budget', subject, counterId: window.counterId, endsAt: window.endsAt });
      }
      if (hasRateLimit(subject.settings) && !request.spendOnly) {
        const window = rateWindow(subject, now);
        plans.push({
          kind: 'rate',
          subject,
          counterId: window.counterId,
          endsAt: window.endsAt,
          update: {
            counterId: window.counterId,
            add: { requests: 1, tokens: request.estimatedTokens },
            limits: { requestsBelow: rpmLimit, tokensBelow: tpmLimit },
            expiresAt: window.expiresAt,
          },
        });
      }
    }
    const outcomes = await Promise.allSettled(
      plans.map(async (plan) => (plan.kind === 'budget' ? this.hold(plan, request.requestId, reserveUsd, now, waitUntil) : this.count(plan))),
    );
    const refusedIndex = outcomes.findIndex((outcome) => outcome.status === 'rejected' || !outcome.value);
    const admission = new Admission(this.store, plans, request.requestId, reserveUsd, request.estimatedTokens, request.subjects, this.now, this.logger, this.options.onSoftBudget);
    if (refusedIndex < 0) return admission;

    // What was placed is given back; so is a hold whose write failed without an answer (a timeout), which
    // DynamoDB may yet apply: its release is conditional on the hold, a no-op if it never lands.
    const applied = plans.filter(
      (plan, index) => (outcomes[index].status === 'fulfilled' && (outcomes[index] as PromiseFulfilledResult<boolean>).value) || (plan.kind === 'budget' && outcomes[index].status === 'rejected'),
    );
    waitUntil(admission.release(applied));
    const outcome = outcomes[refusedIndex];
    if (outcome.status === 'rejected') {
      this.logger.error('limit counters unavailable', { error: String(outcome.reason) });
      throw limitsUnavailable();
    }
    const refused = plans[refusedIndex];
    if (refused.kind === 'budget') throw budgetExceeded(refused.subject, reserveUsd, refused.endsAt, now, false);
    throw rateLimited(refused.subject, secondsUntil(refused.endsAt ?? now, now));
  }

  /**
   * Places the request's hold on one budget. Holds that expired are given
   * back by whoever sees them: in the background after a placement, and at
   * once when the budget refused, which then tries the placement again.
   */
  private async hold(plan: Plan, requestId: string, amount: number, now: number, waitUntil: (task: Promise<unknown>) => void): Promise<boolean> {
    const window = budgetWindow(plan.subject, now);
    const place = (maxUsd: number) =>
      retried(
        () =>
          this.store.placeHold({
            counterId: plan.counterId,
            holdId: requestId,
            hold: { amount, expiresAt: now + this.options.holdTtlMs },
            committedAtMost: roundUsd(maxUsd - amount),
            maxUsd,
            expiresAt: window.expiresAt,
          }),
        isTransient,
        'before-upstream',
      );
    let maxUsd = plan.subject.settings.maxBudget ?? 0;
    let outcome: PlacementOutcome = await place(maxUsd);
    // A budget lowered by an administrator since this instance cached the record binds at once: try again under it.
    const ceiling = outcome.values?.ceilingUsd;
    if (!outcome.placed && ceiling !== undefined && ceiling < maxUsd) {
      maxUsd = ceiling;
      if (roundUsd(maxUsd - amount) < 0) return false;
      outcome = await place(maxUsd);
    }
    const stale = expiredHolds(outcome.values, now).length > 0;
    if (outcome.placed) {
      if (stale) waitUntil(this.store.reclaimExpired(plan.counterId, now));
      return true;
    }
    if (!stale || (await this.store.reclaimExpired(plan.counterId, now)) === 0) return false;
    return (await place(maxUsd)).placed;
  }

  private async count(plan: Plan): Promise<boolean> {
    return (await retried(() => this.store.update(plan.update!), isThrottling, 'before-upstream')) !== undefined;
  }
}

/** One admitted request's holds on budgets and counts in rate windows. */
export class Admission {
  private settlement: Promise<void> | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly plans: Plan[],
    private readonly requestId: string,
    private reservedUsd: number,
    private readonly estimatedTokens: number,
    private readonly subjects: LimitSubject[],
    private readonly now: () => number,
    private readonly logger: GatewayLogger,
    private readonly onSoftBudget: SoftBudgetListener = () => undefined,
  ) {}

  /** USD currently held against each budget for this request. */
  get heldUsd(): number {
    return this.reservedUsd;
  }

  private get budgets(): Plan[] {
    return this.plans.filter((plan) => plan.kind === 'budget');
  }

  /**
   * What the request may be charged for a reported cost: never more than its
   * hold when it holds any budget, so an upstream that reports more than it
   * could have used cannot push spend past `max_budget`. The rest is overage,
   * recorded but not charged.
   */
  chargeFor(costUsd: number): { chargedUsd: number; overageUsd: number } {
    const cost = roundUsd(costUsd);
    if (this.budgets.length === 0 || cost <= this.reservedUsd) return { chargedUsd: cost, overageUsd: 0 };
    return { chargedUsd: this.reservedUsd, overageUsd: roundUsd(cost - this.reservedUsd) };
  }

  /**
   * Grows the hold on every budget by `extraUsd` (another round of a tool
   * loop); throws 429 budget_exceeded, holding nothing extra, when it does
   * not fit.
   */
  async extend(extraUsd: number): Promise<void> {
    const extra = roundUsd(extraUsd);
    const from = this.reservedUsd;
    const to = roundUsd(from + extra);
    const grow = (plan: Plan, by: number, start: number, committedAtMost: number) =>
      retried(
        () => this.store.growHold({ counterId: plan.counterId, holdId: this.requestId, from: start, extra: by, committedAtMost, maxUsd: plan.subject.settings.maxBudget ?? 0 }),
        isTransient,
        'before-upstream',
      );
    const outcomes = await Promise.allSettled(this.budgets.map((plan) => grow(plan, extra, from, roundUsd((plan.subject.settings.maxBudget ?? 0) - extra))));
    const refusedIndex = outcomes.findIndex((outcome) => outcome.status === 'rejected' || !outcome.value);
    if (refusedIndex >= 0) {
      const grown = this.budgets.filter((_, index) => outcomes[index].status === 'fulfilled' && (outcomes[index] as PromiseFulfilledResult<boolean>).value);
      await Promise.all(grown.map((plan) => grow(plan, roundUsd(-extra), to, Number.MAX_SAFE_INTEGER)));
      const refused = this.budgets[refusedIndex];
      throw budgetExceeded(refused.subject, extra, refused.endsAt, this.now(), false);
    }
    this.reservedUsd = to;
  }

  /**
   * Replaces the holds with the real cost on every budget (also recording
   * spend where there is no budget) and corrects token counts. The cost is
   * capped at the hold (`chargeFor`). Idempotent: a second call returns the
   * first settlement, and a hold write sent again finds the hold gone.
   */
  settle(actual: Settlement): Promise<void> {
    this.settlement ??= this.apply(actual);
    return this.settlement;
  }

  /** Gives back what an admission refused elsewhere had placed: its holds and its counts in rate windows. */
  release(applied: Plan[]): Promise<unknown> {
    this.settlement ??= Promise.allSettled(
      applied.map((plan) =>
        plan.kind === 'budget'
          ? retried(() => this.store.settleHold({ counterId: plan.counterId, holdId: this.requestId, held: this.reservedUsd, chargedUsd: 0, requests: 0, tokens: 0 }), isTransient, 'after-response')
          : retried(() => this.store.update({ counterId: plan.counterId, add: negate(plan.update!.add) }), isThrottling, 'after-response'),
      ),
    ).then(() => undefined);
    return this.settlement;
  }

  private async apply(actual: Settlement): Promise<void> {
    const costUsd = this.chargeFor(actual.costUsd).chargedUsd;
    const updates: Promise<unknown>[] = [];
    for (const subject of this.subjects) {
      const budget = this.budgets.find((plan) => plan.subject === subject);
      if (budget) {
        updates.push(
          retried(
            () => this.store.settleHold({ counterId: budget.counterId, holdId: this.requestId, held: this.reservedUsd, chargedUsd: costUsd, requests: 1, tokens: actual.tokens }),
            isTransient,
            'after-response',
          ).then((values) => {
            if (!values) this.logger.warn('settlement found no hold: settled already, or reclaimed after it expired', { requestId: this.requestId, counterId: budget.counterId });
            this.checkSoftBudget(subject, values, costUsd);
          }),
        );
      } else {
        const window = budgetWindow(subject, this.now());
        // No hold to make it idempotent: sent once, tried again only when DynamoDB refused it.
        updates.push(
          retried(
            () => this.store.update({ counterId: window.counterId, add: { committed: costUsd, spend: costUsd, requests: 1, tokens: actual.tokens }, expiresAt: window.expiresAt }),
            isThrottling,
            'after-response',
          ).then((values) => this.checkSoftBudget(subject, values, costUsd)),
        );
      }
      // Tokens in a rate window only matter to a tpm limit: without one, the correction would be a write for nothing.
      const rate = this.plans.find((plan) => plan.kind === 'rate' && plan.subject === subject && subject.settings.tpmLimit !== undefined);
      if (rate && actual.tokens !== this.estimatedTokens) {
        updates.push(retried(() => this.store.update({ counterId: rate.counterId, add: { tokens: actual.tokens - this.estimatedTokens } }), isThrottling, 'after-response'));
      }
    }
    const results = await Promise.allSettled(updates);
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error('settlement failed', { requestId: this.requestId, error: String(result.reason) });
    }
  }

  private checkSoftBudget(subject: LimitSubject, values: CounterValues | undefined, costUsd: number) {
    const soft = subject.settings.softBudget;
    if (soft === undefined || !values) return;
    if (values.spend >= soft && values.spend - costUsd < soft) {
      this.logger.warn('soft budget crossed', { subject: subject.kind, id: subject.id, spendUsd: values.spend, softBudgetUsd: soft });
      this.onSoftBudget(subject, values.spend);
    }
  }
}
