import { GatewayError } from '../errors.js';
import type { GatewayLogger } from '../logger.js';
import { roundUsd } from '../pricing.js';
import { isThrottling, retrying } from '../retry.js';
import type { CounterStore, CounterUpdate, CounterValues } from './counter-store.js';
import { budgetWindow, hasRateLimit, rateWindow, type LimitSubject } from './limit-windows.js';

export interface AdmissionRequest {
  subjects: LimitSubject[];
  /** The request's worst-case cost, reserved against budgets until it settles. */
  reserveUsd: number;
  /** Tokens counted against tpm limits up front; the rest is added at settlement. */
  estimatedTokens: number;
}

export interface Settlement {
  costUsd: number;
  tokens: number;
}

/** Notified when a subject's spend crosses its soft budget. */
export type SoftBudgetListener = (subject: LimitSubject, spendUsd: number) => void;

interface Plan {
  kind: 'budget' | 'rate';
  subject: LimitSubject;
  update: CounterUpdate;
  endsAt?: number;
}

const negate = (add: CounterUpdate['add']): CounterUpdate['add'] =>
  Object.fromEntries(Object.entries(add).map(([field, value]) => [field, -(value ?? 0)]));

const secondsUntil = (endsAt: number, now: number) => Math.max(1, Math.ceil((endsAt - now) / 1000));

/**
 * One counter update, tried again only when DynamoDB refused it
 * (throttling): the store makes a single attempt, since an ADD whose answer
 * was lost may have been applied. Before the upstream call the request waits
 * briefly (25, 50 ms); after the response there is time (200 ms, 400 ms...).
 */
const updateCounter = (store: CounterStore, update: CounterUpdate, when: 'before-upstream' | 'after-response'): Promise<CounterValues | undefined> =>
  when === 'before-upstream' ? retrying(() => store.update(update), isThrottling, 3, 25) : retrying(() => store.update(update), isThrottling);

/**
 * Hard budgets and rate limits. `admit` reserves the worst case on every
 * budget and counts the request in every rate window, all in parallel, each
 * an atomic conditional single-item update: concurrent requests cannot
 * overspend. The returned admission settles the real cost exactly once.
 */
export class RequestLimiter {
  constructor(
    private readonly store: CounterStore,
    private readonly now: () => number,
    private readonly logger: GatewayLogger,
    private readonly onSoftBudget: SoftBudgetListener = () => undefined,
  ) {}

