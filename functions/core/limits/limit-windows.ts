import { parseDuration } from '../duration.js';
import type { Caller } from '../auth/authenticate.js';
import type { LimitSettings } from '../keys/key-record.js';

/** A key or a team, as far as limits are concerned. */
export interface LimitSubject {
  kind: 'key' | 'team';
  id: string;
  settings: LimitSettings;
  /** The team this subject is or belongs to (the metrics dimension). */
  teamId?: string;
}

export interface Window {
  counterId: string;
  /** Epoch milliseconds; undefined for a lifetime budget. */
  endsAt?: number;
}

const minuteMs = 60_000;
/** Counters outlive their window a little, so late settlements still find them. */
const budgetGraceSeconds = 7 * 86_400;
const rateGraceSeconds = 300;

/**
 * The current budget period: periods of `budgetDuration` counted from the
 * record's creation (as LiteLLM resets), or one lifetime period without it.
 */
export const budgetWindow = (subject: LimitSubject, now: number): Window & { expiresAt?: number } => {
  const durationMs = subject.settings.budgetDuration ? parseDuration(subject.settings.budgetDuration) : undefined;
  if (!durationMs) return { counterId: `budget#${subject.kind}#${subject.id}#all` };
  const anchor = Date.parse(subject.settings.createdAt) || 0;
  const period = Math.max(0, Math.floor((now - anchor) / durationMs));
  const endsAt = anchor + (period + 1) * durationMs;
  return { counterId: `budget#${subject.kind}#${subject.id}#${period}`, endsAt, expiresAt: Math.ceil(endsAt / 1000) + budgetGraceSeconds };
};

/** The current one-minute rate-limit window. */
export const rateWindow = (subject: LimitSubject, now: number): Window & { expiresAt: number } => {
  const minute = Math.floor(now / minuteMs);
  const endsAt = (minute + 1) * minuteMs;
  return { counterId: `rate#${subject.kind}#${subject.id}#${minute}`, endsAt, expiresAt: Math.ceil(endsAt / 1000) + rateGraceSeconds };
};

export const hasRateLimit = (settings: LimitSettings) => settings.rpmLimit !== undefined || settings.tpmLimit !== undefined;

/** The limit subjects of a caller: its key and, when it has one, its team. */
export const subjectsOf = (caller: Caller): LimitSubject[] => [
  { kind: 'key', id: caller.key.keyId, settings: caller.key, teamId: caller.team?.teamId },
  ...(caller.team ? [{ kind: 'team' as const, id: caller.team.teamId, settings: caller.team, teamId: caller.team.teamId }] : []),
];
