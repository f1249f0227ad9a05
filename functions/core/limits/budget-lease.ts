import { roundUsd } from '../pricing.js';
import { isThrottling, isTransient, retrying } from '../retry.js';
import { expiredHolds, type CounterValues, type PlacementOutcome, type RevisionOutcome } from './counter-store.js';
import { IdleReturn } from './idle-return.js';
import type { LeaseContext, WaitUntil } from './lease-context.js';
import { budgetLeaseSize } from './lease-sizing.js';
import type { LimitSubject } from './limit-windows.js';

/** The budget counter a lease is on. */
export interface LeasedBudget {
  subject: LimitSubject;
  counterId: string;
  /** The counter item's TTL (epoch seconds). */
  counterExpiresAt?: number;
}

/**
 * One instance's lease on one budget counter: a hold (`holds.<lease id>`,
 * with an expiry and a revision) this instance admits requests from in
 * memory. Requests in flight are `reserved` out of it; what they were charged
 * waits in memory until the next write moves it from the lease into spend,
 * one write for every request that settled meanwhile. Writes go one at a time,
 * each conditional on the lease's revision, so one sent again changes nothing.
 * The lease grows ahead of need, shrinks towards its size when budget runs
 * low, and goes back when idle or at shutdown; if the instance dies, it
 * expires and is reclaimed like any hold.
 */
export class BudgetLease {
  private leaseId: string | undefined;
  /** Counts the leases taken: a request admitted from one that was since lost settles as plain spend. */
  private generation = 0;
  /** The lease's amount, revision and expiry as last written. */
  private amount = 0;
  private revision = 0;
  private admitUntil = 0;
  private expiresAt = 0;
  /** Held for requests in flight. */
  private reserved = 0;
  /** Settled, not written yet. */
  private pending: Charges = noCharges();
  /** Settled from a lease that was lost: written as plain spend. */
  private orphaned: Charges = noCharges();
  /** Given back by the write in flight. */
  private shrinking = 0;
  /** The worst case of the last request admitted: what the lease is sized in. */
  private worstCase = 0;
  private seen: CounterValues | undefined;
  private ending = false;
  /** A write that ends the lease is in flight: nothing more may be admitted from it. */
  private removing = false;
  private renewing = false;
  /** Writes sent so far: a request that waited for another's write does not send one of its own. */
  private writes = 0;
  /** When a request last came for this budget (what it saw sizes the next lease). */
  private touchedAt = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private nextFlush: Promise<void> | undefined;
  private readonly idle: IdleReturn;

  constructor(
    private readonly context: LeaseContext,
    private readonly budget: LeasedBudget,
  ) {
    this.idle = new IdleReturn(context.idleReturnMs, async () => {
      await this.serialized(() => this.write({ end: true }));
    });
  }

  /** True when nothing is held, in flight or waiting to be written, and no request came for a minute: the pool may forget this lease. */
  get finished(): boolean {
    const quiet = this.context.now() - this.touchedAt > 60_000;
    return quiet && this.leaseId === undefined && this.reserved === 0 && this.pending.requests === 0 && this.orphaned.requests === 0;
  }

  /** Counter values another write saw (a request's own hold): what the next lease is sized from. */
  observe(values: CounterValues | undefined): void {
    this.touchedAt = this.context.now();
    if (values) this.seen = values;
  }

  /** Admits `amount` from the lease in memory: the lease generation to settle against, or undefined when the lease is not live or has no room. */
  tryAdmit(amount: number, waitUntil: WaitUntil): number | undefined {
    const now = this.context.now();
    this.touchedAt = now;
    if (this.leaseId === undefined || this.ending || this.removing || now >= this.admitUntil || amount > this.free) return undefined;
    this.idle.cancel();
    this.reserved = roundUsd(this.reserved + amount);
    this.worstCase = amount;
    // Ahead of need: written again before its term runs out or it runs dry.
    const size = this.size();
    if (!this.renewing && (now >= this.admitUntil - this.context.termMs / 2 || this.free < size / 2)) {
      this.renewing = true;
      waitUntil(
        this.serialized(() => this.write({ atLeastFree: size, patience: 'after-response' }))
          .catch((error: unknown) => this.context.logger.warn('budget lease renewal failed', { counterId: this.budget.counterId, error: String(error) }))
          .finally(() => (this.renewing = false)),
      );
    }
    return this.generation;
  }

  /**
   * Takes a lease, or grows this one, so that `amount` fits, and admits it:
   * one write before the upstream. Undefined when the budget has no room for
   * a lease: the request then holds its own worst case.
   */
  async acquire(amount: number): Promise<number | undefined> {
    if (this.ending) return undefined;
    this.idle.cancel();
    const writesBefore = this.writes;
    return this.serialized(async () => {
      const admitted = this.tryAdmit(amount, () => undefined);
      if (admitted !== undefined) return admitted;
      // Others' writes went first and it still does not fit: a hold of its own, in parallel, rather than a queue of writes.
      if (this.writes !== writesBefore) return undefined;
      this.worstCase = amount;
      const size = this.size();
      if (size < amount) return undefined;
      const written = this.leaseId === undefined ? await this.take(size) : await this.write({ atLeastFree: size, patience: 'before-upstream' });
      return written ? this.tryAdmit(amount, () => undefined) : undefined;
    });
  }

