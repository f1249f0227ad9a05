import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UsageRecord, UsageStore } from '../core/usage/usage-record.js';

const secondsPerDay = 86_400;

/** Usage records in the usage table, one item per request, expiring after the retention period. */
export class DynamoDBUsageStore implements UsageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async record(record: UsageRecord): Promise<void> {
    const createdSeconds = Math.floor(Date.parse(record.createdAt) / 1000);
    await this.client.send(
      new PutCommand({
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
          latency_ms: record.latencyMs,
          ttft_ms: record.timeToFirstTokenMs,
          status: record.status,
          outcome: record.outcome,
          error_code: record.errorCode,
          stream: record.stream,
          finish_reason: record.finishReason,
          expires_at: createdSeconds + this.retentionDays * secondsPerDay,
        },
      }),
    );
  }
}
