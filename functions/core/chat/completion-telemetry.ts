import { noTeam } from '../metrics.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { ChatCompletionsDependencies, MeteredRequest } from './completion-context.js';

/**
 * One structured log line and the metrics of a finished completion. The line
 * names the key by id (its hash), never the key; prompts appear only when
 * `settings.log_prompts` is on.
 */
export const reportCompletion = (dependencies: ChatCompletionsDependencies, metered: MeteredRequest, record: UsageRecord): void => {
  const { metrics, logger, config } = dependencies;
  const model = metered.servedModel;
  const team = record.teamId ?? noTeam;
  const inputTokens = record.usage.inputTokens + record.usage.cacheReadTokens + record.usage.cacheWriteTokens;
  for (const dimensions of [{ model }, { team }]) {
    metrics.record('Requests', 1, dimensions);
    metrics.record('InputTokens', inputTokens, dimensions);
    metrics.record('OutputTokens', record.usage.outputTokens, dimensions);
    metrics.record('CostUSD', record.costUsd, dimensions);
  }
  if (record.outcome === 'error') metrics.record('Errors', 1, { model });
  if (record.finishReason === 'content_filter') metrics.record('GuardrailInterventions', 1, { model });
  if (record.overageUsd !== undefined) metrics.record('SettlementOverage', 1, { model });
  metrics.record('Latency', record.latencyMs, { model });
  if (record.timeToFirstTokenMs !== undefined) metrics.record('TimeToFirstToken', record.timeToFirstTokenMs, { model });
  if (record.overheadMs !== undefined) metrics.record('GatewayOverhead', record.overheadMs, { model });

  logger.info('completion', {
    requestId: record.requestId,
    keyId: record.keyId,
    keyAlias: record.keyAlias,
    teamId: record.teamId,
    model: record.model,
    servedModel: model,
    provider: record.provider,
    deployment: record.deployment,
    status: record.status,
    outcome: record.outcome,
    errorCode: record.errorCode,
    stream: record.stream,
    finishReason: record.finishReason,
    latencyMs: record.latencyMs,
    timeToFirstTokenMs: record.timeToFirstTokenMs,
    overheadMs: record.overheadMs,
    inputTokens: record.usage.inputTokens,
    cacheReadTokens: record.usage.cacheReadTokens,
    cacheWriteTokens: record.usage.cacheWriteTokens,
    outputTokens: record.usage.outputTokens,
    costUsd: record.costUsd,
    overageUsd: record.overageUsd,
    ...(config.settings.log_prompts ? { prompt: metered.prompt } : {}),
  });
};