  /** Holds `extraUsd` more for a request admitted from lease `generation` (another tool round); false when it does not fit. */
  async extend(generation: number, extraUsd: number): Promise<boolean> {
    if (generation !== this.generation) return false;
    if (this.tryAdmit(extraUsd, () => undefined) !== undefined) return true;
    // A lease taken anew is another generation: the request's first reservation is not in it.
    return (await this.acquire(extraUsd)) === generation;
  }

  /** A request admitted from lease `generation` was refused elsewhere: its reservation is free again. */
  release(generation: number, reservedUsd: number): void {
    if (generation === this.generation) this.reserved = roundUsd(this.reserved - reservedUsd);
  }

  /**
   * A request admitted from lease `generation` ended, charged `chargedUsd` of
   * its `reservedUsd`: resolves once the charge is written (with every other
   * settled meanwhile), and, when the host waits for it, the idle lease given back.
   */
  async settle(generation: number, reservedUsd: number, chargedUsd: number, tokens: number): Promise<void> {
    const charge = { chargedUsd, requests: 1, tokens };
    if (generation === this.generation && this.leaseId !== undefined) {
      this.reserved = roundUsd(this.reserved - reservedUsd);
      this.pending = added(this.pending, charge);
    } else {
      this.orphaned = added(this.orphaned, charge);
    }
    await this.flush();
    if (this.reserved > 0 || this.leaseId === undefined) return;
    const returned = this.idle.arm();
    if (this.context.awaitIdleReturn) await returned;
  }

  /** Gives the lease back (what requests in flight hold stays until they settle): shutdown. */
  async close(): Promise<void> {
    this.ending = true;
    this.idle.cancel();
    await this.serialized(() => this.write({ end: true }));
  }

  private get maxUsd(): number {
    const configured = this.budget.subject.settings.maxBudget ?? 0;
    const ceiling = this.seen?.ceilingUsd;
    return ceiling !== undefined && ceiling < configured ? ceiling : configured;
  }

  private get free(): number {
    return roundUsd(this.amount - this.reserved - this.pending.chargedUsd - this.shrinking);
  }

  /** The free USD this lease should have: sized from what this instance could hold at most, the budget less what everyone else has committed. */
  private size(): number {
    if (this.ending) return 0;
    const othersCommitted = (this.seen?.committed ?? 0) - (this.leaseId === undefined ? 0 : this.amount);
    const room = roundUsd(this.maxUsd - othersCommitted - (this.leaseId === undefined ? 0 : this.amount - this.free));
    return budgetLeaseSize(room, this.worstCase, this.context.sizing);
  }

  /** Writes what settled; callers meanwhile share the next write. */
  private flush(): Promise<void> {
    this.nextFlush ??= this.serialized(async () => {
      this.nextFlush = undefined;
      await this.write({ end: this.ending });
    });
    return this.nextFlush;
  }

  private serialized<Value>(operation: () => Promise<Value>): Promise<Value> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async take(size: number): Promise<boolean> {
    this.writes += 1;
    const leaseId = this.context.newLeaseId();
    const sentAt = this.context.now();
    const expiresAt = sentAt + this.context.termMs + this.context.holdTtlMs;
    const maxUsd = this.maxUsd;
    const place = () =>
      retrying(
        () =>
          this.context.store.placeHold({
            counterId: this.budget.counterId,
            holdId: leaseId,
            hold: { amount: size, expiresAt, revision: 0 },
            committedAtMost: roundUsd(maxUsd - size),
            maxUsd,
            expiresAt: this.budget.counterExpiresAt,
          }),
        isTransient,
        3,
        25,
      );
    let outcome: PlacementOutcome = await place();
    // Holds and leases that expired (an instance that crashed) go back before this lease is sized on them;
    // when they were what refused it, it is tried again.
    if (expiredHolds(outcome.values, sentAt).length > 0) {
      const reclaimed = await this.context.store.reclaimExpired(this.budget.counterId, sentAt).catch(() => 0);
      if (!outcome.placed && reclaimed > 0) outcome = await place();
    }
    this.observe(outcome.values);
    if (!outcome.placed) return false;
    this.leaseId = leaseId;
    this.generation += 1;
    this.amount = size;
    this.revision = 0;
    this.reserved = 0;
    this.pending = noCharges();
    this.expiresAt = expiresAt;
    this.admitUntil = sentAt + this.context.termMs;
    return true;
  }

