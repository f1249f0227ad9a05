import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { GatewayError } from '../core/errors.js';
import type { UsagePage, UsageQuery, UsageReader, UsageRecord, UsageStore } from '../core/usage/usage-record.js';
import { withinDeadline } from './dynamodb-deadline.js';

const secondsPerDay = 86_400;
const dayMs = secondsPerDay * 1000;

const usageItemSchema = z.object({
  request_id: z.string(),
  created_at: z.string(),
  key_id: z.string(),
  key_alias: z.string().optional(),
  team_id: z.string().optional(),
  model: z.string(),
  provider: z.string(),
  deployment: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_tokens: z.number().default(0),
  cache_write_tokens: z.number().default(0),
  reasoning_tokens: z.number().optional(),
  cost_usd: z.number(),
  overage_usd: z.number().optional(),
  latency_ms: z.number(),
  ttft_ms: z.number().optional(),
  overhead_ms: z.number().optional(),
  status: z.number(),
  outcome: z.enum(['success', 'error', 'client_disconnected']),
  error_code: z.string().optional(),
  stream: z.boolean(),
  finish_reason: z.string().optional(),
  route: z.string().optional(),
  session_id: z.string().optional(),
  agent_id: z.string().optional(),
  parent_agent_id: z.string().optional(),
});

const fromItem = (item: Record<string, unknown>): UsageRecord => {
  const stored = usageItemSchema.parse(item);
  return {
    requestId: stored.request_id,
    createdAt: stored.created_at,
    keyId: stored.key_id,
    keyAlias: stored.key_alias,
    teamId: stored.team_id,
    model: stored.model,
    provider: stored.provider,
    deployment: stored.deployment,
    usage: {
      inputTokens: stored.input_tokens,
      outputTokens: stored.output_tokens,
      cacheReadTokens: stored.cache_read_tokens,
      cacheWriteTokens: stored.cache_write_tokens,
      reasoningTokens: stored.reasoning_tokens,
    },
    costUsd: stored.cost_usd,
    overageUsd: stored.overage_usd,
    latencyMs: stored.latency_ms,
    timeToFirstTokenMs: stored.ttft_ms,
    overheadMs: stored.overhead_ms,
    status: stored.status,
    outcome: stored.outcome,
    errorCode: stored.error_code,
    stream: stored.stream,
    finishReason: stored.finish_reason,
    route: stored.route,
    sessionId: stored.session_id,
    agentId: stored.agent_id,
    parentAgentId: stored.parent_agent_id,
  };
};

/** Where a page continues: the day partition (for unfiltered queries) and DynamoDB's key. */
interface Cursor {
  day?: string;
  after?: Record<string, unknown>;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

const cursorSchema = z.strictObject({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  after: z.record(z.string(), z.string().max(256)).optional(),
});

const invalidCursor = () => new GatewayError(400, 'The cursor is not one this endpoint returned.', { type: 'invalid_request_error', code: 'invalid_cursor', param: 'cursor' });

/** A cursor as this store wrote it; anything else (crafted, truncated, from another query) is a 400, never a DynamoDB error. */
const decodeCursor = (text: string | undefined): Cursor => {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success) throw invalidCursor();
  return cursor.data;
};

/** The start key must be a key of the index the page continues in, inside the query's partition and time range. */
const assertStartKey = (after: Record<string, unknown>, partition: Partition | undefined, query: UsageQuery): void => {
  const names = Object.keys(after).sort();
  const expected = partition ? [partition.attribute, 'created_at', 'request_id'].sort() : [];
  const createdAt = after.created_at as string;
  if (
    !partition ||
    names.join() !== expected.join() ||
    after[partition.attribute] !== partition.value ||
    createdAt < query.startTime ||
    createdAt > query.endTime
  ) {
    throw invalidCursor();
  }
};

