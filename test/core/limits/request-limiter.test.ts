import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LimitSettings } from '../../../functions/core/keys/key-record.js';
import type { CounterStore } from '../../../functions/core/limits/counter-store.js';
import type { LimitSubject } from '../../../functions/core/limits/limit-windows.js';
import { RequestLimiter } from '../../../functions/core/limits/request-limiter.js';
import { spendStatus } from '../../../functions/core/limits/spend-status.js';
import { silentLogger } from '../../../functions/core/logger.js';
import { startLocalDynamoDB, type LocalDynamoDB } from '../../../functions/local/local-dynamodb.js';
import { DynamoDBCounterStore } from '../../../functions/stores/dynamodb-counter-store.js';

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

let subjects = 0;
/** A key or team of its own for each test, so counters never mix. */
const subject = (overrides: Partial<LimitSettings>, kind: 'key' | 'team' = 'key'): LimitSubject => ({ kind, id: `${kind}-${(subjects += 1)}`, settings: settings(overrides) });
const budgetOf = (limited: LimitSubject) => `budget#${limited.kind}#${limited.id}#all`;
const now = Date.parse('2026-03-01T12:00:30.000Z');
const noTasks = () => undefined;
const holdTtlMs = 960_000;

describe('RequestLimiter over the DynamoDB counter store (dynalite)', () => {
  let dynamo: LocalDynamoDB;
  let store: DynamoDBCounterStore;
  /** Every store call, in order: `placeHold budget#key#...`. */
  let calls: string[];
  let recorded: CounterStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:', 60_000);
    // A long deadline: the 1,000-hold test queues its writes on dynalite, which serves one at a time.
    store = new DynamoDBCounterStore(dynamo.clients.counters, dynamo.tableNames.budgets, 60_000);
    calls = [];
    recorded = new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const [first] = args;
          calls.push(`${String(property)} ${typeof first === 'string' ? first : (first as { counterId: string }).counterId}`);
          return (value as (...values: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  const limiterAt = (clock: () => number, options: Partial<ConstructorParameters<typeof RequestLimiter>[3]> = {}, logger = silentLogger) =>
    new RequestLimiter(recorded, clock, logger, { holdTtlMs, ...options });
  /** The counter item, its holds (attributes `holds.<request id>`) gathered as `holds`. */
  const item = async (counterId: string) => {
    const stored = (await dynamo.clients.documents.send(new GetCommand({ TableName: dynamo.tableNames.budgets, Key: { pk: counterId } }))).Item;
    if (!stored) return undefined;
    const holds = Object.fromEntries(Object.entries(stored).filter(([name]) => name.startsWith('holds.')).map(([name, hold]) => [name.slice('holds.'.length), hold]));
    const rest = Object.fromEntries(Object.entries(stored).filter(([name]) => !name.startsWith('holds.')));
    return { ...rest, holds } as Record<string, any>;
  };

  it('holds the worst case under the request id and settles the real cost exactly once', async () => {
    const key = subject({ maxBudget: 1 });
    const admission = await limiterAt(() => now).admit({ requestId: 'req-1', subjects: [key], reserveUsd: 0.4, estimatedTokens: 10 }, noTasks);
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.4, holds: { 'req-1': { amount: 0.4, expires_at: now + holdTtlMs } } });

    await Promise.all([admission.settle({ costUsd: 0.1, tokens: 30 }), admission.settle({ costUsd: 0.1, tokens: 30 })]);
    await admission.settle({ costUsd: 0.5, tokens: 99 });

    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.1, spend: 0.1, requests: 1, tokens: 30, holds: {} });
  });

  it('changes nothing when a hold or a settlement is written again (a retry after a lost answer)', async () => {
    // Prepare
    const key = subject({ maxBudget: 1 });
    const placement = { counterId: budgetOf(key), holdId: 'req-2', hold: { amount: 0.3, expiresAt: now + holdTtlMs }, committedAtMost: 0.7, maxUsd: 1 };
    const settlement = { counterId: budgetOf(key), holdId: 'req-2', held: 0.3, chargedUsd: 0.2, requests: 1, tokens: 5 };

    // Act
    const first = await store.placeHold(placement);
    const again = await store.placeHold(placement);
    const settled = await store.settleHold(settlement);
    const settledAgain = await store.settleHold(settlement);

    // Assess
    expect([first.placed, again.placed]).toEqual([true, true]);
    expect(settled).toMatchObject({ committed: 0.2, spend: 0.2 });
    expect(settledAgain).toBeUndefined();
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.2, spend: 0.2, requests: 1, holds: {} });
  });

  it('gives back the holds that succeeded when another limit refuses, and says which limit', async () => {
    const limiter = limiterAt(() => now);
    const undone: Promise<unknown>[] = [];
    const key = subject({ maxBudget: 1 });
    const team = subject({ maxBudget: 0.5 }, 'team');
    await limiter.admit({ requestId: 'req-3', subjects: [key, team], reserveUsd: 0.3, estimatedTokens: 0 }, (task) => undone.push(task));

    const refusal = await limiter.admit({ requestId: 'req-4', subjects: [key, team], reserveUsd: 0.3, estimatedTokens: 0 }, (task) => undone.push(task)).catch((error) => error);
    await Promise.all(undone);

    expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(refusal.message).toContain('its team');
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.3, holds: { 'req-3': { amount: 0.3 } } });
  });

  it('reclaims a hold its request never settled once it expired: the refused request then fits', async () => {
    // Prepare: a crashed request holds most of the budget.
    let clock = now;
    const limiter = limiterAt(() => clock, { holdTtlMs: 1_000 });
    const key = subject({ maxBudget: 1 });
    await limiter.admit({ requestId: 'crashed', subjects: [key], reserveUsd: 0.8, estimatedTokens: 0 }, noTasks);
    const beforeExpiry = await limiter.admit({ requestId: 'early', subjects: [key], reserveUsd: 0.5, estimatedTokens: 0 }, noTasks).catch((error) => error);

    // Act: past the hold's expiry
    clock = now + 1_001;
    const status = await spendStatus(key, store, clock);
    const admission = await limiter.admit({ requestId: 'later', subjects: [key], reserveUsd: 0.5, estimatedTokens: 0 }, noTasks);

    // Assess
    expect(beforeExpiry).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(status.reserved_spend).toBe(0);
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.5, holds: { later: { amount: 0.5 } } });
    await admission.settle({ costUsd: 0.25, tokens: 1 });
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.25, spend: 0.25, holds: {} });
  });

  it('reclaims expired holds in the background after a placement that saw them', async () => {
    let clock = now;
    const limiter = limiterAt(() => clock, { holdTtlMs: 1_000 });
    const key = subject({ maxBudget: 10 });
    await limiter.admit({ requestId: 'lost-1', subjects: [key], reserveUsd: 1, estimatedTokens: 0 }, noTasks);
    await limiter.admit({ requestId: 'lost-2', subjects: [key], reserveUsd: 2, estimatedTokens: 0 }, noTasks);
    clock = now + 5_000;
    const background: Promise<unknown>[] = [];

    await limiter.admit({ requestId: 'fresh', subjects: [key], reserveUsd: 0.5, estimatedTokens: 0 }, (task) => background.push(task));
    expect(await Promise.all(background)).toEqual([2]);

    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.5, holds: { fresh: { amount: 0.5 } } });
  });

  it('grows a hold for another tool round, and refuses a round that does not fit without holding more', async () => {
    const key = subject({ maxBudget: 1 });
    const admission = await limiterAt(() => now).admit({ requestId: 'loop', subjects: [key], reserveUsd: 0.4, estimatedTokens: 0 }, noTasks);

    await admission.extend(0.3);
    const refusal = await admission.extend(0.5).catch((error) => error);

    expect(refusal).toMatchObject({ status: 429, code: 'budget_exceeded' });
    expect(admission.heldUsd).toBeCloseTo(0.7, 10);
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.7, holds: { loop: { amount: 0.7 } } });
    await admission.settle({ costUsd: 0.6, tokens: 1 });
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.6, spend: 0.6, holds: {} });
  });

  it('counts requests per minute and answers with the seconds left in the window', async () => {
    const limiter = limiterAt(() => now);
    const key = subject({ rpmLimit: 1 });
    await limiter.admit({ requestId: 'rpm-1', subjects: [key], reserveUsd: 0, estimatedTokens: 5 }, noTasks);

    const refusal = await limiter.admit({ requestId: 'rpm-2', subjects: [key], reserveUsd: 0, estimatedTokens: 5 }, noTasks).catch((error) => error);

    expect(refusal).toMatchObject({ status: 429, code: 'rate_limit_exceeded', headers: { 'retry-after': '30' } });
  });

  it('corrects the tokens of a rate window at settlement only where a tpm limit reads them', async () => {
    // Prepare
    const limiter = limiterAt(() => now);
    const requestsOnly = subject({ maxBudget: 1, rpmLimit: 10 });
    const withTokens = subject({ rpmLimit: 10, tpmLimit: 1_000 }, 'team');

    // Act
    const admission = await limiter.admit({ requestId: 'tpm', subjects: [requestsOnly, withTokens], reserveUsd: 0.2, estimatedTokens: 50 }, noTasks);
    calls.length = 0;
    await admission.settle({ costUsd: 0.1, tokens: 80 });

    // Assess
    expect(calls).toEqual([`settleHold ${budgetOf(requestsOnly)}`, `update ${budgetOf(withTokens)}`, expect.stringMatching(/^update rate#team#/)]);
    const rateId = calls[2].split(' ')[1];
    expect(await item(rateId)).toMatchObject({ tokens: 80, requests: 1 });
  });

  it('places budget periods from the record creation time', async () => {
    const key = subject({ maxBudget: 1, budgetDuration: '1d', createdAt: '2026-02-27T18:00:00.000Z' });
    calls.length = 0;
    await limiterAt(() => now).admit({ requestId: 'period', subjects: [key], reserveUsd: 0.1, estimatedTokens: 0 }, noTasks);
    // 2026-03-01T12:00 is 1.75 days after creation: period 1, ending 2026-03-01T18:00
    expect(calls).toEqual([`placeHold budget#key#${key.id}#1`]);
    expect(await item(`budget#key#${key.id}#1`)).toMatchObject({ expires_at: Date.parse('2026-03-01T18:00:00.000Z') / 1000 + 7 * 86_400 });
  });

  it('reports crossing the soft budget once', async () => {
    const listener = vi.fn();
    const warn = vi.fn();
    const limiter = limiterAt(() => now, { onSoftBudget: listener }, { ...silentLogger, warn });
    const key = subject({ softBudget: 0.25 });

    for (let index = 0; index < 5; index += 1) {
      const admission = await limiter.admit({ requestId: `soft-${index}`, subjects: [key], reserveUsd: 0, estimatedTokens: 0 }, noTasks);
      await admission.settle({ costUsd: 0.1, tokens: 1 });
    }

    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0][1]).toBeCloseTo(0.3, 10);
    expect(warn).toHaveBeenCalledWith('soft budget crossed', expect.objectContaining({ id: key.id, softBudgetUsd: 0.25 }));
  });

  it('tries a settlement again after a throttle or a lost connection rather than leave the hold', async () => {
    const key = subject({ maxBudget: 1 });
    const admission = await limiterAt(() => now).admit({ requestId: 'flaky', subjects: [key], reserveUsd: 0.5, estimatedTokens: 0 }, noTasks);
    const settleHold = store.settleHold.bind(store);
    const failures = [Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }), Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })];
    const spy = vi.spyOn(store, 'settleHold').mockImplementation(async (settlement) => {
      const failure = failures.shift();
      if (failure) throw failure;
      return settleHold(settlement);
    });

    await admission.settle({ costUsd: 0.1, tokens: 1 });
    spy.mockRestore();

    expect(failures).toEqual([]);
    expect(await item(budgetOf(key))).toMatchObject({ committed: 0.1, spend: 0.1, holds: {} });
  });

  it('fails closed with 503 when the counters cannot be reached', async () => {
    const spy = vi.spyOn(store, 'placeHold').mockRejectedValue(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    const refusal = await limiterAt(() => now)
      .admit({ requestId: 'down', subjects: [subject({ maxBudget: 1 })], reserveUsd: 0.1, estimatedTokens: 0 }, noTasks)
      .catch((error) => error);
    spy.mockRestore();
    expect(refusal).toMatchObject({ status: 503, code: 'limits_unavailable' });
  });

  it('keeps 1,000 concurrent holds in one item within bounds, and leaves none once they settle', async () => {
    // Prepare
    const key = subject({ maxBudget: 100 });
    const limiter = limiterAt(() => now);

    // Act
    const admissions = await Promise.all(Array.from({ length: 1_000 }, (_, index) => limiter.admit({ requestId: `c-${index}-${'x'.repeat(24)}`, subjects: [key], reserveUsd: 0.05, estimatedTokens: 0 }, noTasks)));
    const peak = await item(budgetOf(key));
    await Promise.all(admissions.map((admission) => admission.settle({ costUsd: 0.01, tokens: 1 })));
    const after = await item(budgetOf(key));

    // Assess: about 80 bytes a hold, far below DynamoDB's 400 KB item limit (about 5,000 holds).
    const peakBytes = Buffer.byteLength(JSON.stringify(peak?.holds)) + 100;
    expect(Object.keys(peak?.holds ?? {})).toHaveLength(1_000);
    expect(peak?.committed).toBeCloseTo(50, 8);
    expect(peakBytes).toBeLessThan(100 * 1024);
    expect(after).toMatchObject({ holds: {}, requests: 1_000 });
    expect(after?.spend).toBeCloseTo(10, 8);
    expect(after?.committed).toBeCloseTo(10, 8);
    console.log(`1,000 concurrent holds: ${peakBytes} bytes at the peak (${Math.round(peakBytes / 1000)} bytes a hold)`);
    // The 1,000 writes queue on dynalite, one at a time: ~30 s on a quiet 2-core machine, over 60 s on a loaded one.
  }, 180_000);
});
