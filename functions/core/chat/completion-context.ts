import { describeError } from '../logger.js';
import type { GatewayLogger } from '../logger.js';
import type { TollwayConfig } from '../config/schema.js';
import type { KeyRecord } from '../keys/key-record.js';
import type { ModelRequest } from '../language-model.js';
import type { Deployment, ModelCatalog } from '../model-catalog.js';
import type { UsageRecord, UsageStore } from '../usage/usage-record.js';
import type { ChatRequest } from './chat-request-schema.js';
import type { CompletionIdentity } from './chat-response.js';

export interface ChatCompletionsDependencies {
  config: TollwayConfig;
  catalog: ModelCatalog;
  usageStore: UsageStore;
  logger: GatewayLogger;
  now: () => Date;
}

/** Everything about one completion that the usage record and headers need. */
export interface CompletionContext {
  requestId: string;
  key: KeyRecord;
  chat: ChatRequest;
  deployment: Deployment;
  modelRequest: ModelRequest;
  identity: CompletionIdentity;
  startedAt: Date;
  /** `performance.now()` when the request arrived. */
  arrivedAt: number;
}

/** Headers every completion carries. */
export const completionHeaders = (completion: CompletionContext, costUsd?: number): Record<string, string> => ({
  'x-tollway-model': completion.chat.model,
  'x-tollway-deployment': completion.deployment.model.modelId,
  ...(costUsd === undefined ? {} : { 'x-tollway-cost-usd': costUsd.toFixed(10).replace(/0+$/, '').replace(/\.$/, '') }),
});

type UsageOutcome = Pick<UsageRecord, 'usage' | 'costUsd' | 'status' | 'outcome' | 'latencyMs' | 'timeToFirstTokenMs' | 'errorCode' | 'finishReason'>;

/** Writes the usage record; a failure is logged, never surfaced to the client (it already has its answer). */
export const recordUsage = async (
  dependencies: ChatCompletionsDependencies,
  completion: CompletionContext,
  outcome: UsageOutcome,
): Promise<void> => {
  const record: UsageRecord = {
    requestId: completion.requestId,
    createdAt: completion.startedAt.toISOString(),
    keyId: completion.key.keyId,
    keyAlias: completion.key.keyAlias,
    teamId: completion.key.teamId,
    model: completion.chat.model,
    provider: completion.deployment.model.provider,
    deployment: completion.deployment.model.modelId,
    stream: completion.chat.stream === true,
    ...outcome,
    latencyMs: Math.round(outcome.latencyMs * 100) / 100,
  };
  try {
    await dependencies.usageStore.record(record);
  } catch (error) {
    dependencies.logger.error('usage record not written', { requestId: record.requestId, ...describeError(error) });
  }
};