/** Usage records in the usage table: one item per request, expiring after the retention period. */
export class DynamoDBUsageStore implements UsageStore, UsageReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly deadlineMs: number,
  ) {}

  async record(record: UsageRecord): Promise<void> {
    const createdSeconds = Math.floor(Date.parse(record.createdAt) / 1000);
    const item = {
      TableName: this.tableName,
      Item: {
        request_id: record.requestId,
        created_at: record.createdAt,
        day: record.createdAt.slice(0, 10),
        key_id: record.keyId,
        key_alias: record.keyAlias,
        team_id: record.teamId,
        model: record.model,
        provider: record.provider,
        deployment: record.deployment,
        input_tokens: record.usage.inputTokens,
        output_tokens: record.usage.outputTokens,
        cache_read_tokens: record.usage.cacheReadTokens,
        cache_write_tokens: record.usage.cacheWriteTokens,
        reasoning_tokens: record.usage.reasoningTokens,
        cost_usd: record.costUsd,
        overage_usd: record.overageUsd,
        latency_ms: record.latencyMs,
        ttft_ms: record.timeToFirstTokenMs,
        overhead_ms: record.overheadMs,
        status: record.status,
        outcome: record.outcome,
        error_code: record.errorCode,
        stream: record.stream,
        finish_reason: record.finishReason,
        route: record.route,
        session_id: record.sessionId,
        agent_id: record.agentId,
        parent_agent_id: record.parentAgentId,
        expires_at: createdSeconds + this.retentionDays * secondsPerDay,
      },
    };
    await this.client.send(new PutCommand(item), withinDeadline(this.deadlineMs));
  }

  /**
   * Newest first. By key or team through their indexes; otherwise day by day
   * through the `by-day` index, from the end of the range back to its start.
   */
  async query(query: UsageQuery): Promise<UsagePage> {
    const cursor = decodeCursor(query.cursor);
    const records: UsageRecord[] = [];
    const partitions = this.partitionsFor(query, cursor);
    let after = cursor.after;
    if (after) assertStartKey(after, partitions[0], query);
    for (const partition of partitions) {
      do {
        const input = {
          TableName: this.tableName,
          IndexName: partition.indexName,
          KeyConditionExpression: '#partition = :partition AND created_at BETWEEN :start AND :end',
          FilterExpression: filterExpression(query, partition.indexName),
          ExpressionAttributeNames: { '#partition': partition.attribute, ...filterNames(query, partition.indexName) },
          ExpressionAttributeValues: { ':partition': partition.value, ':start': query.startTime, ':end': query.endTime, ...filterValues(query, partition.indexName) },
          ScanIndexForward: false,
          Limit: query.limit - records.length,
          ExclusiveStartKey: after,
        };
        const page = await this.client.send(new QueryCommand(input), withinDeadline(this.deadlineMs));
        for (const item of page.Items ?? []) records.push(fromItem(item));
        after = page.LastEvaluatedKey;
        if (records.length >= query.limit) {
          const nextCursor = after ? encodeCursor({ day: partition.day, after }) : nextPartitionCursor(partitions, partition);
          return { records, nextCursor };
        }
      } while (after);
    }
    return { records };
  }

  private partitionsFor(query: UsageQuery, cursor: Cursor): Partition[] {
    if (query.keyId) return [{ indexName: 'by-key', attribute: 'key_id', value: query.keyId }];
    if (query.teamId) return [{ indexName: 'by-team', attribute: 'team_id', value: query.teamId }];
    const days: Partition[] = [];
    const first = Date.parse(query.startTime.slice(0, 10));
    for (let time = Date.parse(query.endTime.slice(0, 10)); time >= first; time -= dayMs) {
      const day = new Date(time).toISOString().slice(0, 10);
      if (cursor.day && day > cursor.day) continue;
      days.push({ indexName: 'by-day', attribute: 'day', value: day, day });
    }
    return days;
  }
}

interface Partition {
  indexName: string;
  attribute: string;
  value: string;
  day?: string;
}

const nextPartitionCursor = (partitions: Partition[], current: Partition): string | undefined => {
  const next = partitions[partitions.indexOf(current) + 1];
  return next?.day ? encodeCursor({ day: next.day }) : undefined;
};

/** Filters that the chosen index does not already apply. */
const filters = (query: UsageQuery, indexName: string) =>
  [
    query.model ? (['#model', 'model', ':model', query.model] as const) : undefined,
    query.sessionId ? (['#session', 'session_id', ':session', query.sessionId] as const) : undefined,
    query.teamId && indexName !== 'by-team' ? (['#team', 'team_id', ':team', query.teamId] as const) : undefined,
  ].filter((filter) => filter !== undefined);

const filterExpression = (query: UsageQuery, indexName: string) => {
  const parts = filters(query, indexName).map(([name, , value]) => `${name} = ${value}`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
};
const filterNames = (query: UsageQuery, indexName: string) => Object.fromEntries(filters(query, indexName).map(([name, attribute]) => [name, attribute]));
const filterValues = (query: UsageQuery, indexName: string) => Object.fromEntries(filters(query, indexName).map(([, , value, given]) => [value, given]));
