interface CacheEntry<Value> {
  value: Value | undefined;
  expiresAt: number;
}

const maxEntries = 10_000;

/**
 * Keeps records (keys, teams) in memory for a short time so the hot path does
 * not read DynamoDB on every request. A change made elsewhere is seen within
 * `ttlMs`; a change made through this instance at once (writes invalidate).
 * Concurrent misses for one id share a single read.
 */
export class RecordCache<Value> {
  private readonly entries = new Map<string, CacheEntry<Value>>();
  private readonly inFlight = new Map<string, Promise<Value | undefined>>();

  constructor(
    private readonly load: (id: string) => Promise<Value | undefined>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: string): Promise<Value | undefined> {
    const cached = this.entries.get(id);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const lookup = this.load(id)
      .then((value) => {
        this.remember(id, value);
        return value;
      })
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, lookup);
    return lookup;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }

  private remember(id: string, value: Value | undefined): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
  }
}
