import { hashKey } from '../auth/key-hash.js';
import { invalidRequest } from '../errors.js';
import type { UsageReader, UsageRecord } from './usage-record.js';

const dayMs = 86_400_000;
const defaultRangeDays = 30;
const maxRangeDays = 366;

/** The API view of a usage record (LiteLLM-like names). */
export const describeUsageRecord = (record: UsageRecord) => ({
  request_id: record.requestId,
  created_at: record.createdAt,
  key_id: record.keyId,
  key_alias: record.keyAlias ?? null,
  team_id: record.teamId ?? null,
  model: record.model,
  provider: record.provider,
  deployment: record.deployment,
  prompt_tokens: record.usage.inputTokens + record.usage.cacheReadTokens + record.usage.cacheWriteTokens,
  input_tokens: record.usage.inputTokens,
  completion_tokens: record.usage.outputTokens,
  cache_read_tokens: record.usage.cacheReadTokens,
  cache_write_tokens: record.usage.cacheWriteTokens,
  total_tokens: record.usage.inputTokens + record.usage.cacheReadTokens + record.usage.cacheWriteTokens + record.usage.outputTokens,
  spend: record.costUsd,
  overage_usd: record.overageUsd ?? 0,
  latency_ms: record.latencyMs,
  time_to_first_token_ms: record.timeToFirstTokenMs ?? null,
  gateway_overhead_ms: record.overheadMs ?? null,
  status: record.status,
  outcome: record.outcome,
  error_code: record.errorCode ?? null,
  stream: record.stream,
  finish_reason: record.finishReason ?? null,
  route: record.route ?? null,
  session_id: record.sessionId ?? null,
  agent_id: record.agentId ?? null,
  parent_agent_id: record.parentAgentId ?? null,
});

/** `YYYY-MM-DD` (a whole day) or an ISO time. */
const parseTime = (text: string, param: string, endOfDay: boolean): number => {
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const time = Date.parse(dayOnly ? `${text}T00:00:00.000Z` : text);
  if (!Number.isFinite(time)) throw invalidRequest(`"${param}" must be a date (YYYY-MM-DD) or an ISO time.`, param);
  return dayOnly && endOfDay ? time + dayMs - 1 : time;
};

/** `GET /spend/logs`: usage records filtered by key, team, model and time, newest first, paginated by cursor. */
export const spendLogs = async (query: URLSearchParams, reader: UsageReader, now: Date) => {
  const end = query.get('end_date') ? parseTime(query.get('end_date')!, 'end_date', true) : now.getTime();
  const start = query.get('start_date') ? parseTime(query.get('start_date')!, 'start_date', false) : end - defaultRangeDays * dayMs;
  if (start > end) throw invalidRequest('"start_date" is after "end_date".', 'start_date');
  if (end - start > maxRangeDays * dayMs) throw invalidRequest(`The date range may span at most ${maxRangeDays} days.`, 'start_date');
  const limitText = query.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidRequest('"limit" must be an integer from 1 to 1000.', 'limit');
  const keyReference = query.get('key_id') ?? query.get('api_key') ?? query.get('key');
  const page = await reader.query({
    keyId: keyReference ? (/^[0-9a-f]{64}$/.test(keyReference) ? keyReference : hashKey(keyReference)) : undefined,
    teamId: query.get('team_id') ?? undefined,
    model: query.get('model') ?? undefined,
    sessionId: query.get('session_id') ?? undefined,
    startTime: new Date(start).toISOString(),
    endTime: new Date(end).toISOString(),
    limit,
    cursor: query.get('cursor') ?? undefined,
  });
  return { object: 'list' as const, data: page.records.map(describeUsageRecord), has_more: page.nextCursor !== undefined, next_cursor: page.nextCursor ?? null };
};
