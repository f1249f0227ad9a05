import type { GatewayLogger } from '../logger.js';
import { roundUsd } from '../pricing.js';
import { isThrottling, isTransient } from '../retry.js';
import type { CounterStore, CounterValues } from './counter-store.js';
import type { SoftBudgetListener } from './lease-context.js';
import { budgetExceeded } from './limit-errors.js';
import { negate, retried, type Plan } from './limit-plans.js';
import { budgetWindow, type LimitSubject } from './limit-windows.js';

export interface Settlement {
  costUsd: number;
  tokens: number;
}

/** One admitted request's holds on budgets and counts in rate windows, its own or taken from this instance's leases. */
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
    const outcomes = await Promise.allSettled(
      this.budgets.map((plan) =>
        plan.budgetLease ? plan.budgetLease.lease.extend(plan.budgetLease.generation, extra) : grow(plan, extra, from, roundUsd((plan.subject.settings.maxBudget ?? 0) - extra)),
      ),
    );
    const refusedIndex = outcomes.findIndex((outcome) => outcome.status === 'rejected' || !outcome.value);
    if (refusedIndex >= 0) {
      const grown = this.budgets.filter((_, index) => outcomes[index].status === 'fulfilled' && (outcomes[index] as PromiseFulfilledResult<boolean>).value);
      await Promise.all(
        grown.map(async (plan) => (plan.budgetLease ? plan.budgetLease.lease.release(plan.budgetLease.generation, extra) : grow(plan, roundUsd(-extra), to, Number.MAX_SAFE_INTEGER))),
      );
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

  /** Gives back what an admission refused elsewhere had placed: its holds, its counts in rate windows, what it took from leases. */
  release(applied: Plan[]): Promise<unknown> {
    this.settlement ??= Promise.allSettled(
      applied.map(async (plan) => {
        if (plan.budgetLease) return plan.budgetLease.lease.release(plan.budgetLease.generation, this.reservedUsd);
        if (plan.rateLease) return plan.rateLease.release(plan.update?.add.tokens ?? 0);
        return plan.kind === 'budget'
          ? retried(() => this.store.settleHold({ counterId: plan.counterId, holdId: this.requestId, held: this.reservedUsd, chargedUsd: 0, requests: 0, tokens: 0 }), isTransient, 'after-response')
          : retried(() => this.store.update({ counterId: plan.counterId, add: negate(plan.update!.add) }), isThrottling, 'after-response');
      }),
    ).then(() => undefined);
    return this.settlement;
  }

  private async apply(actual: Settlement): Promise<void> {
    const costUsd = this.chargeFor(actual.costUsd).chargedUsd;
    const updates: Promise<unknown>[] = [];
    for (const subject of this.subjects) {
      const budget = this.budgets.find((plan) => plan.subject === subject);
      if (budget?.budgetLease) {
        // Soft budgets are checked by the lease's write, which charges every request settled meanwhile.
        updates.push(budget.budgetLease.lease.settle(budget.budgetLease.generation, this.reservedUsd, costUsd, actual.tokens));
      } else if (budget) {
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
      const rate = this.plans.find((plan) => plan.kind === 'rate' && plan.subject === subject);
      if (rate?.rateLease) {
        updates.push(rate.rateLease.settle(this.estimatedTokens, actual.tokens));
      } else if (rate && subject.settings.tpmLimit !== undefined && actual.tokens !== this.estimatedTokens) {
        // Tokens in a rate window only matter to a tpm limit: without one, the correction would be a write for nothing.
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
