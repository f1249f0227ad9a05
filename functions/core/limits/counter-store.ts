/** Counters of one budget period or rate-limit window of a key or team. */
export interface CounterValues {
  /** Spend plus outstanding reservations, USD: what budgets are checked against. */
  committed: number;
  /** Settled spend, USD. */
  spend: number;
  requests: number;
  tokens: number;
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
  add: Partial<CounterValues>;
  limits?: CounterLimits;
  /** Epoch seconds after which the item may be removed (DynamoDB TTL). */
  expiresAt?: number;
}

/** Port: counters in the budgets table. */
export interface CounterStore {
  /** Applies the update; undefined when a limit refused it (nothing changed). Returns the new values. */
  update(update: CounterUpdate): Promise<CounterValues | undefined>;
  get(counterId: string): Promise<CounterValues | undefined>;
}

export const zeroCounters = (): CounterValues => ({ committed: 0, spend: 0, requests: 0, tokens: 0 });
