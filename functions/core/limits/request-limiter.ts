import type { GatewayLogger } from '../logger.js';
import { roundUsd } from '../pricing.js';
import { isThrottling, isTransient } from '../retry.js';
import { Admission } from './admission.js';
import { expiredHolds, type PlacementOutcome, type CounterStore } from './counter-store.js';
import type { SoftBudgetListener, WaitUntil } from './lease-context.js';
import { LeasePool } from './lease-pool.js';
import { defaultLeaseSizing, type LeaseSizing } from './lease-sizing.js';
import { budgetExceeded, limitsUnavailable, rateLimited, secondsUntil } from './limit-errors.js';
import { plansFor, retried, type AdmissionRequest, type Plan } from './limit-plans.js';

export type { Admission, Settlement } from './admission.js';
export type { AdmissionRequest } from './limit-plans.js';
export type { SoftBudgetListener } from './lease-context.js';

/** Budget leases (see `BudgetLease`, `RateLease`): requests admitted in memory from budget and rate-window slices this instance holds. */
export interface LeaseOptions {
  /** A lease nothing was admitted from for this long goes back. */
  idleReturnMs: number;
  /** Whether a request's host waits for the idle return it started (see `IdleReturn`). */
  awaitIdleReturn: boolean;
  /** How long after a write a lease admits in memory; by default a 32nd of the hold TTL, between 50 ms and 60 s. */
  termMs?: number;
  sizing?: LeaseSizing;
  /** A fresh lease id (the hold's name on the counter). */
  newLeaseId?: () => string;
}

export interface RequestLimiterOptions {
  /** How long a hold lives before any later write may reclaim it (a request that never settled: a crash, a timeout). */
  holdTtlMs: number;
  onSoftBudget?: SoftBudgetListener;
  /** Budget leases; without them every request holds its own worst case. */
  leases?: LeaseOptions;
}

/**
 * Hard budgets and rate limits. `admit` places a hold of the worst case on
 * every budget and counts the request in every rate window, all in parallel,
 * each one conditional single-item update: concurrent requests cannot
 * overspend. A hold carries the request id and an expiry, so a write sent
 * again is a no-op and a hold its request never settled (a crash) is
 * reclaimed by a later write. With leases, a budget or window this instance
 * holds a lease on admits the request in memory instead, and one that needs
 * a lease takes it in that same one write. The returned admission settles
 * exactly once.
 */
export class RequestLimiter {
  private readonly leases: LeasePool | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly now: () => number,
    private readonly logger: GatewayLogger,
    private readonly options: RequestLimiterOptions,
  ) {
    const leases = options.leases;
    this.leases = leases
      ? new LeasePool({
          store,
          now,
          logger,
          holdTtlMs: options.holdTtlMs,
          termMs: leases.termMs ?? Math.min(60_000, Math.max(50, Math.floor(options.holdTtlMs / 32))),
          idleReturnMs: leases.idleReturnMs,
          awaitIdleReturn: leases.awaitIdleReturn,
          sizing: leases.sizing ?? defaultLeaseSizing,
          newLeaseId: leases.newLeaseId ?? (() => `lease-${crypto.randomUUID()}`),
          onSoftBudget: options.onSoftBudget,
        })
      : undefined;
  }

  async admit(request: AdmissionRequest, waitUntil: WaitUntil): Promise<Admission> {
    const now = this.now();
    const reserveUsd = roundUsd(request.reserveUsd);
    const plans = plansFor(request, reserveUsd, now);
    const outcomes = await Promise.allSettled(
      plans.map(async (plan) => {
        if (await this.fromLease(plan, reserveUsd, waitUntil)) return true;
        return plan.kind === 'budget' ? this.hold(plan, request.requestId, reserveUsd, now, waitUntil) : this.count(plan);
      }),
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

  /** Gives every lease back (what requests in flight hold stays until they settle): the host is shutting down. */
  async close(): Promise<void> {
    await this.leases?.close();
  }

  /** Admits the plan from this instance's lease, in memory or by taking (or growing) the lease in one write; false when no lease fits. */
  private async fromLease(plan: Plan, reserveUsd: number, waitUntil: WaitUntil): Promise<boolean> {
    if (!this.leases) return false;
    if (plan.kind === 'budget') {
      if (reserveUsd <= 0) return false;
      const lease = this.leases.budget({ subject: plan.subject, counterId: plan.counterId, counterExpiresAt: plan.counterExpiresAt });
      const generation = lease.tryAdmit(reserveUsd, waitUntil) ?? (await lease.acquire(reserveUsd));
      if (generation === undefined) return false;
      plan.budgetLease = { lease, generation };
      return true;
    }
    const lease = this.leases.window({ subject: plan.subject, counterId: plan.counterId, endsAt: plan.endsAt!, counterExpiresAt: plan.counterExpiresAt! });
    const tokens = plan.update?.add.tokens ?? 0;
    if (!lease.tryAdmit(tokens) && !(await lease.acquire(tokens))) return false;
    plan.rateLease = lease;
    return true;
  }

  /**
   * Places the request's hold on one budget. Holds that expired are given
   * back by whoever sees them: in the background after a placement, and at
   * once when the budget refused, which then tries the placement again.
   */
  private async hold(plan: Plan, requestId: string, amount: number, now: number, waitUntil: WaitUntil): Promise<boolean> {
    const place = (maxUsd: number) =>
      retried(
        () =>
          this.store.placeHold({
            counterId: plan.counterId,
            holdId: requestId,
            hold: { amount, expiresAt: now + this.options.holdTtlMs },
            committedAtMost: roundUsd(maxUsd - amount),
            maxUsd,
            expiresAt: plan.counterExpiresAt,
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
    this.observe(plan, outcome);
    const stale = expiredHolds(outcome.values, now).length > 0;
    if (outcome.placed) {
      if (stale) waitUntil(this.store.reclaimExpired(plan.counterId, now));
      return true;
    }
    if (!stale || (await this.store.reclaimExpired(plan.counterId, now)) === 0) return false;
    const retry = await place(maxUsd);
    this.observe(plan, retry);
    return retry.placed;
  }

  /** What a request's own hold saw of the counter sizes this instance's next lease on it. */
  private observe(plan: Plan, outcome: PlacementOutcome) {
    this.leases?.budget({ subject: plan.subject, counterId: plan.counterId, counterExpiresAt: plan.counterExpiresAt }).observe(outcome.values);
  }

  private async count(plan: Plan): Promise<boolean> {
    return (await retried(() => this.store.update(plan.update!), isThrottling, 'before-upstream')) !== undefined;
  }
}
