import { BudgetLease, type LeasedBudget } from './budget-lease.js';
import type { LeaseContext } from './lease-context.js';
import { RateLease, type LeasedWindow } from './rate-lease.js';

/**
 * Every lease one instance holds, by counter: one per budget period and one
 * per rate window of each key and team it serves. `close` gives them all back.
 */
export class LeasePool {
  private readonly budgets = new Map<string, BudgetLease>();
  private readonly windows = new Map<string, RateLease>();

  constructor(private readonly context: LeaseContext) {}

  /** The lease on a budget counter, made on first use. */
  budget(budget: LeasedBudget): BudgetLease {
    let lease = this.budgets.get(budget.counterId);
    if (!lease) {
      this.forgetFinished();
      lease = new BudgetLease(this.context, budget);
      this.budgets.set(budget.counterId, lease);
    }
    return lease;
  }

  /** The lease on a rate window, made on first use. */
  window(window: LeasedWindow): RateLease {
    let lease = this.windows.get(window.counterId);
    if (!lease) {
      this.forgetFinished();
      lease = new RateLease(this.context, window);
      this.windows.set(window.counterId, lease);
    }
    return lease;
  }

  /** Gives every lease back; what requests in flight hold stays until they settle. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.budgets.values(), ...this.windows.values()].map((lease) => lease.close()));
  }

  /** Leases of past windows and periods, and budget leases given back with nothing left to write. */
  private forgetFinished() {
    for (const leases of [this.budgets, this.windows] as Array<Map<string, { finished: boolean }>>) {
      for (const [counterId, lease] of leases) if (lease.finished) leases.delete(counterId);
    }
  }
}
