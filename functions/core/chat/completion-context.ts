import type { Caller } from '../auth/authenticate.js';
import type { TollwayConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { ModelRequest } from '../language-model.js';
import type { RequestLimiter, Admission } from '../limits/request-limiter.js';
import type { ModelRouter } from '../routing/model-router.js';
import type { GatewayMetrics } from '../metrics.js';
import { reportCompletion } from './completion-telemetry.js';
import { describeError, type GatewayLogger } from '../logger.js';
import type { Deployment, ModelCatalog } from '../model-catalog.js';
import type { UsageRecord, UsageStore } from '../usage/usage-record.js';
import type { ChatRequest } from './chat-request-schema.js';
import type { CompletionIdentity } from './chat-response.js';

export interface ChatCompletionsDependencies {
  config: TollwayConfig;
  catalog: ModelCatalog;
  usageStore: UsageStore;
  limiter: RequestLimiter;
  metrics: GatewayMetrics;
  router: ModelRouter;
  logger: GatewayLogger;
  now: () => Date;
}

/** Everything about one admitted completion that settlement, the usage record and headers need. */
export interface CompletionContext {
  requestId: string;
  caller: Caller;
  chat: ChatRequest;
  /** The deployment that served (the first candidate until the router has chosen). */
  deployment: Deployment;
  /** The model that served: the requested one or a fallback. */
  servedModel: string;
  modelRequest: ModelRequest;
  admission: Admission;
  identity: CompletionIdentity;
  startedAt: Date;
  /** `performance.now()` when the request arrived. */
  arrivedAt: number;
}

/** Headers every completion carries. */
export const completionHeaders = (completion: CompletionContext, costUsd?: number): Record<string, string> => ({
  'x-tollway-model': completion.servedModel,
  'x-tollway-deployment': completion.deployment.model.modelId,
  ...(costUsd === undefined ? {} : { 'x-tollway-cost-usd': formatUsd(costUsd) }),
});

/** The error code a failure is recorded under. */
export const errorCodeOf = (error: unknown): string => (error instanceof GatewayError ? (error.code ?? error.type) : 'internal_error');

/** A dollar amount without float noise or trailing zeros. */
export const formatUsd = (amount: number): string => amount.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');

const roundMs = (milliseconds: number) => Math.round(milliseconds * 100) / 100;

export type CompletionOutcome = Pick<
  UsageRecord,
  'usage' | 'costUsd' | 'status' | 'outcome' | 'latencyMs' | 'timeToFirstTokenMs' | 'overheadMs' | 'errorCode' | 'finishReason'
>;

/**
 * Ends a completion, once, on every path: settles the budget reservation with
 * the real cost and writes the usage record. Runs after the response; failures
 * are logged, never surfaced (the client already has its answer).
 */
export const finishCompletion = async (
  dependencies: ChatCompletionsDependencies,
  completion: CompletionContext,
  outcome: CompletionOutcome,
): Promise<void> => {
  const { usage } = outcome;
  const tokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens;
  const record: UsageRecord = {
    requestId: completion.requestId,
    createdAt: completion.startedAt.toISOString(),
    keyId: completion.caller.key.keyId,
    keyAlias: completion.caller.key.keyAlias,
    teamId: completion.caller.key.teamId,
    model: completion.chat.model,
    provider: completion.deployment.model.provider,
    deployment: completion.deployment.model.modelId,
    stream: completion.chat.stream === true,
    ...outcome,
    latencyMs: roundMs(outcome.latencyMs),
    overheadMs: outcome.overheadMs === undefined ? undefined : roundMs(outcome.overheadMs),
  };
  reportCompletion(dependencies, completion, record);
  const [settled, recorded] = await Promise.allSettled([
    completion.admission.settle({ costUsd: outcome.costUsd, tokens }),
    dependencies.usageStore.record(record),
  ]);
  if (settled.status === 'rejected') dependencies.logger.error('settlement failed', { requestId: record.requestId, ...describeError(settled.reason) });
  if (recorded.status === 'rejected') dependencies.logger.error('usage record not written', { requestId: record.requestId, ...describeError(recorded.reason) });
};
