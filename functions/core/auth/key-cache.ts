import type { KeyRecord, KeyStore } from '../keys/key-record.js';

interface CacheEntry {
  record: KeyRecord | undefined;
  expiresAt: number;
}

const maxEntries = 10_000;

/**
 * Keeps key records in memory for a short time so the hot path does not read
 * DynamoDB on every request. A blocked or deleted key stops working in other
 * containers within `ttlMs`; in this one, at once (writes invalidate).
 */
export class KeyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<KeyRecord | undefined>>();

  constructor(
    private readonly store: KeyStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(keyId: string): Promise<KeyRecord | undefined> {
    const cached = this.entries.get(keyId);
    if (cached && cached.expiresAt > this.now()) return cached.record;
    const pending = this.inFlight.get(keyId);
    if (pending) return pending;
    const lookup = this.store
      .get(keyId)
      .then((record) => {
        this.remember(keyId, record);
        return record;
      })
      .finally(() => this.inFlight.delete(keyId));
    this.inFlight.set(keyId, lookup);
    return lookup;
  }

  invalidate(keyId: string): void {
    this.entries.delete(keyId);
  }

  private remember(keyId: string, record: KeyRecord | undefined): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyId, { record, expiresAt: this.now() + this.ttlMs });
  }
}
