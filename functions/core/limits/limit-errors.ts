import { GatewayError } from '../errors.js';
import type { LimitSubject } from './limit-windows.js';

export const secondsUntil = (endsAt: number, now: number) => Math.max(1, Math.ceil((endsAt - now) / 1000));

/** 429 budget_exceeded: the worst case does not fit (or, with `neverFits`, could never fit) the remaining budget. */
export const budgetExceeded = (subject: LimitSubject, reserveUsd: number, endsAt: number | undefined, now: number, neverFits: boolean, hint = '') => {
  const what = subject.kind === 'key' ? 'this key' : 'its team';
  const detail = neverFits
    ? `The request's worst-case cost ($${reserveUsd}) is more than the whole budget of ${what} ($${subject.settings.maxBudget})${hint}.`
    : `Budget exceeded for ${what}: the request's worst-case cost ($${reserveUsd}) does not fit in the remaining budget of $${subject.settings.maxBudget}.`;
  return new GatewayError(429, detail, {
    type: 'rate_limit_error',
    code: 'budget_exceeded',
    headers: { 'x-should-retry': 'false', ...(endsAt === undefined ? {} : { 'retry-after': String(secondsUntil(endsAt, now)) }) },
  });
};

/** 429 rate_limit_exceeded, with the seconds until the window ends. */
export const rateLimited = (subject: LimitSubject, retryAfterSeconds: number) =>
  new GatewayError(429, `Rate limit reached for ${subject.kind === 'key' ? 'this key' : 'its team'}; retry after ${retryAfterSeconds}s.`, {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

/** 503 limits_unavailable: the gateway fails closed when it cannot check budgets and rate limits. */
export const limitsUnavailable = () =>
  new GatewayError(503, 'Budgets and rate limits cannot be checked right now; try again shortly.', {
    type: 'server_error',
    code: 'limits_unavailable',
    headers: { 'retry-after': '1' },
  });
