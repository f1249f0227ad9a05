import type { Caller } from '../auth/authenticate.js';
import type { TollwayConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import { retrying } from '../retry.js';
import type { RequestContext } from '../gateway-types.js';
import type { ModelRequest, Usage } from '../language-model.js';
import type { KnowledgeService } from '../knowledge/knowledge-service.js';
import type { McpService } from '../mcp/mcp-service.js';
import type { FileSearchSource } from './file-search.js';
import type { ChatMcpTools, ExecutedToolCall } from './mcp-chat-tools.js';
import { subjectsOf } from '../limits/limit-windows.js';
import type { RequestLimiter, Admission } from '../limits/request-limiter.js';
import type { ModelRouter } from '../routing/model-router.js';
import type { GatewayMetrics } from '../metrics.js';
import { reportCompletion } from './completion-telemetry.js';
import { describeError, type GatewayLogger } from '../logger.js';
import type { Deployment, ModelCatalog } from '../model-catalog.js';
import type { UsageAttribution, UsageRecord, UsageStore } from '../usage/usage-record.js';
import type { ChatRequest } from './chat-request-schema.js';
import type { CompletionIdentity } from './chat-response.js';

export interface ChatCompletionsDependencies {
  config: TollwayConfig;
  catalog: ModelCatalog;
  usageStore: UsageStore;
  mcp: McpService;
  knowledge: KnowledgeService;
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
  /** `chat.model`: the name the router routes. */
  model: string;
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
  /** Every deployment the router may use (worst-case pricing of extra tool rounds). */
  candidates: Deployment[];
  /** MCP tools offered to the model and run by the gateway. */
  mcpTools?: ChatMcpTools;
  executedToolCalls: ExecutedToolCall[];
  /** Passages injected by file_search. */
  sources?: FileSearchSource[];
  /** Usage and cost of the tool-loop rounds before the last one. */
  priorUsage: Usage;
  priorCostUsd: number;
}

/** Tollway's extension fields on a completion: the tool calls it ran and the sources it injected. */
export const completionExtensions = (completion: CompletionContext): Record<string, unknown> => ({
  ...(completion.mcpTools ? { mcp_tool_calls: completion.executedToolCalls } : {}),
  ...(completion.sources ? { sources: completion.sources } : {}),
});

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

/** What metering (settlement, usage record, metrics, the log line) needs of any request that reached a model. */
export interface MeteredRequest {
  requestId: string;
  caller: Caller;
  /** The model the client asked for. */
  model: string;
  /** The model that served (a fallback, maybe). */
  servedModel: string;
  provider: string;
  /** The upstream model id that served. */
  deployment: string;
  stream: boolean;
  admission: Admission;
  startedAt: Date;
  /** Logged only with `settings.log_prompts`. */
  prompt?: unknown;
  /** Who the request is for, below the key (Claude Code's session and agents). */
  attribution?: UsageAttribution;
  /** The operation that served it (`chat.completions`...), kept on the usage record. */
  route: string;
}

/**
 * Reserves the worst case against the caller's budgets and counts the request
 * in its rate windows (one parallel round of conditional updates); refusals
 * are counted by model.
 */
export const admitRequest = async (
  dependencies: ChatCompletionsDependencies,
  caller: Caller,
  model: string,
  reserveUsd: number,
  estimatedTokens: number,
  context: RequestContext,
): Promise<Admission> => {
  try {
    return await dependencies.limiter.admit({ requestId: context.requestId, subjects: subjectsOf(caller), reserveUsd, estimatedTokens }, context.waitUntil);
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'budget_exceeded') dependencies.metrics.record('BudgetRejected', 1, { model });
    if (error instanceof GatewayError && error.code === 'rate_limit_exceeded') dependencies.metrics.record('RateLimited', 1, { model });
    throw error;
  }
};

/** The metering view of a chat completion, as routed so far. */
export const meteredOf = (completion: CompletionContext): MeteredRequest => ({
  requestId: completion.requestId,
  caller: completion.caller,
  model: completion.chat.model,
  servedModel: completion.servedModel,
  provider: completion.deployment.model.provider,
  deployment: completion.deployment.model.modelId,
  stream: completion.chat.stream === true,
  admission: completion.admission,
  startedAt: completion.startedAt,
  prompt: completion.chat.messages,
  route: 'chat.completions',
});

/** Resolves on the next turn of the event loop, once the response in hand has been written. */
const responseWritten = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Ends a chat completion: see `finishMetered`. */
export const finishCompletion = (dependencies: ChatCompletionsDependencies, completion: CompletionContext, outcome: CompletionOutcome): Promise<void> =>
  finishMetered(dependencies, meteredOf(completion), outcome);

/**
 * Ends a metered request, once, on every path: settles the budget reservation
 * with the real cost, writes the usage record, reports metrics and the log
 * line. Runs after the response: it starts on the next turn of the event
 * loop, so even its synchronous part (settlement, the first steps of the
 * usage record's write, metrics) waits until the response (or a stream's
 * last chunks) is written. Failures are logged, never surfaced (the client
 * already has its answer).
 */
export const finishMetered = async (dependencies: ChatCompletionsDependencies, metered: MeteredRequest, outcome: CompletionOutcome): Promise<void> => {
  await responseWritten();
  const { usage } = outcome;
  const tokens = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens;
  const { overageUsd } = metered.admission.chargeFor(outcome.costUsd);
  const record: UsageRecord = {
    requestId: metered.requestId,
    createdAt: metered.startedAt.toISOString(),
    keyId: metered.caller.key.keyId,
    keyAlias: metered.caller.key.keyAlias,
    teamId: metered.caller.key.teamId,
    model: metered.model,
    provider: metered.provider,
    deployment: metered.deployment,
    stream: metered.stream,
    route: metered.route,
    ...outcome,
    latencyMs: roundMs(outcome.latencyMs),
    overheadMs: outcome.overheadMs === undefined ? undefined : roundMs(outcome.overheadMs),
    ...(overageUsd > 0 ? { overageUsd } : {}),
    ...metered.attribution,
  };
  reportCompletion(dependencies, metered, record);
  const [settled, recorded] = await Promise.allSettled([
    metered.admission.settle({ costUsd: outcome.costUsd, tokens }),
    // The record is keyed by request id: writing it again is harmless, losing it is not.
    retrying(() => dependencies.usageStore.record(record), () => true),
  ]);
  if (settled.status === 'rejected') dependencies.logger.error('settlement failed', { requestId: record.requestId, ...describeError(settled.reason) });
  if (recorded.status === 'rejected') dependencies.logger.error('usage record not written', { requestId: record.requestId, ...describeError(recorded.reason) });
};
