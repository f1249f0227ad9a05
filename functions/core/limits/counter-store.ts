/** A request's reservation on a budget, until it settles or expires. */
export interface Hold {
  /** USD held. */
  amount: number;
  /** Epoch milliseconds after which any later write may reclaim it. */
  expiresAt: number;
  /** A lease's count of writes: each revision is conditional on it, so one sent again changes nothing. */
  revision?: number;
}

/** Counters of one budget period or rate-limit window of a key or team. */
export interface CounterValues {
  /** Spend plus the holds not yet settled or reclaimed, USD: what budgets are checked against. */
  committed: number;
  /** Settled spend, USD. */
  spend: number;
  requests: number;
  tokens: number;
  /** Holds by request id (budget counters only). */
  holds: Record<string, Hold>;
  /**
   * The budget as an administrator last set it on this period's counter
   * (`max_budget` of a key or team update): it binds every instance at once,
   * before their cached records expire.
   */
  ceilingUsd?: number;
}

/** Conditions checked atomically against the values before the update. */
export interface CounterLimits {
  committedAtMost?: number;
  requestsBelow?: number;
  tokensBelow?: number;
}

/** One atomic, conditional, single-item update. */
export interface CounterUpdate {
  counterId: string;
  add: Partial<Omit<CounterValues, 'holds'>>;
  limits?: CounterLimits;
  /** Epoch seconds after which the item may be removed (DynamoDB TTL). */
  expiresAt?: number;
}

/** A hold to place on a budget counter. */
export interface HoldPlacement {
  counterId: string;
  holdId: string;
  hold: Hold;
  /** The most `committed` may be before the hold is added. */
  committedAtMost: number;
  /** The budget `committedAtMost` was worked out from: refused when the counter's own ceiling is lower. */
  maxUsd: number;
  /** Epoch seconds after which the item may be removed (DynamoDB TTL). */
  expiresAt?: number;
}

/** Growing a hold by `extra` USD (another round of a tool loop). */
export interface HoldGrowth {
  counterId: string;
  holdId: string;
  /** The hold's amount before this growth, as the caller last set it. */
  from: number;
  extra: number;
  committedAtMost: number;
  /** As for a placement. */
  maxUsd: number;
}

/** Replacing a hold with what the request is charged. */
export interface HoldSettlement {
  counterId: string;
  holdId: string;
  /** The hold's amount, as the caller last set it. */
  held: number;
  chargedUsd: number;
  requests: number;
  tokens: number;
}

/**
 * Rewriting a lease (a hold an instance admits requests from in memory): the
 * charges of the requests it served move from the lease into spend, and the
 * lease grows, shrinks or ends (`to: 0` removes it), its expiry pushed out.
 */
export interface HoldRevision {
  counterId: string;
  holdId: string;
  /** The revision the lease is at; the write makes it `revision + 1`. */
  revision: number;
  /** The lease's amount as last written. */
  from: number;
  /** Its amount after the write (charges drawn, growth added); 0 ends the lease. */
  to: number;
  expiresAt: number;
  chargedUsd: number;
  requests: number;
  tokens: number;
  /** When the lease grows: the most `committed` may be before the growth, and the budget that was worked out from. */
  committedAtMost?: number;
  maxUsd?: number;
}

/** `revised`: written (or found written by this revision sent before); `refused`: no room to grow, nothing changed; `gone`: no such lease at that revision (reclaimed, or ended). */
export type RevisionOutcome = { status: 'revised' | 'refused' | 'gone'; values: CounterValues | undefined };

export type PlacementOutcome = { placed: boolean; values: CounterValues | undefined };

/**
 * Port: counters in the budgets table. Hold operations are conditional on
 * the hold's presence or absence, so a write sent again after its answer was
 * lost changes nothing; `update` is a plain conditional ADD, and must not be
 * sent twice.
 */
export interface CounterStore {
  /** Applies the update; undefined when a limit refused it (nothing changed). Returns the new values. */
  update(update: CounterUpdate): Promise<CounterValues | undefined>;
  get(counterId: string): Promise<CounterValues | undefined>;
  /** Places the hold unless it is there already; not placed (nothing changed) when the budget has no room for it. */
  placeHold(placement: HoldPlacement): Promise<PlacementOutcome>;
  /** Grows a hold; false (nothing changed) when the budget has no room. */
  growHold(growth: HoldGrowth): Promise<boolean>;
  /** Rewrites a lease: see `HoldRevision`. */
  reviseHold(revision: HoldRevision): Promise<RevisionOutcome>;
  /** Removes the hold and charges its request; `undefined` when the hold is gone already (settled, or reclaimed). */
  settleHold(settlement: HoldSettlement): Promise<CounterValues | undefined>;
  /** Gives back the holds of the counter that expired before `now` (epoch ms); how many it reclaimed. */
  reclaimExpired(counterId: string, now: number): Promise<number>;
  /** Sets (or, with `undefined`, removes) the counter's ceiling: the budget every placement and growth is checked against at once. */
  setCeiling(counterId: string, ceilingUsd: number | undefined, expiresAt?: number): Promise<void>;
}

/** Whether a hold may still settle at `now` (epoch ms); past its expiry any later write may reclaim it. */
export const isLive = (hold: Hold, now: number): boolean => hold.expiresAt > now;

/** The holds that expired before `now`. */
export const expiredHolds = (values: CounterValues | undefined, now: number): Array<[string, Hold]> =>
  Object.entries(values?.holds ?? {}).filter(([, hold]) => !isLive(hold, now));
