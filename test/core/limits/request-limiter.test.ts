import { describe, expect, it, vi } from 'vitest';
import type { LimitSettings } from '../../../functions/core/keys/key-record.js';
import type { CounterStore, CounterUpdate, CounterValues } from '../../../functions/core/limits/counter-store.js';
import type { LimitSubject } from '../../../functions/core/limits/limit-windows.js';
import { RequestLimiter } from '../../../functions/core/limits/request-limiter.js';
import { silentLogger } from '../../../functions/core/logger.js';

/** The CounterStore contract in memory: conditional adds, as the DynamoDB store does them. */
class MemoryCounterStore implements CounterStore {
  readonly counters = new Map<string, CounterValues>();
  readonly updates: CounterUpdate[] = [];

  async update(update: CounterUpdate) {
    this.updates.push(update);
    const current = this.counters.get(update.counterId) ?? { committed: 0, spend: 0, requests: 0, tokens: 0 };
    const { committedAtMost, requestsBelow, tokensBelow } = update.limits ?? {};
    if (committedAtMost !== undefined && current.committed > committedAtMost) return undefined;
    if (requestsBelow !== undefined && current.requests >= requestsBelow) return undefined;
    if (tokensBelow !== undefined && current.tokens >= tokensBelow) return undefined;
    const next = { ...current };
    for (const [field, amount] of Object.entries(update.add)) next[field as keyof CounterValues] += amount ?? 0;
    this.counters.set(update.counterId, next);
    return next;
  }

  async get(counterId: string) {
    return this.counters.get(counterId);
  }
}

