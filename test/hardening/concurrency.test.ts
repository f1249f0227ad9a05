import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../functions/core/auth/key-hash.js';
import type { LocalGateway } from '../../functions/local/local-gateway.js';
import { admin, generateKey, startTestGateway } from '../support/gateway.js';
import { inspector } from '../support/dynamo-fault-proxy.js';
import { probe, reportFigures } from './support/probe.js';

// Input and output priced: a request reserves its worst case (max_tokens of
// output) and settles for less, so every admission both holds and gives back.
const config = `
models:
  - name: dear-echo
    provider: echo
    price: { input_per_mtok: 1000, output_per_mtok: 2000 }
`;

const concurrent = 100;

type Outcome = { status: number; code?: string; requestId: string; retryAfter: string | null; streamed: boolean; finished: boolean };

describe('concurrency: 100 simultaneous requests against budgets and rate limits', () => {
  let gateway: LocalGateway;
  let tables: ReturnType<typeof inspector>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const figures = { concurrentRequests: 0, accepted: 0, refused: 0, otherStatuses: 0, overspendUsd: 0, doubleSettlements: 0, usageRecordsLost: 0, rateLimitExcess: 0 };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    gateway = await startTestGateway(config);
    tables = inspector(gateway);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    tables?.close();
    await gateway?.close();
    reportFigures('concurrency', { ...figures, unhandledRejections: unhandled.length });
  });

  /** One completion, streamed or not, read to its end. */
  const complete = async (key: string, index: number): Promise<Outcome> => {
    const streamed = index % 2 === 1;
    const answer = await probe(
      `${gateway.url}/v1/chat/completions`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'dear-echo',
          stream: streamed,
          max_tokens: 6,
          messages: [{ role: 'user', content: `request number ${index} with a few words` }],
        }),
      },
      30_000,
    );
    const code = (answer.json as { error?: { code?: string } } | undefined)?.error?.code;
    return {
      status: answer.status,
      code,
      requestId: answer.headers.get('x-request-id') ?? '',
      retryAfter: answer.headers.get('retry-after'),
      streamed,
      finished: streamed ? answer.text.trimEnd().endsWith('data: [DONE]') : answer.status === 200,
    };
  };

  /** Usage records, settled spend and outstanding reservations of one key or team. */
  const books = async (kind: 'key' | 'team', id: string) => {
    await gateway.settled();
    const records = (await tables.usageRecords()).filter((item) => (kind === 'key' ? item.key_id === id : item.team_id === id));
    const counters = (await tables.budgetCounters()).filter((item) => String(item.pk).startsWith(`budget#${kind}#${id}#`));
    const spend = counters.reduce((sum, item) => sum + Number(item.spend ?? 0), 0);
    const reserved = counters.reduce((sum, item) => sum + Number(item.committed ?? 0) - Number(item.spend ?? 0), 0);
    const requests = counters.reduce((sum, item) => sum + Number(item.requests ?? 0), 0);
    return { records, spend, reserved, requests, recordedCost: records.reduce((sum, item) => sum + Number(item.cost_usd), 0) };
  };

  it('never lets concurrent requests overspend a key or a team budget, and settles each admitted request exactly once', async () => {
    await admin(gateway, 'POST', '/team/new', { team_id: 'crowd', max_budget: 0.6 });
    const budgeted = await generateKey(gateway, { key_alias: 'crowd-budgeted', team_id: 'crowd', max_budget: 0.25 });
    const free = await generateKey(gateway, { key_alias: 'crowd-free', team_id: 'crowd' });
    // Warm the key cache so the burst meets the counters, not a cold cache.
    await Promise.all([budgeted, free].map((key) => probe(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })));

    const outcomes = await Promise.all(Array.from({ length: concurrent }, (_, index) => complete(index % 2 === 0 ? budgeted : free, index)));
    figures.concurrentRequests += concurrent;

    const accepted = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status === 429);
    figures.accepted += accepted.length;
    figures.refused += refused.length;
    figures.otherStatuses += outcomes.length - accepted.length - refused.length;
    expect(accepted.length + refused.length).toBe(concurrent);
    expect(refused.every((outcome) => outcome.code === 'budget_exceeded')).toBe(true);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.every((outcome) => outcome.finished)).toBe(true);

    const team = await books('team', 'crowd');
    const budgetedKey = await books('key', hashKey(budgeted));
    const freeKey = await books('key', hashKey(free));
    figures.overspendUsd += Math.max(0, team.spend - 0.6) + Math.max(0, budgetedKey.spend - 0.25);
    expect(team.spend).toBeLessThanOrEqual(0.6 + 1e-9);
    expect(budgetedKey.spend).toBeLessThanOrEqual(0.25 + 1e-9);
    // Every admitted request left one record, no refused one did, and each was settled once.
    const acceptedIds = new Set(accepted.map((outcome) => outcome.requestId));
    const recordIds = team.records.map((item) => item.request_id as string);
    figures.usageRecordsLost += [...acceptedIds].filter((id) => !recordIds.includes(id)).length;
    expect(new Set(recordIds)).toEqual(acceptedIds);
    expect(recordIds).toHaveLength(accepted.length);
    for (const subject of [team, budgetedKey, freeKey]) {
      if (Math.abs(subject.spend - subject.recordedCost) > 1e-9) figures.doubleSettlements += 1;
      expect(subject.spend).toBeCloseTo(subject.recordedCost, 9);
      expect(subject.reserved).toBeCloseTo(0, 9);
      expect(subject.requests).toBe(subject.records.length);
    }
    expect(budgetedKey.records.length + freeKey.records.length).toBe(accepted.length);
  });

  it('admits exactly rpm_limit of 100 simultaneous requests and refuses the rest with 429 and Retry-After', async () => {
    const rpmLimit = 20;
    const key = await generateKey(gateway, { key_alias: 'crowd-rpm', rpm_limit: rpmLimit });
    await probe(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    // Rate windows are calendar minutes: keep the burst inside one.
    const secondsIntoMinute = new Date().getSeconds();
    if (secondsIntoMinute > 50) await new Promise((resolve) => setTimeout(resolve, (61 - secondsIntoMinute) * 1000));

    const outcomes = await Promise.all(Array.from({ length: concurrent }, (_, index) => complete(key, index)));
    figures.concurrentRequests += concurrent;

    const accepted = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status === 429);
    figures.accepted += accepted.length;
    figures.refused += refused.length;
    figures.otherStatuses += outcomes.length - accepted.length - refused.length;
    figures.rateLimitExcess += Math.max(0, accepted.length - rpmLimit);
    expect(accepted).toHaveLength(rpmLimit);
    expect(refused).toHaveLength(concurrent - rpmLimit);
    expect(refused.every((outcome) => outcome.code === 'rate_limit_exceeded' && Number(outcome.retryAfter) >= 1)).toBe(true);

    const keyBooks = await books('key', hashKey(key));
    figures.usageRecordsLost += Math.max(0, accepted.length - keyBooks.records.length);
    expect(new Set(keyBooks.records.map((item) => item.request_id))).toEqual(new Set(accepted.map((outcome) => outcome.requestId)));
    expect(keyBooks.spend).toBeCloseTo(keyBooks.recordedCost, 9);
    expect(keyBooks.requests).toBe(rpmLimit);
    const rateCounters = (await tables.scan(gateway.tableNames.budgets)).filter((item) => String(item.pk).startsWith(`rate#key#${hashKey(key)}#`));
    expect(rateCounters.reduce((sum, item) => sum + Number(item.requests), 0)).toBe(rpmLimit);
    expect(unhandled).toEqual([]);
  });
});
