import { hashKey } from '../auth/key-hash.js';
import { parseDuration } from '../duration.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { KeyStore, TeamStore } from '../keys/key-record.js';
import { isLive, type CounterStore } from '../limits/counter-store.js';
import { budgetWindow, type LimitSubject } from '../limits/limit-windows.js';
import { roundUsd } from '../pricing.js';
import type { UsageReader } from './usage-record.js';

export interface ReconcileDependencies {
  keys: KeyStore;
  teams: TeamStore;
  counters: CounterStore;
  usage: UsageReader;
  now: () => Date;
}

/** The key or team a reconcile query names: `key` (the key or its key_id) or `team_id`. */
const subjectOf = async (query: URLSearchParams, dependencies: ReconcileDependencies): Promise<LimitSubject> => {
  const keyReference = query.get('key') ?? query.get('key_id');
  const teamId = query.get('team_id');
  if (keyReference) {
    const keyId = /^[0-9a-f]{64}$/.test(keyReference) ? keyReference : hashKey(keyReference);
    const record = await dependencies.keys.get(keyId);
    if (!record) throw new GatewayError(404, 'No such key.', { code: 'key_not_found', param: 'key' });
    return { kind: 'key', id: keyId, settings: record };
  }
  if (teamId) {
    const record = await dependencies.teams.get(teamId);
    if (!record) throw new GatewayError(404, `No team "${teamId}".`, { code: 'team_not_found', param: 'team_id' });
    return { kind: 'team', id: teamId, settings: record };
  }
  throw invalidRequest('Name the ledger to audit: "key" (a key or key_id) or "team_id".', 'key');
};

/**
 * `GET /spend/reconcile`: the audit of one key's or team's current budget
 * period. The counter's spend against the sum of what its usage records were
 * charged (their cost less any overage), and the holds: live ones with their
 * age, and expired ones a later write has not reclaimed yet. On a healthy
 * ledger the difference is 0.
 */
export const reconcile = async (query: URLSearchParams, dependencies: ReconcileDependencies) => {
  const subject = await subjectOf(query, dependencies);
  const now = dependencies.now().getTime();
  const window = budgetWindow(subject, now);
  const durationMs = subject.settings.budgetDuration ? parseDuration(subject.settings.budgetDuration) : undefined;
  const startsAt = window.endsAt !== undefined && durationMs ? window.endsAt - durationMs : Date.parse(subject.settings.createdAt) || 0;
  const values = await dependencies.counters.get(window.counterId);

  let records = 0;
  let charged = 0;
  let cursor: string | undefined;
  do {
    const page = await dependencies.usage.query({
      ...(subject.kind === 'key' ? { keyId: subject.id } : { teamId: subject.id }),
      startTime: new Date(startsAt).toISOString(),
      endTime: new Date(now + 1).toISOString(),
      limit: 1000,
      cursor,
    });
    for (const record of page.records) {
      records += 1;
      charged += record.costUsd - (record.overageUsd ?? 0);
    }
    cursor = page.nextCursor;
  } while (cursor);

  const holds = Object.entries(values?.holds ?? {}).map(([requestId, hold]) => ({
    request_id: requestId,
    amount: hold.amount,
    expires_at: new Date(hold.expiresAt).toISOString(),
    live: isLive(hold, now),
  }));
  const counterSpend = roundUsd(values?.spend ?? 0);
  return {
    subject: { kind: subject.kind, id: subject.id },
    period: { counter_id: window.counterId, starts_at: new Date(startsAt).toISOString(), ends_at: window.endsAt === undefined ? null : new Date(window.endsAt).toISOString() },
    counter_spend: counterSpend,
    committed: roundUsd(values?.committed ?? 0),
    usage_records: records,
    usage_spend: roundUsd(charged),
    difference: roundUsd(counterSpend - charged),
    live_holds: holds.filter((hold) => hold.live).map(({ live: _live, ...hold }) => hold),
    expired_holds: holds.filter((hold) => !hold.live).map(({ live: _live, ...hold }) => hold),
  };
};