const settings = (overrides: Partial<LimitSettings>): LimitSettings => ({
  models: [],
  mcpServers: [],
  mcpToolPermissions: {},
  knowledgeBases: [],
  blocked: false,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const subject = (overrides: Partial<LimitSettings>, kind: 'key' | 'team' = 'key'): LimitSubject => ({ kind, id: `${kind}-1`, settings: settings(overrides) });
const now = Date.parse('2026-03-01T12:00:30.000Z');
const noTasks = () => undefined;

describe('RequestLimiter', () => {
  it('reserves the worst case and settles the real cost exactly once', async () => {
    const store = new MemoryCounterStore();
    const limiter = new RequestLimiter(store, () => now, silentLogger);
    const key = subject({ maxBudget: 1 });

    const admission = await limiter.admit({ subjects: [key], reserveUsd: 0.4, estimatedTokens: 10 }, noTasks);
    expect(store.counters.get('budget#key#key-1#all')).toMatchObject({ committed: 0.4, spend: 0 });

    await Promise.all([admission.settle({ costUsd: 0.1, tokens: 30 }), admission.settle({ costUsd: 0.1, tokens: 30 })]);
    await admission.settle({ costUsd: 0.5, tokens: 99 });

    const settled = store.counters.get('budget#key#key-1#all')!;
    expect(settled.committed).toBeCloseTo(0.1, 10);
    expect(settled).toMatchObject({ spend: 0.1, requests: 1, tokens: 30 });
  });

  it('undoes the reservations that succeeded when another limit refuses, and says which limit', async () => {
    const store = new MemoryCounterStore();
    const limiter = new RequestLimiter(store, () => now, silentLogger);
    const undone: Promise<unknown>[] = [];
    const key = subject({ maxBudget: 1 });
    const team = subject({ maxBudget: 0.5 }, 'team');
    await limiter.admit({ subjects: [key, team], reserveUsd: 0.3, estimatedTokens: 0 }, (task) => undone.push(task));

    const refusal = await limiter.admit({ subjects: [key, team], reserveUsd: 0.3, estimatedTokens: 0 }, (task) => undone.push(task)).catch((error) => error);
    await Promise.all(undone);

    expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(refusal.message).toContain('its team');
    expect(store.counters.get('budget#key#key-1#all')?.committed).toBeCloseTo(0.3, 10);
  });

  it('counts requests per minute and answers with the seconds left in the window', async () => {
    const store = new MemoryCounterStore();
    const limiter = new RequestLimiter(store, () => now, silentLogger);
    const key = subject({ rpmLimit: 1 });
    await limiter.admit({ subjects: [key], reserveUsd: 0, estimatedTokens: 5 }, noTasks);

    const refusal = await limiter.admit({ subjects: [key], reserveUsd: 0, estimatedTokens: 5 }, noTasks).catch((error) => error);

    expect(refusal).toMatchObject({ status: 429, code: 'rate_limit_exceeded', headers: { 'retry-after': '30' } });
  });

  it('corrects the tokens of a rate window at settlement only where a tpm limit reads them', async () => {
    // Prepare
    const store = new MemoryCounterStore();
    const limiter = new RequestLimiter(store, () => now, silentLogger);
    const requestsOnly = subject({ maxBudget: 1, rpmLimit: 10 });
    const withTokens = { ...subject({ rpmLimit: 10, tpmLimit: 1_000 }, 'team'), id: 'team-1' };

    // Act
    const admission = await limiter.admit({ subjects: [requestsOnly, withTokens], reserveUsd: 0.2, estimatedTokens: 50 }, noTasks);
    const writesBeforeSettling = store.updates.length;
    await admission.settle({ costUsd: 0.1, tokens: 80 });

    // Assess
    const settlementWrites = store.updates.slice(writesBeforeSettling).map((update) => update.counterId);
    expect(settlementWrites).toEqual(['budget#key#key-1#all', 'budget#team#team-1#all', expect.stringMatching(/^rate#team#team-1#/)]);
    expect([...store.counters].find(([id]) => id.startsWith('rate#team'))?.[1].tokens).toBe(80);
  });

  it('places budget periods from the record creation time', async () => {
    const store = new MemoryCounterStore();
    const key = subject({ maxBudget: 1, budgetDuration: '1d', createdAt: '2026-02-27T18:00:00.000Z' });
    await new RequestLimiter(store, () => now, silentLogger).admit({ subjects: [key], reserveUsd: 0.1, estimatedTokens: 0 }, noTasks);
    // 2026-03-01T12:00 is 1.75 days after creation: period 1, ending 2026-03-01T18:00
    const update = store.updates[0];
    expect(update.counterId).toBe('budget#key#key-1#1');
    expect(update.expiresAt).toBe(Date.parse('2026-03-01T18:00:00.000Z') / 1000 + 7 * 86_400);
  });

  it('reports crossing the soft budget once', async () => {
    const store = new MemoryCounterStore();
    const listener = vi.fn();
    const warn = vi.fn();
    const limiter = new RequestLimiter(store, () => now, { ...silentLogger, warn }, listener);
    const key = subject({ softBudget: 0.25 });

    for (let index = 0; index < 5; index += 1) {
      const admission = await limiter.admit({ subjects: [key], reserveUsd: 0, estimatedTokens: 0 }, noTasks);
      await admission.settle({ costUsd: 0.1, tokens: 1 });
    }

    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0][1]).toBeCloseTo(0.3, 10);
    expect(warn).toHaveBeenCalledWith('soft budget crossed', expect.objectContaining({ id: 'key-1', softBudgetUsd: 0.25 }));
  });

  it('tries a throttled settlement again rather than leave the reservation held', async () => {
    const store = new MemoryCounterStore();
    const limiter = new RequestLimiter(store, () => now, silentLogger);
    const admission = await limiter.admit({ subjects: [subject({ maxBudget: 1 })], reserveUsd: 0.5, estimatedTokens: 0 }, noTasks);
    const update = store.update.bind(store);
    let throttled = 0;
    store.update = async (counterUpdate) => {
      if (throttled < 2) {
        throttled += 1;
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      }
      return update(counterUpdate);
    };

    await admission.settle({ costUsd: 0.1, tokens: 1 });

    expect(throttled).toBe(2);
    expect(store.counters.get('budget#key#key-1#all')?.committed).toBeCloseTo(0.1, 10);
  });

  it('fails closed with 503 when the counters cannot be reached', async () => {
    const store = new MemoryCounterStore();
    store.update = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const refusal = await new RequestLimiter(store, () => now, silentLogger)
      .admit({ subjects: [subject({ maxBudget: 1 })], reserveUsd: 0.1, estimatedTokens: 0 }, noTasks)
      .catch((error) => error);
    expect(refusal).toMatchObject({ status: 503, code: 'limits_unavailable' });
  });
});
