import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitSettings } from '../../../functions/core/keys/key-record.js';
import type { CounterStore } from '../../../functions/core/limits/counter-store.js';
import type { LimitSubject } from '../../../functions/core/limits/limit-windows.js';
import { RequestLimiter, type LeaseOptions } from '../../../functions/core/limits/request-limiter.js';
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
const subject = (overrides: Partial<LimitSettings>): LimitSubject => ({ kind: 'key', id: `leased-${(subjects += 1)}`, settings: settings(overrides) });
const budgetOf = (limited: LimitSubject) => `budget#key#${limited.id}#all`;
const holdTtlMs = 960_000;

describe('budget leases over the DynamoDB counter store (dynalite)', () => {
  let dynamo: LocalDynamoDB;
  let store: DynamoDBCounterStore;
  /** Every store call, in order: `placeHold budget#key#...`. */
  let calls: string[];
  let counted: CounterStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamoDB(':memory:', 20_000);
    store = new DynamoDBCounterStore(dynamo.clients.counters, dynamo.tableNames.budgets, 20_000);
    calls = [];
    counted = new Proxy(store, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(property));
          return (value as (...values: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  const leasing = (clock: () => number = Date.now, leases: Partial<LeaseOptions> = {}) =>
    new RequestLimiter(counted, clock, silentLogger, { holdTtlMs, leases: { idleReturnMs: 50, awaitIdleReturn: true, ...leases } });
  const item = async (counterId: string) => (await dynamo.clients.documents.send(new GetCommand({ TableName: dynamo.tableNames.budgets, Key: { pk: counterId } }))).Item as Record<string, any> | undefined;
  const holdsOf = (stored: Record<string, any> | undefined) => Object.keys(stored ?? {}).filter((name) => name.startsWith('holds.'));

  it('takes a lease with the first request, admits the next ones in memory, and settles them in one write', async () => {
    // Prepare
    const key = subject({ maxBudget: 10 });
    const limiter = leasing();
    const background: Promise<unknown>[] = [];

    // Act
    const first = await limiter.admit({ requestId: 'l-1', subjects: [key], reserveUsd: 0.01, estimatedTokens: 0 }, (task) => background.push(task));
    const callsAfterFirst = calls.length;
    const rest = await Promise.all(Array.from({ length: 9 }, (_, index) => limiter.admit({ requestId: `l-${index + 2}`, subjects: [key], reserveUsd: 0.01, estimatedTokens: 0 }, (task) => background.push(task))));
    const callsBeforeUpstream = calls.length - callsAfterFirst;
    const leased = await item(budgetOf(key));
    await Promise.all([first, ...rest].map((admission) => admission.settle({ costUsd: 0.004, tokens: 7 })));
    await Promise.all(background);
    const returned = await item(budgetOf(key));

    // Assess
    expect(callsAfterFirst).toBe(1);
    expect(callsBeforeUpstream).toBe(0);
    expect(holdsOf(leased)).toHaveLength(1);
    expect(leased!.committed).toBeGreaterThanOrEqual(0.1);
    expect(returned).toMatchObject({ spend: 0.04, committed: 0.04, requests: 10, tokens: 70 });
    expect(holdsOf(returned)).toEqual([]);
  });
});