  async admit(request: AdmissionRequest, waitUntil: (task: Promise<unknown>) => void): Promise<Admission> {
    const now = this.now();
    const reserveUsd = roundUsd(request.reserveUsd);
    const plans: Plan[] = [];
    for (const subject of request.subjects) {
      const { maxBudget, rpmLimit, tpmLimit } = subject.settings;
      if (maxBudget !== undefined) {
        const window = budgetWindow(subject, now);
        const headroom = roundUsd(maxBudget - reserveUsd);
        if (headroom < 0) throw budgetExceeded(subject, reserveUsd, window.endsAt, now, true);
        plans.push({
          kind: 'budget',
          subject,
          endsAt: window.endsAt,
          update: { counterId: window.counterId, add: { committed: reserveUsd }, limits: { committedAtMost: headroom }, expiresAt: window.expiresAt },
        });
      }
      if (hasRateLimit(subject.settings)) {
        const window = rateWindow(subject, now);
        plans.push({
          kind: 'rate',
          subject,
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
    const outcomes = await Promise.allSettled(plans.map((plan) => updateCounter(this.store, plan.update, 'before-upstream')));
    const refusedIndex = outcomes.findIndex((outcome) => outcome.status === 'rejected' || outcome.value === undefined);
    if (refusedIndex >= 0) {
      const applied = plans.filter((_, index) => outcomes[index].status === 'fulfilled' && (outcomes[index] as PromiseFulfilledResult<unknown>).value !== undefined);
      waitUntil(Promise.all(applied.map((plan) => updateCounter(this.store, { counterId: plan.update.counterId, add: negate(plan.update.add) }, 'after-response'))));
      const outcome = outcomes[refusedIndex];
      if (outcome.status === 'rejected') {
        this.logger.error('limit counters unavailable', { error: String(outcome.reason) });
        throw new GatewayError(503, 'Budgets and rate limits cannot be checked right now; try again shortly.', {
          type: 'server_error',
          code: 'limits_unavailable',
          headers: { 'retry-after': '1' },
        });
      }
      const refused = plans[refusedIndex];
      if (refused.kind === 'budget') throw budgetExceeded(refused.subject, reserveUsd, refused.endsAt, now, false);
      throw rateLimited(refused.subject, secondsUntil(refused.endsAt ?? now, now));
    }
    return new Admission(this.store, plans, reserveUsd, request.estimatedTokens, request.subjects, this.now, this.logger, this.onSoftBudget);
  }
}

/** One admitted request's hold on budgets and rate windows. */
export class Admission {
  private settlement: Promise<void> | undefined;

  constructor(
    private readonly store: CounterStore,
    private readonly plans: Plan[],
    private reservedUsd: number,
    private readonly estimatedTokens: number,
    private readonly subjects: LimitSubject[],
    private readonly now: () => number,
    private readonly logger: GatewayLogger,
    private readonly onSoftBudget: SoftBudgetListener,
  ) {}

  /** USD currently held against each budget for this request. */
  get heldUsd(): number {
    return this.reservedUsd;
  }

  /**
   * What the request may be charged for a reported cost: never more than its
   * hold when it holds any budget, so an upstream that reports more than it
   * could have used cannot push spend past `max_budget`. The rest is overage,
   * recorded but not charged.
   */
  chargeFor(costUsd: number): { chargedUsd: number; overageUsd: number } {
    const cost = roundUsd(costUsd);
    if (!this.plans.some((plan) => plan.kind === 'budget') || cost <= this.reservedUsd) return { chargedUsd: cost, overageUsd: 0 };
    return { chargedUsd: this.reservedUsd, overageUsd: roundUsd(cost - this.reservedUsd) };
  }

  /**
   * Reserves `extraUsd` more on every budget (another round of a tool loop),
   * with the same atomic conditional updates; throws 429 budget_exceeded, holding
   * nothing extra, when it does not fit.
   */
  async extend(extraUsd: number): Promise<void> {
    const extra = roundUsd(extraUsd);
    const budgets = this.plans.filter((plan) => plan.kind === 'budget');
    const outcomes = await Promise.allSettled(
      budgets.map((plan) =>
        updateCounter(
          this.store,
          { counterId: plan.update.counterId, add: { committed: extra }, limits: { committedAtMost: roundUsd((plan.subject.settings.maxBudget ?? 0) - extra) } },
          'before-upstream',
        ),
      ),
    );
    const refusedIndex = outcomes.findIndex((outcome) => outcome.status === 'rejected' || outcome.value === undefined);
    if (refusedIndex >= 0) {
      const applied = budgets.filter((_, index) => outcomes[index].status === 'fulfilled' && (outcomes[index] as PromiseFulfilledResult<unknown>).value !== undefined);
      await Promise.all(applied.map((plan) => updateCounter(this.store, { counterId: plan.update.counterId, add: { committed: -extra } }, 'after-response')));
      const refused = budgets[refusedIndex];
      throw budgetExceeded(refused.subject, extra, refused.endsAt, this.now(), false);
    }
    this.reservedUsd = roundUsd(this.reservedUsd + extra);
  }

  /**
   * Replaces the reservation with the real cost on every budget (also
   * recording spend where there is no budget) and corrects token counts.
   * The cost is capped at the hold (`chargeFor`). Idempotent: a second call
   * returns the first settlement.
   */
  settle(actual: Settlement): Promise<void> {
    this.settlement ??= this.apply(actual);
    return this.settlement;
  }

  private async apply(actual: Settlement): Promise<void> {
    const costUsd = this.chargeFor(actual.costUsd).chargedUsd;
    const updates: Promise<unknown>[] = [];
    for (const subject of this.subjects) {
      const reservation = this.plans.find((plan) => plan.kind === 'budget' && plan.subject === subject);
      const window = reservation?.update ?? budgetWindow(subject, this.now());
      const held = reservation ? this.reservedUsd : 0;
      updates.push(
        updateCounter(
          this.store,
          {
            counterId: window.counterId,
            add: { committed: roundUsd(costUsd - held), spend: costUsd, requests: 1, tokens: actual.tokens },
            expiresAt: window.expiresAt,
          },
          'after-response',
        ).then((values) => this.checkSoftBudget(subject, values, costUsd)),
      );
      // Tokens in a rate window only matter to a tpm limit: without one, the correction would be a write for nothing.
      const rate = this.plans.find((plan) => plan.kind === 'rate' && plan.subject === subject && subject.settings.tpmLimit !== undefined);
      if (rate && actual.tokens !== this.estimatedTokens) {
        updates.push(updateCounter(this.store, { counterId: rate.update.counterId, add: { tokens: actual.tokens - this.estimatedTokens } }, 'after-response'));
      }
    }
    const results = await Promise.allSettled(updates);
    for (const result of results) {
      if (result.status === 'rejected') this.logger.error('settlement failed', { error: String(result.reason) });
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

const budgetExceeded = (subject: LimitSubject, reserveUsd: number, endsAt: number | undefined, now: number, neverFits: boolean) => {
  const what = subject.kind === 'key' ? 'this key' : 'its team';
  const detail = neverFits
    ? `The request's worst-case cost ($${reserveUsd}) is more than the whole budget of ${what} ($${subject.settings.maxBudget}); lower max_tokens.`
    : `Budget exceeded for ${what}: the request's worst-case cost ($${reserveUsd}) does not fit in the remaining budget of $${subject.settings.maxBudget}.`;
  return new GatewayError(429, detail, {
    type: 'rate_limit_error',
    code: 'budget_exceeded',
    headers: { 'x-should-retry': 'false', ...(endsAt === undefined ? {} : { 'retry-after': String(secondsUntil(endsAt, now)) }) },
  });
};

const rateLimited = (subject: LimitSubject, retryAfterSeconds: number) =>
  new GatewayError(429, `Rate limit reached for ${subject.kind === 'key' ? 'this key' : 'its team'}; retry after ${retryAfterSeconds}s.`, {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