  /**
   * One revision of the lease: the charges settled so far move into spend,
   * and the lease grows to `atLeastFree`, shrinks towards its size, or
   * (`end`, once nothing is in flight) goes back. True when written.
   */
  private async write(options: { atLeastFree?: number; end?: boolean; patience?: 'before-upstream' | 'after-response' }): Promise<boolean> {
    if (this.orphaned.requests > 0) await this.chargeWithoutLease();
    if (this.leaseId === undefined) return false;
    const charges = { ...this.pending };
    const end = options.end === true && this.reserved === 0;
    const free = this.free;
    const growUsd = end ? 0 : roundUsd(Math.max(0, (options.atLeastFree ?? 0) - free));
    const shrink = end || growUsd > 0 ? 0 : roundUsd(Math.max(0, free - this.size()));
    if (!end && growUsd === 0 && shrink === 0 && charges.requests === 0 && this.context.now() < this.admitUntil - this.context.termMs / 2) return true;
    const to = end ? 0 : roundUsd(this.amount - charges.chargedUsd + growUsd - shrink);
    this.writes += 1;
    const sentAt = this.context.now();
    const expiresAt = sentAt + this.context.termMs + this.context.holdTtlMs;
    const maxUsd = this.maxUsd;
    const beforeUpstream = options.patience === 'before-upstream';
    let uncertain = false;
    let outcome: RevisionOutcome;
    this.shrinking = shrink;
    this.removing = to === 0;
    try {
      outcome = await retrying(
        () =>
          this.context.store
            .reviseHold({
              counterId: this.budget.counterId,
              holdId: this.leaseId!,
              revision: this.revision,
              from: this.amount,
              to,
              expiresAt,
              ...charges,
              committedAtMost: roundUsd(maxUsd - growUsd),
              maxUsd,
            })
            .catch((error: unknown) => {
              uncertain ||= isTransient(error);
              throw error;
            }),
        isTransient,
        beforeUpstream ? 3 : 5,
        beforeUpstream ? 25 : 200,
      );
    } finally {
      this.shrinking = 0;
      this.removing = false;
    }
    this.observe(outcome.values);
    if (outcome.status === 'refused') {
      // No room to grow; nothing was written, the charges neither: they go now, without the growth.
      if (charges.requests > 0) await this.write({ end: options.end, patience: options.patience });
      return false;
    }
    // A lease not yet expired can only have gone by this instance's own removal, sent again.
    const endedAlready = outcome.status === 'gone' && end && (uncertain || sentAt < this.expiresAt);
    this.pending = subtracted(this.pending, charges);
    if (outcome.status === 'gone' && !endedAlready) {
      // Reclaimed after it expired (this instance was frozen, or its writes failed for long): its charges go in as plain spend.
      this.context.logger.warn('budget lease gone: reclaimed after it expired', { counterId: this.budget.counterId, leaseId: this.leaseId });
      this.orphaned = added(this.orphaned, charges);
      this.leaseId = undefined;
      this.amount = 0;
      await this.chargeWithoutLease();
      return false;
    }
    if (to === 0) {
      this.leaseId = undefined;
      this.amount = 0;
    } else {
      this.amount = to;
      this.revision += 1;
      this.expiresAt = expiresAt;
      this.admitUntil = sentAt + this.context.termMs;
    }
    this.checkSoftBudget(outcome.values, charges.chargedUsd);
    return true;
  }

  /** Charges requests whose lease was lost: a plain ADD, sent once (tried again only when throttled). */
  private async chargeWithoutLease(): Promise<void> {
    const charges = this.orphaned;
    this.orphaned = noCharges();
    const values = await retrying(
      () =>
        this.context.store.update({
          counterId: this.budget.counterId,
          add: { committed: charges.chargedUsd, spend: charges.chargedUsd, requests: charges.requests, tokens: charges.tokens },
          expiresAt: this.budget.counterExpiresAt,
        }),
      isThrottling,
    );
    this.checkSoftBudget(values, charges.chargedUsd);
  }

  private checkSoftBudget(values: CounterValues | undefined, chargedUsd: number) {
    const soft = this.budget.subject.settings.softBudget;
    if (soft === undefined || !values || chargedUsd <= 0) return;
    if (values.spend >= soft && values.spend - chargedUsd < soft) {
      this.context.logger.warn('soft budget crossed', { subject: this.budget.subject.kind, id: this.budget.subject.id, spendUsd: values.spend, softBudgetUsd: soft });
      this.context.onSoftBudget?.(this.budget.subject, values.spend);
    }
  }
}

interface Charges {
  chargedUsd: number;
  requests: number;
  tokens: number;
}

const noCharges = (): Charges => ({ chargedUsd: 0, requests: 0, tokens: 0 });
const added = (total: Charges, more: Charges): Charges => ({ chargedUsd: roundUsd(total.chargedUsd + more.chargedUsd), requests: total.requests + more.requests, tokens: total.tokens + more.tokens });
const subtracted = (total: Charges, less: Charges): Charges => ({ chargedUsd: roundUsd(total.chargedUsd - less.chargedUsd), requests: total.requests - less.requests, tokens: total.tokens - less.tokens });
